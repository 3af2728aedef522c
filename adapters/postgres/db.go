package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

var (
	_ ports.Store           = (*DB)(nil)
	_ ports.SessionStore    = (*DB)(nil)
	_ ports.CitizenSessions = (*DB)(nil)
	_ ports.Tx              = (*txn)(nil)
	_ ports.ImportTx        = (*txn)(nil)
)

// queries serves every role of ports.Tx, for DB (outside a transaction)
// and txn (inside one) alike.
var (
	_ ports.BillerStore       = (*queries)(nil)
	_ ports.PayerStore        = (*queries)(nil)
	_ ports.AccountStore      = (*queries)(nil)
	_ ports.TokenStore        = (*queries)(nil)
	_ ports.InvoiceStore      = (*queries)(nil)
	_ ports.PaymentStore      = (*queries)(nil)
	_ ports.MessageStore      = (*queries)(nil)
	_ ports.RefundStore       = (*queries)(nil)
	_ ports.StaffStore        = (*queries)(nil)
	_ ports.APIKeyStore       = (*queries)(nil)
	_ ports.DocumentStore     = (*queries)(nil)
	_ ports.VerificationStore = (*queries)(nil)
	_ ports.AuditStore        = (*queries)(nil)
	_ ports.BackOfficeQueries = (*queries)(nil)
	_ ports.JobRuns           = (*queries)(nil)
	_ ports.Outbox            = (*queries)(nil)
)

// Options tune the connection pool and the transactions. Zero values
// take the defaults.
type Options struct {
	// MaxOpenConns bounds the connections of this process (default 10).
	// Mind PostgreSQL's max_connections: every portal instance opens up
	// to this many.
	MaxOpenConns int
	// MaxIdleConns is how many connections stay open when idle (default
	// 5, at most MaxOpenConns).
	MaxIdleConns int
	// ConnMaxLifetime closes connections older than this (default 30
	// minutes), so that a fail-over or a changed setting reaches them all.
	ConnMaxLifetime time.Duration
	// TxRetries is how many times Atomic runs a transaction again after
	// a serialization failure or a deadlock (default 5).
	TxRetries int
	// NoPreparedStatements sends every statement unprepared, as one
	// round trip (Parse, Bind and Execute at once: lib/pq's
	// binary_parameters), for a connection pooler in transaction mode
	// such as PgBouncer, where a statement prepared on one server
	// connection is unknown on the next. By default the store prepares
	// each statement text once and database/sql prepares it again on each
	// connection the first time it runs there: PostgreSQL then parses and
	// plans it once per connection instead of once per call.
	NoPreparedStatements bool
	// DirectURL is a URL of the same database that reaches PostgreSQL
	// itself, not through a transaction-mode pooler, for what needs a
	// session of its own: Migrate's advisory lock, and the LISTEN of the
	// billers' changes (billers_watch.go). Empty: the url given to Open.
	DirectURL string
}

func (o *Options) setDefaults() {
	if o.MaxOpenConns <= 0 {
		o.MaxOpenConns = 10
	}
	if o.MaxIdleConns <= 0 {
		o.MaxIdleConns = 5
	}
	o.MaxIdleConns = min(o.MaxIdleConns, o.MaxOpenConns)
	if o.ConnMaxLifetime <= 0 {
		o.ConnMaxLifetime = 30 * time.Minute
	}
	if o.TxRetries <= 0 {
		o.TxRetries = 5
	}
}

// DB is the PostgreSQL ports.Store and ports.SessionStore. Its methods
// outside Atomic run on the pool, each statement on its own. It is safe
// for concurrent use. Open it with Open; Close it at exit.
type DB struct {
	queries
	pool *sqlx.DB
	opts Options
	// stmts holds the prepared statements; nil with
	// Options.NoPreparedStatements.
	stmts *statements
	// url is Open's, for the listening connection of billers_watch.go
	// when Options.DirectURL is empty. Never logged: it may hold a
	// password.
	url   string
	watch billerWatch
}

// Open connects to the database at url (postgres://user:password@host/db
// ?sslmode=…) and checks that it answers. It does not migrate: call
// Migrate. A server that cannot be reached is an Unavailable error; the
// error never repeats the URL, which may hold a password.
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	opts.setDefaults()
	pool, err := openPool(url, opts.NoPreparedStatements)
	if err != nil {
		return nil, err
	}
	pool.SetMaxOpenConns(opts.MaxOpenConns)
	pool.SetMaxIdleConns(opts.MaxIdleConns)
	pool.SetConnMaxLifetime(opts.ConnMaxLifetime)
	if err := pool.PingContext(ctx); err != nil {
		_ = pool.Close()
		if !unavailable(err) {
			return nil, mapErr(err, "connect")
		}
		return nil, domain.WrapUnavailable(fmt.Errorf("postgres: connect: %w", err))
	}
	db := &DB{pool: pool, opts: opts, url: url}
	if !opts.NoPreparedStatements {
		db.stmts = newStatements(pool)
	}
	db.queries = queries{q: pool, stmts: db.stmts}
	return db, nil
}

