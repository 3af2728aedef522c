package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/portail-factures/portail/ports"
)

// The statements ListInvoices runs, for the query-plan test.
var (
	ListInvoicesSQL  = listInvoicesSQL
	CountInvoicesSQL = countInvoicesSQL
)

// The statements HeldPayments and EndedUnpaidPayments run, for the
// query-plan test.
var (
	HeldPaymentsSQL        = heldPaymentsSQL
	EndedUnpaidPaymentsSQL = endedUnpaidPaymentsSQL
)

// The statements of the outbox's cancellation and purge, for the
// query-plan test.
var (
	CancelMailsSQL      = cancelMailsSQL
	PurgeMailsSQL       = purgeMailsSQL
	PurgeOrphanMailsSQL = purgeOrphanMailsSQL
)

// The statements PaidInvoices runs, for the query-plan test.
var (
	PaidInvoicesOfPayerSQL  = paidInvoicesOfPayerSQL
	PaidInvoicesOfPayersSQL = paidInvoicesOfPayersSQL
)

// Explain returns PostgreSQL's plan of query with args, one line per node.
func (db *DB) Explain(ctx context.Context, query string, args ...any) (string, error) {
	var lines []string
	if err := db.pool.SelectContext(ctx, &lines, "EXPLAIN "+query, args...); err != nil {
		return "", err
	}
	return strings.Join(lines, "\n"), nil
}

// Exec runs a statement on the pool, for tests that set up data in bulk
// or look at the schema.
func (db *DB) Exec(ctx context.Context, query string, args ...any) error {
	_, err := db.pool.ExecContext(ctx, query, args...)
	return err
}

// QueryStrings runs a query returning one text column.
func (db *DB) QueryStrings(ctx context.Context, query string, args ...any) ([]string, error) {
	var out []string
	err := db.pool.SelectContext(ctx, &out, query, args...)
	return out, err
}

// MigrationLock is the key of Migrate's advisory lock.
const MigrationLock = migrationLock

// SearchSQL returns the statements of one page and of the count of a
// back-office search (a ports.PaymentQuery, AuditQuery, InvoiceSearch,
// PayerSearch or MessageSearch), with their arguments, for the query-plan tests.
func SearchSQL(q any) (page string, pageArgs []any, count string, countArgs []any) {
	var f *filter
	var sel, order, table string
	var offset, limit, upTo int
	switch q := q.(type) {
	case ports.PaymentQuery:
		f, sel, order, table, offset, limit = paymentFilter(q), paymentSelect, paymentOrder, "payments", q.Offset, q.Limit
		upTo = q.CountUpTo
	case ports.AuditQuery:
		f, sel, order, table, offset, limit = auditFilter(q), auditSelect, auditOrder, "audit_events", q.Offset, q.Limit
		upTo = q.CountUpTo
	case ports.InvoiceSearch:
		f, sel, order, table, offset, limit = invoiceFilter(q), invoiceSelect, invoiceSearchOrder, "invoices", q.Offset, q.Limit
		upTo = q.CountUpTo
	case ports.PayerSearch:
		f, sel, order, table, offset, limit = payerFilter(q), payerSelect, payerSearchOrder, "payers", q.Offset, q.Limit
	case ports.MessageSearch:
		f, sel, order, table, offset, limit = messageFilter(q), messageSelect, messageOrder, "messages", q.Offset, q.Limit
	default:
		panic("postgres.SearchSQL: unknown query")
	}
	page, pageArgs = f.page(sel, order, offset, limit)
	count, countArgs = f.countUpTo(table, order, upTo)
	return page, pageArgs, count, countArgs
}

// ExplainAnalyze runs query with args and returns its plan with the time
// of each node, for the measurements the benchmarks log.
func (db *DB) ExplainAnalyze(ctx context.Context, query string, args ...any) (string, error) {
	var lines []string
	if err := db.pool.SelectContext(ctx, &lines, "EXPLAIN (ANALYZE, BUFFERS) "+query, args...); err != nil {
		return "", err
	}
	return strings.Join(lines, "\n"), nil
}

// OpenLibPQDefault opens a store as it was before prepared statements:
// lib/pq's unnamed statement in two round trips (Parse and Describe, then
// Bind and Execute) for every statement with arguments, the baseline of
// BenchmarkPageReads.
func OpenLibPQDefault(ctx context.Context, url string, opts Options) (*DB, error) {
	opts.setDefaults()
	opts.NoPreparedStatements = true
	pool, err := sqlx.Open("postgres", url)
	if err != nil {
		return nil, err
	}
	pool.SetMaxOpenConns(opts.MaxOpenConns)
	pool.SetMaxIdleConns(opts.MaxIdleConns)
	if err := pool.PingContext(ctx); err != nil {
		_ = pool.Close()
		return nil, err
	}
	return &DB{queries: queries{q: pool}, pool: pool, opts: opts}, nil
}

// The statements of the dashboard's charts (BoardFigures), for their
// benchmark.
var (
	BoardMonthsSQL      = boardMonthsSQL
	BoardOutstandingSQL = boardOutstandingSQL
	// The SELECTs the board job inserts, without their INSERT.
	RefreshBoardMonthsSelect      = refreshBoardMonthsSQL[strings.Index(refreshBoardMonthsSQL, "WITH"):]
	RefreshBoardOutstandingSelect = refreshBoardOutstandingSQL[strings.Index(refreshBoardOutstandingSQL, "SELECT"):]
)

// TimeQuery runs query with args on the pool, reads every row, and
// returns how long it took, for the benchmarks' round trips.
func (db *DB) TimeQuery(ctx context.Context, query string, args ...any) (time.Duration, error) {
	start := time.Now()
	rows, err := db.pool.QueryContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	return time.Since(start), rows.Err()
}
