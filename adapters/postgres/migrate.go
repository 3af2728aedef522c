package postgres

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLock is the key of the advisory lock Migrate holds, the same
// for every portal instance ("portail-migrations" on 8 bytes).
const migrationLock int64 = 0x706f7274_6d696772

// Migration is one numbered schema change.
type Migration struct {
	Version  int    // from the file name: 0001_init.sql is version 1
	Name     string // the file name
	SQL      string
	Checksum string // hex SHA-256 of SQL
}

// Migrations returns the embedded migrations in the order they apply.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("postgres: migration %s: the name must start with its number, as 0002_what.sql", name)
		}
		body, err := migrationFiles.ReadFile(path.Join("migrations", name))
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(body)
		out = append(out, Migration{Version: v, Name: name, SQL: string(body), Checksum: hex.EncodeToString(sum[:])})
	}
	slices.SortFunc(out, func(a, b Migration) int { return a.Version - b.Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("postgres: migrations %s and %s have the same number", out[i-1].Name, out[i].Name)
		}
	}
	return out, nil
}

// Migrate applies the migrations the database has not run yet, each in its
// own transaction, and records them in schema_migrations. It returns the
// names of those it applied. It holds an advisory lock meanwhile, so that
// portal instances starting together apply each migration once: the
// others wait, then find nothing left to do. It refuses to run when a
// migration already applied differs from its file: migrations are never
// edited once released.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	migrations, err := Migrations()
	if err != nil {
		return nil, err
	}
	conn, closeConn, err := db.sessionConn(ctx)
	if err != nil {
		return nil, mapErr(err, "migrate: connect")
	}
	defer closeConn()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return nil, mapErr(err, "migrate: lock")
	}
	defer func() {
		// Unlock even if ctx is done; closing the connection would release
		// the lock too, but the pool may keep it.
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_, _ = conn.ExecContext(uctx, `SELECT pg_advisory_unlock($1)`, migrationLock)
	}()

	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    integer PRIMARY KEY,
	name       text NOT NULL,
	checksum   text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now()
)`); err != nil {
		return nil, mapErr(err, "migrate: create schema_migrations")
	}
	var applied []struct {
		Version  int    `db:"version"`
		Name     string `db:"name"`
		Checksum string `db:"checksum"`
	}
	if err := conn.SelectContext(ctx, &applied, `SELECT version, name, checksum FROM schema_migrations`); err != nil {
		return nil, mapErr(err, "migrate: read schema_migrations")
	}
	done := make(map[int]string, len(applied))
	for _, a := range applied {
		done[a.Version] = a.Checksum
	}

	var names []string
	for _, m := range migrations {
		if sum, ok := done[m.Version]; ok {
			if sum != m.Checksum {
				return names, fmt.Errorf("postgres: migration %s was edited after it was applied (checksum %s, applied %s): released migrations must never change; restore it and add a new migration", m.Name, m.Checksum[:12], sum[:min(12, len(sum))])
			}
			continue
		}
		if err := applyMigration(ctx, conn, m); err != nil {
			return names, err
		}
		names = append(names, m.Name)
	}
	return names, nil
}

// sessionConn returns a connection that is a PostgreSQL session of its
// own for as long as it is held, as a session advisory lock needs: one of
// the pool, or, with Options.DirectURL, one opened on that URL, since
// behind a pooler in transaction mode a pool's connection changes server
// session at the end of each transaction. closeConn releases it.
func (db *DB) sessionConn(ctx context.Context) (conn *sqlx.Conn, closeConn func(), err error) {
	if db.opts.DirectURL == "" {
		conn, err := db.pool.Connx(ctx)
		if err != nil {
			return nil, nil, err
		}
		return conn, func() { _ = conn.Close() }, nil
	}
	direct, err := openPool(db.opts.DirectURL, false)
	if err != nil {
		return nil, nil, err
	}
	conn, err = direct.Connx(ctx)
	if err != nil {
		_ = direct.Close()
		return nil, nil, domain.WrapUnavailable(fmt.Errorf("postgres: connect to the direct URL: %w", err))
	}
	return conn, func() { _ = conn.Close(); _ = direct.Close() }, nil
}

// applyMigration runs m and records it, in one transaction.
func applyMigration(ctx context.Context, conn *sqlx.Conn, m Migration) error {
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return mapErr(err, "migrate: begin")
	}
	defer func() { _ = tx.Rollback() }() // after Commit, a no-op
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("postgres: migration %s: %w", m.Name, mapErr(err, "migrate"))
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)`,
		m.Version, m.Name, m.Checksum); err != nil {
		return mapErr(err, "migrate: record "+m.Name)
	}
	return mapErr(tx.Commit(), "migrate: commit "+m.Name)
}

var _ ports.Readiness = (*DB)(nil)

// Ready is ports.Readiness: the database answers, and its migrations are
// exactly the embedded ones (every one applied, unchanged, and none this
// build does not know). A schema that is not current wraps
// ports.ErrSchemaNotCurrent.
func (db *DB) Ready(ctx context.Context) error {
	if err := db.Ping(ctx); err != nil {
		return err
	}
	migrations, err := Migrations()
	if err != nil {
		return err
	}
	var applied []struct {
		Version  int    `db:"version"`
		Name     string `db:"name"`
		Checksum string `db:"checksum"`
	}
	if err := db.pool.SelectContext(ctx, &applied, `SELECT version, name, checksum FROM schema_migrations`); err != nil {
		if pe := (*pq.Error)(nil); errors.As(err, &pe) && pe.Code == pqerror.UndefinedTable {
			return fmt.Errorf("%w: no migration applied (run portal migrate)", ports.ErrSchemaNotCurrent)
		}
		return mapErr(err, "ready: read schema_migrations")
	}
	known := make(map[int]Migration, len(migrations))
	for _, m := range migrations {
		known[m.Version] = m
	}
	done := make(map[int]bool, len(applied))
	for _, a := range applied {
		m, ok := known[a.Version]
		switch {
		case !ok:
			return fmt.Errorf("%w: %s is applied but unknown to this build (a newer version migrated the database)", ports.ErrSchemaNotCurrent, a.Name)
		case m.Checksum != a.Checksum:
			return fmt.Errorf("%w: %s was edited after it was applied", ports.ErrSchemaNotCurrent, m.Name)
		}
		done[a.Version] = true
	}
	for _, m := range migrations {
		if !done[m.Version] {
			return fmt.Errorf("%w: %s is not applied (run portal migrate)", ports.ErrSchemaNotCurrent, m.Name)
		}
	}
	return nil
}