// Pool is the connection pool, for its statistics (the operators'
// metrics read sql.DBStats); the store's own methods are the way to the
// data.
func (db *DB) Pool() *sql.DB { return db.pool.DB }

// openPool returns a pool on url, not connected yet. unprepared turns on
// lib/pq's binary_parameters, which sends a statement with arguments as
// one round trip (Parse, Bind, Execute, Sync) instead of two (Parse and
// Describe, then Bind and Execute): behind a pooler in transaction mode
// the second could reach another server connection, where the unnamed
// statement of the first does not exist.
func openPool(url string, unprepared bool) (*sqlx.DB, error) {
	cfg, err := pq.NewConfig(url)
	if err != nil {
		// The driver's parse errors may quote the URL.
		return nil, domain.WrapInternal(errors.New("postgres: the database URL cannot be parsed"))
	}
	cfg.BinaryParameters = cfg.BinaryParameters || unprepared
	conn, err := pq.NewConnectorConfig(cfg)
	if err != nil {
		return nil, domain.WrapInternal(errors.New("postgres: the database URL cannot be parsed"))
	}
	return sqlx.NewDb(sql.OpenDB(conn), "postgres"), nil
}

// Close stops the billers' listening connection, closes the prepared
// statements, then the pool.
func (db *DB) Close() error {
	db.watch.close()
	if db.stmts != nil {
		db.stmts.close()
	}
	return db.pool.Close()
}

// Ping checks that the database answers, for health checks.
func (db *DB) Ping(ctx context.Context) error {
	return mapErr(db.pool.PingContext(ctx), "ping")
}

// Atomic runs fn in a transaction, committed if fn returns nil and rolled
// back otherwise (a panic included, which goes on). fn's error is returned
// unchanged. A transaction that fails with a serialization failure or a
// deadlock runs again, up to Options.TxRetries times, after a short random
// pause: fn must have no effect outside tx, as ports.Store says. tx must
// not be used after fn returns.
func (db *DB) Atomic(ctx context.Context, fn func(tx ports.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := db.atomicOnce(ctx, nil, fn)
		if err == nil || !retryable(err) || attempt >= db.opts.TxRetries {
			return err
		}
		// Back off a few milliseconds, more each time, at random so that
		// the transactions that collided do not collide again.
		pause := time.Duration(1+rand.IntN(5<<attempt)) * time.Millisecond
		select {
		case <-ctx.Done():
			return domain.WrapUnavailable(ctx.Err())
		case <-time.After(pause):
		}
	}
}

// ReadSnapshot runs fn in a read-only transaction that sees one snapshot
// of the database (REPEATABLE READ, READ ONLY; ports.Snapshots): its
// reads agree with each other whatever commits meanwhile, and a write
// fails. Nothing to retry: a read-only snapshot never fails to serialise.
func (db *DB) ReadSnapshot(ctx context.Context, fn func(tx ports.Tx) error) error {
	return db.atomicOnce(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}, fn)
}

func (db *DB) atomicOnce(ctx context.Context, opts *sql.TxOptions, fn func(tx ports.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return domain.WrapUnavailable(err)
	}
	sqlTx, err := db.pool.BeginTxx(ctx, opts)
	if err != nil {
		return mapErr(err, "begin")
	}
	done := false
	defer func() {
		if !done {
			_ = sqlTx.Rollback() // also on panic; the panic goes on
		}
	}()
	var saved []uuid.UUID
	if err := fn(&txn{queries: queries{q: sqlTx, inTx: sqlTx, stmts: db.stmts, billersSaved: &saved}, tx: sqlTx}); err != nil {
		return err
	}
	done = true
	if err := mapErr(sqlTx.Commit(), "commit"); err != nil {
		return err
	}
	// This instance's own watches hear its changes at once; the others,
	// and these again, by NOTIFY (billers_watch.go).
	for _, id := range saved {
		db.watch.watches.Tell(id)
	}
	return nil
}

