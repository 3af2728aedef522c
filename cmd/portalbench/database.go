package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	_ "github.com/lib/pq" // the "postgres" driver

	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/ports"
)

// serverConf is added to the tests' settings (pgtest: fsync off, 256 MB
// of shared buffers): pg_stat_statements counts the statements, the CSV
// log records one sample of pages with their parameters for the anchor,
// and index builds get memory and both cores.
const serverConf = `
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.max = 5000
pg_stat_statements.track = top
pg_stat_statements.track_utility = on
logging_collector = on
log_destination = 'csvlog'
log_directory = 'log'
log_filename = 'portalbench'
log_rotation_size = 0
log_rotation_age = 0
maintenance_work_mem = '512MB'
max_parallel_maintenance_workers = 2
work_mem = '16MB'
effective_cache_size = '1GB'
checkpoint_timeout = '30min'
wal_level = minimal
max_wal_senders = 0
`

// The database names: the template is migrated and holds the biller;
// the others are copies of it.
const (
	dbTemplate = "portalbench_template"
	dbBench    = "portalbench"
	dbImport   = "portalbench_import"
	dbCopy     = "portalbench_copy"
)

// The biller the payers belong to, and the accounts' one password.
var (
	billerID = uuid.MustParse("00000000-0000-4000-8000-0000000b111e")
	password = "portalbench-mot-de-passe"
)

// billerHost is the host name the biller claims: the portal is reached
// at 127.0.0.1, so every request looks the biller up by its host.
const billerHost = "127.0.0.1"

// idOf is the id of row i (from 1) of a table, kind naming the table:
// deterministic, so that SQL and Go agree on it.
func idOf(kind, i int) string {
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", kind, i)
}

// The kinds of idOf, as SQL computes them too.
const (
	kindPayer   = 1
	kindAccount = 2
	kindInvoice = 3
)

func sqlID(kind int, col string) string {
	return fmt.Sprintf("('%08x-0000-4000-8000-' || lpad(to_hex(%s), 12, '0'))::uuid", kind, col)
}

// emailOf is payer i's address, its account's login.
func emailOf(i int) string { return fmt.Sprintf("redevable%d@exemple.fr", i) }

// openDB opens database name on srv.
func openDB(srv *pgtest.Server, name string) (*sql.DB, error) {
	db, err := sql.Open("postgres", srv.URL(name))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	return db, db.Ping()
}

