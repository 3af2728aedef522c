package postgres

import (
	"context"
	"strings"
)

// The statements ListInvoices runs, for the query-plan test.
var (
	ListInvoicesSQL  = listInvoicesSQL
	CountInvoicesSQL = countInvoicesSQL
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