// txn is the ports.Tx of Atomic, and the ports.ImportTx of a bulk import.
type txn struct {
	queries
	tx *sqlx.Tx
	// seen holds the version (xmin) of each row the last ImportLookup
	// read, by id, and seenBefore those of the lookup before it: a
	// streamed import applies a part after the lookup of the next
	// (ports.ImportTx).
	seen, seenBefore map[uuid.UUID]string
}

// queries runs the store's statements on the pool or in a transaction,
// prepared when stmts is set.
type queries struct {
	q     sqlx.ExtContext
	inTx  *sqlx.Tx    // the transaction q is, nil on the pool
	stmts *statements // nil: every statement unprepared
	// billersSaved collects the billers a transaction saved, told to the
	// watches once it commits; nil on the pool.
	billersSaved *[]uuid.UUID
}

// prepared returns the prepared statement of query for s, or nil to run
// it unprepared.
func (s *queries) prepared(ctx context.Context, query string) *sqlx.Stmt {
	if s.stmts == nil {
		return nil
	}
	st := s.stmts.get(ctx, query, s.inTx == nil)
	if st == nil || s.inTx == nil {
		return st
	}
	// Prepared on the transaction's connection if it was not yet, and
	// kept there for the next transactions (database/sql does it).
	return s.inTx.StmtxContext(ctx, st)
}

func (s *queries) get(ctx context.Context, dest any, what, query string, args ...any) error {
	if st := s.prepared(ctx, query); st != nil {
		return mapErr(st.GetContext(ctx, dest, args...), what)
	}
	return mapErr(sqlx.GetContext(ctx, s.q, dest, query, args...), what)
}

func (s *queries) list(ctx context.Context, dest any, what, query string, args ...any) error {
	if st := s.prepared(ctx, query); st != nil {
		return mapErr(st.SelectContext(ctx, dest, args...), what)
	}
	return mapErr(sqlx.SelectContext(ctx, s.q, dest, query, args...), what)
}

func (s *queries) exec(ctx context.Context, what, query string, args ...any) (int64, error) {
	var res sql.Result
	var err error
	if st := s.prepared(ctx, query); st != nil {
		res, err = st.ExecContext(ctx, args...)
	} else {
		res, err = s.q.ExecContext(ctx, query, args...)
	}
	if err != nil {
		return 0, mapErr(err, what)
	}
	n, err := res.RowsAffected()
	return n, mapErr(err, what)
}

// limitOf is a list's LIMIT: NULL (no limit) for zero or less.
func limitOf(limit int) sql.NullInt64 {
	return sql.NullInt64{Int64: int64(limit), Valid: limit > 0}
}

// column is one column a save writes. expr is how its value is written,
// "?" standing for the parameter; empty means the parameter itself.
type column struct {
	name string
	expr string
}

// columns lists the columns of a table in the order a save passes their
// values.
type columns []column

func cols(names ...string) columns {
	out := make(columns, len(names))
	for i, n := range names {
		name, expr, _ := strings.Cut(n, ":")
		out[i] = column{name: name, expr: expr}
	}
	return out
}

// names returns the column names, comma-separated.
func (cs columns) names() string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = c.name
	}
	return strings.Join(s, ", ")
}

// prefixed returns the columns of the table aliased as alias, each named
// alias.column, for a struct field tagged db:"alias" (sqlx's nested
// structs).
func (cs columns) prefixed(alias string) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = alias + "." + c.name + ` AS "` + alias + "." + c.name + `"`
	}
	return strings.Join(s, ", ")
}

// upsert returns the INSERT of one row that replaces the row with the
// same id, parameters $1… in column order.
func (cs columns) upsert(table string) string {
	values := make([]string, len(cs))
	var set []string
	for i, c := range cs {
		p := "$" + strconv.Itoa(i+1)
		values[i] = p
		if c.expr != "" {
			values[i] = strings.ReplaceAll(c.expr, "?", p)
		}
		if c.name != "id" {
			set = append(set, c.name+" = EXCLUDED."+c.name)
		}
	}
	return "INSERT INTO " + table + " (" + cs.names() + ") VALUES (" + strings.Join(values, ", ") +
		") ON CONFLICT (id) DO UPDATE SET " + strings.Join(set, ", ")
}

// updateFrom returns the UPDATE that replaces the rows of table by those
// of src with the same id, every column but id.
func (cs columns) updateFrom(table, src string) string {
	var set []string
	for _, c := range cs {
		if c.name != "id" {
			set = append(set, c.name+" = s."+c.name)
		}
	}
	return "UPDATE " + table + " AS t SET " + strings.Join(set, ", ") + " FROM " + src + " AS s WHERE t.id = s.id"
}
