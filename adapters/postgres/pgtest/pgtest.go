// Package pgtest gives tests a fresh PostgreSQL schema each, migrated and
// empty, so that they can run in parallel.
//
// A test binary calls Main from its TestMain, with the settings it read
// from the environment (only cmd/ and tests read it):
//
//	func TestMain(m *testing.M) {
//		os.Exit(pgtest.Main(m, pgtest.Config{
//			URL:     os.Getenv(pgtest.EnvURL),
//			Require: os.Getenv(pgtest.EnvRequire) == "1",
//		}))
//	}
//
// With a URL, the schemas are created in that database (the URL's user
// needs the CREATE privilege on it). Without, the first test that asks for
// a database starts a throwaway server: initdb and pg_ctl, found on PATH
// or under /usr/lib/postgresql/*/bin, on a temporary directory, listening
// only on a Unix socket in it; as root, the server runs as the user
// postgres (or nobody), since PostgreSQL refuses root. Main stops it and
// removes the directory after the tests.
//
// Each test gets its own schema, named in the URL's search_path, created
// and migrated for it and dropped when it ends: about 0.1 s, where a
// CREATE DATABASE … TEMPLATE takes 0.2 to 0.4 s on a small machine. When
// PostgreSQL is not installed the tests that need it skip, saying how to
// install it, unless Require is set: CI sets it so that they can never be
// skipped silently.
//
// NewBouncer and NewBouncedDB put a real PgBouncer in transaction mode
// (pgbouncer on PATH or /usr/sbin/pgbouncer) in front of a fresh schema,
// as portal instances share PostgreSQL in production; they skip or fail
// like the others when PgBouncer is missing.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/lib/pq" // the "postgres" driver

	"github.com/portail-factures/portail/adapters/postgres"
)

// The environment variables a test binary reads for Config.
const (
	// EnvURL names a database on an existing server to use instead of a
	// throwaway one, as postgres://user:password@host/db?sslmode=disable.
	EnvURL = "PORTAL_TEST_DATABASE_URL"
	// EnvRequire, set to 1, turns a missing PostgreSQL into a failure.
	EnvRequire = "PORTAL_REQUIRE_POSTGRES"
)

// InstallHint says how to get PostgreSQL for the tests.
const InstallHint = "install PostgreSQL (Debian, Ubuntu: apt-get install -y postgresql) or set " + EnvURL

// Config says where the test databases live.
type Config struct {
	// URL of a database on an existing server; empty starts a throwaway
	// server.
	URL string
	// Require fails the tests that need PostgreSQL when it is missing,
	// instead of skipping them.
	Require bool
}

var state struct {
	mu      sync.Mutex
	cfg     Config
	main    bool // Main was called
	started bool // setup ran
	err     error
	skip    string

	server  *server  // nil with Config.URL
	base    *url.URL // the test database's URL
	admin   *sql.DB  // connected to it
	created string   // the database setup created, dropped at teardown
	prefix  string   // of every schema this binary creates
	seq     atomic.Int64
}

// Main runs the tests of m with cfg and afterwards stops the server it
// started, if any. It returns m.Run's exit code.
func Main(m *testing.M, cfg Config) int {
	state.mu.Lock()
	state.cfg, state.main = cfg, true
	state.mu.Unlock()
	code := m.Run()
	if err := teardown(); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// NewDB returns a store on a fresh migrated schema, closed and dropped
// when tb ends. It skips tb when PostgreSQL is missing (see Config).
func NewDB(tb testing.TB) *postgres.DB {
	tb.Helper()
	u := newSchema(tb)
	db := open(tb, u)
	if _, err := db.Migrate(context.Background()); err != nil {
		tb.Fatalf("pgtest: migrate: %v", err)
	}
	return db
}

// NewURL returns the URL of a fresh migrated schema, dropped when tb
// ends, for code that opens the database itself (cmd/portal).
func NewURL(tb testing.TB) string {
	tb.Helper()
	u := newSchema(tb)
	db := open(tb, u)
	if _, err := db.Migrate(context.Background()); err != nil {
		tb.Fatalf("pgtest: migrate: %v", err)
	}
	_ = db.Close()
	return u
}

// NewEmptyURL returns the URL of a fresh schema without any table, for
// tests of the migrations themselves.
func NewEmptyURL(tb testing.TB) string {
	tb.Helper()
	return newSchema(tb)
}

// open opens a store on u, closed when tb ends.
func open(tb testing.TB, u string) *postgres.DB {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := postgres.Open(ctx, u, postgres.Options{MaxOpenConns: 20, MaxIdleConns: 20})
	if err != nil {
		tb.Fatalf("pgtest: open: %v", err)
	}
	tb.Cleanup(func() { _ = db.Close() }) // before the schema is dropped
	return db
}

// newSchema creates an empty schema, dropped when tb ends, and returns
// the URL whose search_path names it.
func newSchema(tb testing.TB) string {
	tb.Helper()
	if err := setup(); err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	if state.skip != "" {
		tb.Skip(state.skip)
	}
	name := fmt.Sprintf("%s_%d", state.prefix, state.seq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := state.admin.ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
		tb.Fatalf("pgtest: create schema: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := state.admin.ExecContext(ctx, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			tb.Errorf("pgtest: drop schema %s: %v", name, err)
		}
	})
	u := *state.base
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// setup finds or starts the server, once.
func setup() error {
	state.mu.Lock()
	defer state.mu.Unlock()
	if state.started {
		return state.err
	}
	state.started = true
	if !state.main {
		state.err = fmt.Errorf("call pgtest.Main from the package's TestMain")
		return state.err
	}
	state.err = start()
	return state.err
}

func start() error {
	cfg := state.cfg
	raw := make([]byte, 4)
	_, _ = rand.Read(raw)
	// Lower case, letters, digits and _: no quoting needed. The random part
	// keeps apart the test binaries that share a server.
	state.prefix = "portal_test_" + hex.EncodeToString(raw)

	if cfg.URL != "" {
		u, err := url.Parse(cfg.URL)
		if err != nil {
			return fmt.Errorf("%s is not a URL", EnvURL)
		}
		state.base = u
		return connect()
	}
	bin, err := lookBinaries()
	if err != nil {
		if cfg.Require {
			return fmt.Errorf("%v; %s is set: %s", err, EnvRequire, InstallHint)
		}
		state.skip = fmt.Sprintf("PostgreSQL tests skipped: %v; %s", err, InstallHint)
		return nil
	}
	srv, err := startServer(bin)
	if err != nil {
		return err
	}
	state.server = srv
	state.base = srv.url("postgres")
	if err := connect(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := state.admin.ExecContext(ctx, "CREATE DATABASE portal_test"); err != nil {
		return fmt.Errorf("create the test database: %w", err)
	}
	state.created = "portal_test"
	_ = state.admin.Close()
	state.base = srv.url(state.created)
	return connect()
}

// connect opens state.admin on state.base.
func connect() error {
	admin, err := sql.Open("postgres", state.base.String())
	if err != nil {
		return err
	}
	admin.SetMaxOpenConns(4)
	state.admin = admin
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		return fmt.Errorf("connect to the test database: %w", err)
	}
	return nil
}

// teardown stops the server, if it started one.
func teardown() error {
	state.mu.Lock()
	defer state.mu.Unlock()
	if state.admin != nil {
		_ = state.admin.Close()
		state.admin = nil
	}
	if state.server != nil {
		err := state.server.stop()
		state.server = nil
		if err != nil {
			return fmt.Errorf("teardown: %w", err)
		}
	}
	return nil
}