// createDatabase creates name, a copy of template when it is not empty.
func createDatabase(ctx context.Context, admin *sql.DB, name, template string) error {
	q := "CREATE DATABASE " + quoteIdent(name)
	if template != "" {
		q += " TEMPLATE " + quoteIdent(template)
	}
	_, err := admin.ExecContext(ctx, q)
	return err
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// fill writes payers, their active accounts (all with one argon2id hash of
// password, computed once) and invoices spread over them, with
// INSERT … SELECT generate_series: the tables' indexes and constraints are
// dropped first and rebuilt after, as a bulk load does. One payer in
// three tabs' worth: invoice i of payer p is unpaid, paid or in treasury
// by turns, its due date in the future so that the treasury job moves
// nothing.
func fill(ctx context.Context, db *sql.DB, payers, invoices int, now time.Time) error {
	hash, err := ports.PasswordHasher{Params: ports.DefaultArgon2, Random: ports.SystemRandom}.Hash(password)
	if err != nil {
		return err
	}
	tables := []string{"payers", "accounts", "invoices"}
	rebuild, err := dropIndexes(ctx, db, tables)
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, fmt.Sprintf(`INSERT INTO payers (id, biller_id, external_ref, name, email, paperless, created_at, updated_at)
		SELECT %s, $1, 'P' || lpad(i::text, 9, '0'), 'Redevable ' || i, 'redevable' || i || '@exemple.fr', false, $2, $2
		FROM generate_series(1, $3::int) i`, sqlID(kindPayer, "i")), billerID, now, payers); err != nil {
		return fmt.Errorf("payers: %w", err)
	}
	if _, err := db.ExecContext(ctx, fmt.Sprintf(`INSERT INTO accounts (id, biller_id, payer_id, email, password_hash, state, activated_at, created_at, updated_at)
		SELECT %s, $1, %s, 'redevable' || i || '@exemple.fr', $2, 'active', $3, $3, $3
		FROM generate_series(1, $4::int) i`, sqlID(kindAccount, "i"), sqlID(kindPayer, "i")), billerID, hash, now, payers); err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	// The invoices in two halves at once: one per core.
	q := fmt.Sprintf(`INSERT INTO invoices (id, biller_id, payer_id, number, issue_date, due_date, amount, object, pdf,
			state, tab, paid_at, treasury_at, created_at, updated_at)
		SELECT %s, $1, %s, 'F' || lpad(i::text, 10, '0'), d, d + 400, 10 + i %% 500, 'Eau et assainissement', '',
			(ARRAY['unpaid', 'paid', 'treasury'])[k + 1], (ARRAY['non-reglees', 'reglees', 'tresorerie'])[k + 1],
			CASE WHEN k = 1 THEN $2::timestamptz END, CASE WHEN k = 2 THEN $2::timestamptz END, $2, $2
		FROM generate_series($3::int, $4::int) i,
			LATERAL (SELECT ((i - 1) / $5::int) %% 3 AS k, DATE '2026-01-01' + ((i - 1) / $5::int) %% 300 AS d) v`,
		sqlID(kindInvoice, "i"), sqlID(kindPayer, "1 + (i - 1) % $5::int"))
	var wg sync.WaitGroup
	errs := make([]error, 2)
	half := invoices / 2
	for part, r := range [][2]int{{1, half}, {half + 1, invoices}} {
		if r[0] > r[1] {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[part] = db.ExecContext(ctx, q, billerID, now, r[0], r[1], payers)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("invoices: %w", err)
		}
	}
	if err := rebuild(); err != nil {
		return err
	}
	// VACUUM sets the visibility map, which index-only scans (the count)
	// read, and ANALYZE the statistics, as on a database in service.
	_, err = db.ExecContext(ctx, "VACUUM (ANALYZE) payers, accounts, invoices")
	return err
}

