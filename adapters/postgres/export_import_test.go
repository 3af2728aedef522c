package postgres

import (
	"context"

	"github.com/portail-factures/portail/ports"
)

// TxQueryRow runs query in the store transaction tx and scans its one
// row into dest, for tests that look at what an import did inside its
// transaction (pg_stat_xact_user_tables counts only that transaction's
// scans).
func TxQueryRow(ctx context.Context, tx ports.Tx, query string, dest ...any) error {
	return tx.(*txn).tx.QueryRowxContext(ctx, query).Scan(dest...)
}

// AnalyzeFrom is the size from which an import looks after statistics.
const AnalyzeFrom = analyzeFrom
