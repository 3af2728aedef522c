package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portail-factures/portail/adapters/postgres"
)

// BouncerInstallHint says how to get PgBouncer for the tests.
const BouncerInstallHint = "install PgBouncer (Debian, Ubuntu: apt-get install -y pgbouncer)"

// Bouncer is a PgBouncer in transaction mode (pool_mode = transaction)
// in front of one test schema: each transaction of a client may run on
// another server connection, as behind a production pooler.
type Bouncer struct {
	// URL reaches the schema through PgBouncer: a portal's database.url.
	URL string
	// DirectURL reaches the same schema on PostgreSQL itself: a portal's
	// database.direct_url.
	DirectURL string
}

// lookBouncer finds the pgbouncer program; tests replace it.
var lookBouncer = findBouncer

// findBouncer returns pgbouncer on PATH, or Debian's /usr/sbin/pgbouncer
// (off a user's PATH).
func findBouncer() (string, error) {
	if p, err := exec.LookPath("pgbouncer"); err == nil {
		return p, nil
	}
	if executable("/usr/sbin/pgbouncer") {
		return "/usr/sbin/pgbouncer", nil
	}
	return "", errors.New("no pgbouncer on PATH nor at /usr/sbin/pgbouncer")
}

// NewBouncer creates an empty schema and starts a PgBouncer in
// transaction mode in front of it, stopped when tb ends. It skips tb when
// PostgreSQL or PgBouncer is missing, unless Config.Require is set, which
// turns either into a failure. PgBouncer listens on a Unix socket in its
// own temporary directory, so that tests running at once never compete
// for a port.
func NewBouncer(tb testing.TB) Bouncer {
	tb.Helper()
	if err := setup(); err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	bin, skip, err := bouncerBinary(state.cfg.Require)
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	if skip != "" {
		tb.Skip(skip)
	}
	direct := newSchema(tb)
	u, err := url.Parse(direct)
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	through, err := startBouncer(tb, bin, u)
	if err != nil {
		tb.Fatalf("pgtest: pgbouncer: %v", err)
	}
	return Bouncer{URL: through, DirectURL: direct}
}

// bouncerBinary returns the pgbouncer program, or why the tests that
// need it skip, or, when require is set, fail.
func bouncerBinary(require bool) (bin, skip string, err error) {
	bin, err = lookBouncer()
	switch {
	case err == nil:
		return bin, "", nil
	case require:
		return "", "", fmt.Errorf("%v; %s is set: %s", err, EnvRequire, BouncerInstallHint)
	}
	return "", fmt.Sprintf("PgBouncer tests skipped: %v; %s", err, BouncerInstallHint), nil
}

// NewBouncedDB returns a store on a fresh schema through a Bouncer, as a
// portal behind PgBouncer opens it: prepared statements off, and the
// direct URL for the migrations, which it applies through the store.
func NewBouncedDB(tb testing.TB) *postgres.DB {
	tb.Helper()
	b := NewBouncer(tb)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := postgres.Open(ctx, b.URL, postgres.Options{MaxOpenConns: 20, MaxIdleConns: 20,
		NoPreparedStatements: true, DirectURL: b.DirectURL})
	if err != nil {
		tb.Fatalf("pgtest: open through pgbouncer: %v", err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		tb.Fatalf("pgtest: migrate through pgbouncer: %v", err)
	}
	return db
}

// bouncerConfig is pgbouncer.ini. The one database, portal, is the
// schema: connect_query sets the search_path of each server connection,
// since PgBouncer 1.18 does not pass it from the client.
// ignore_startup_parameters lets lib/pq's extra_float_digits through.
const bouncerConfig = `[databases]
portal = %s connect_query='SET search_path TO %s'

[pgbouncer]
listen_addr =
listen_port = %d
unix_socket_dir = %s
auth_type = trust
auth_file = %s
pool_mode = transaction
default_pool_size = 8
max_client_conn = 500
ignore_startup_parameters = extra_float_digits
server_reset_query =
logfile = %s
pidfile = %s
`

// bouncerPort names PgBouncer's socket file (.s.PGSQL.6432).
const bouncerPort = 6432

// startBouncer starts pgbouncer (bin) in front of the schema of direct
// and returns the URL through it. As root it runs PgBouncer, which
// refuses root, as the server's unprivileged user.
func startBouncer(tb testing.TB, bin string, direct *url.URL) (string, error) {
	base := os.TempDir()
	if len(base) > 60 {
		base = "/tmp" // a Unix socket's path is limited to about 100 bytes
	}
	dir, err := os.MkdirTemp(base, "pgbouncer")
	if err != nil {
		return "", err
	}
	tb.Cleanup(func() { _ = os.RemoveAll(dir) })
	var as *account
	if os.Geteuid() == 0 {
		if as, err = unprivileged(); err != nil {
			return "", err
		}
		if err := os.Chown(dir, as.uid, as.gid); err != nil {
			return "", err
		}
	}

	q := direct.Query()
	host, port := q.Get("host"), q.Get("port")
	if host == "" {
		host = direct.Hostname()
	}
	if port == "" {
		port = direct.Port()
	}
	if port == "" {
		port = "5432"
	}
	user := direct.User.Username()
	server := fmt.Sprintf("host=%s port=%s dbname=%s user=%s", host, port, strings.TrimPrefix(direct.Path, "/"), user)
	if pw, ok := direct.User.Password(); ok {
		server += " password=" + pw
	}
	schema := q.Get("search_path")
	files := map[string]string{
		"pgbouncer.ini": fmt.Sprintf(bouncerConfig, server, schema, bouncerPort, dir,
			filepath.Join(dir, "users.txt"), filepath.Join(dir, "pgbouncer.log"), filepath.Join(dir, "pgbouncer.pid")),
		"users.txt": fmt.Sprintf("%q \"\"\n", user),
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			return "", err
		}
	}

	out, err := os.Create(filepath.Join(dir, "pgbouncer.out"))
	if err != nil {
		return "", err
	}
	defer out.Close()
	cmd := exec.Command(bin, filepath.Join(dir, "pgbouncer.ini"))
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = out, out
	if as != nil {
		as.apply(cmd)
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	tb.Cleanup(func() {
		// SIGINT: PgBouncer stops at once (a "safe shutdown" waits for the
		// clients, which the stores closing before have ended).
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			_ = cmd.Process.Kill()
		}
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})

	through := (&url.URL{Scheme: "postgres", User: direct.User, Path: "/portal",
		RawQuery: url.Values{"host": {dir}, "port": {fmt.Sprint(bouncerPort)}, "sslmode": {"disable"}}.Encode()}).String()
	if err := waitForBouncer(through, exited); err != nil {
		b, _ := os.ReadFile(filepath.Join(dir, "pgbouncer.log"))
		o, _ := os.ReadFile(out.Name())
		return "", fmt.Errorf("%w\n%s%s", err, o, b)
	}
	return through, nil
}

// waitForBouncer waits until a client can run a statement through
// PgBouncer at u, or it exited.
func waitForBouncer(u string, exited <-chan error) error {
	db, err := sql.Open("postgres", u)
	if err != nil {
		return err
	}
	defer db.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := db.ExecContext(ctx, "SELECT 1")
		cancel()
		if err == nil {
			return nil
		}
		select {
		case werr := <-exited:
			return fmt.Errorf("pgbouncer exited: %v", werr)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("pgbouncer does not answer: %w", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