// dropIndexes drops the indexes and the unique, primary and foreign keys
// of tables (and the foreign keys pointing at them), read from the
// catalog so that whatever the migrations define is rebuilt as it was;
// the returned function rebuilds them: indexes and keys first, with both
// cores, then the foreign keys (checked once over the whole table).
func dropIndexes(ctx context.Context, db *sql.DB, tables []string) (rebuild func() error, err error) {
	rows, err := db.QueryContext(ctx, `
		SELECT 'c', contype::text, conrelid::regclass::text, conname, pg_get_constraintdef(oid)
		FROM pg_constraint
		WHERE contype IN ('p', 'u', 'f', 'x')
			AND (conrelid = ANY($1::regclass[]) OR confrelid = ANY($1::regclass[]))
		UNION ALL
		SELECT 'i', '', i.indrelid::regclass::text, c.relname, pg_get_indexdef(i.indexrelid)
		FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		WHERE i.indrelid = ANY($1::regclass[])
			AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x'))`,
		"{"+strings.Join(tables, ",")+"}")
	if err != nil {
		return nil, err
	}
	type object struct{ what, kind, table, name, def string }
	var objs []object
	for rows.Next() {
		var o object
		if err := rows.Scan(&o.what, &o.kind, &o.table, &o.name, &o.def); err != nil {
			rows.Close()
			return nil, err
		}
		objs = append(objs, o)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	var foreign, keys, indexes []object
	for _, o := range objs {
		switch {
		case o.what == "i":
			indexes = append(indexes, o)
		case o.kind == "f":
			foreign = append(foreign, o)
		default:
			keys = append(keys, o)
		}
	}
	// Foreign keys go first: the keys they reference cannot go before.
	for _, group := range [][]object{foreign, keys} {
		for _, o := range group {
			if _, err := db.ExecContext(ctx, fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", o.table, quoteIdent(o.name))); err != nil {
				return nil, err
			}
		}
	}
	for _, o := range indexes {
		if _, err := db.ExecContext(ctx, "DROP INDEX "+quoteIdent(o.name)); err != nil {
			return nil, err
		}
	}
	return func() error {
		var stmts []string
		for _, o := range keys {
			stmts = append(stmts, fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", o.table, quoteIdent(o.name), o.def))
		}
		for _, o := range indexes {
			stmts = append(stmts, o.def)
		}
		// Two builds at once, one per core (each may use parallel workers too).
		if err := runParallel(ctx, db, stmts, 2); err != nil {
			return err
		}
		for _, o := range foreign {
			if _, err := db.ExecContext(ctx, fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", o.table, quoteIdent(o.name), o.def)); err != nil {
				return fmt.Errorf("%s: %w", o.name, err)
			}
		}
		return nil
	}, nil
}

// runParallel runs stmts on n connections at once.
func runParallel(ctx context.Context, db *sql.DB, stmts []string, n int) error {
	next := make(chan string)
	errs := make(chan error, n)
	for range n {
		go func() {
			var first error
			for s := range next {
				if _, err := db.ExecContext(ctx, s); err != nil && first == nil {
					first = fmt.Errorf("%s: %w", s, err)
				}
			}
			errs <- first
		}()
	}
	for _, s := range stmts {
		next <- s
	}
	close(next)
	var first error
	for range n {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// counters are the database's totals a run's figures are differences of.
type counters struct {
	Commits    int64 // pg_stat_database.xact_commit
	Statements int64 // pg_stat_statements calls, BEGIN and COMMIT excluded
}

// statement is one of pg_stat_statements' entries.
type statement struct {
	Query string
	Calls int64
}

// pageStats reads the statements run since pg_stat_statements_reset,
// most called first, leaving out this program's own (on the
// statistics views).
func statements(ctx context.Context, db *sql.DB) ([]statement, error) {
	rows, err := db.QueryContext(ctx, `SELECT query, calls FROM pg_stat_statements
		WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
			AND query NOT LIKE '%pg_stat%' AND query NOT LIKE '%portalbench%'
		ORDER BY calls DESC, query`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []statement
	for rows.Next() {
		var s statement
		if err := rows.Scan(&s.Query, &s.Calls); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// isForeignKeyCheck tells the queries PostgreSQL runs itself to check a
// foreign key (deferred to the commit, so counted as top-level
// statements) apart from those the portal sends.
func isForeignKeyCheck(q string) bool {
	return strings.HasPrefix(q, "SELECT $2 FROM ONLY ") && strings.HasSuffix(q, "FOR KEY SHARE OF x")
}

// isTransactionControl tells BEGIN, COMMIT and ROLLBACK apart from the
// statements that read or write.
func isTransactionControl(q string) bool {
	w := strings.ToUpper(strings.Fields(q + " x")[0])
	return w == "BEGIN" || w == "COMMIT" || w == "ROLLBACK" || w == "START" || w == "END" || w == "SAVEPOINT" || w == "RELEASE"
}

// resetStatistics returns the commits so far, once the counters have
// settled, and empties pg_stat_statements.
func resetStatistics(ctx context.Context, db *sql.DB, wait time.Duration) (int64, error) {
	n, err := settledCommits(ctx, db, wait)
	if err != nil {
		return 0, err
	}
	_, err = db.ExecContext(ctx, "SELECT pg_stat_statements_reset()")
	return n, err
}

// settledCommits returns pg_stat_database.xact_commit of the database
// once every backend reported its transactions: an active backend
// reports at most once a second, an idle one up to 10 s after its last
// transaction (PostgreSQL 15), so this waits wait (11 s by default).
func settledCommits(ctx context.Context, db *sql.DB, wait time.Duration) (int64, error) {
	select {
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-time.After(wait):
	}
	var n int64
	err := db.QueryRowContext(ctx, `SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`).Scan(&n)
	return n, err
}
