package postgres_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/postgres"
	"github.com/portail-factures/portail/adapters/postgres/pgtest"
)

// TestPaymentsToPollAreIndexScans shows that the reconciler's queries
// over a large table of payments read their partial indexes, not the
// table: of 20 000 attempts, the few abandoned or expired ones still
// holding their invoices, and those ended unpaid in the last 48 hours.
func TestPaymentsToPollAreIndexScans(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := t.Context()
	fillBackOffice(t, db, 2, 20_000)
	// Every attempt in production, held two hours, ended twenty minutes
	// after its creation (2025-01-01 + i minutes).
	require.NoError(t, db.Exec(ctx, `UPDATE payments SET saisie = 'W',
	locked_until = created_at + interval '2 hours', finished_at = created_at + interval '20 minutes'`))
	require.NoError(t, db.Exec(ctx, "VACUUM ANALYZE payments"))
	at := time.Date(2025, 1, 8, 12, 0, 0, 0, time.UTC) // within the range of creations
	for _, c := range []struct {
		name, query, index string
		arg                time.Time
	}{
		{"held payments", postgres.HeldPaymentsSQL, "payments_held_idx", at},
		{"ended unpaid payments", postgres.EndedUnpaidPaymentsSQL, "payments_ended_unpaid_idx", at.Add(-48 * time.Hour)},
	} {
		plan, err := db.Explain(ctx, c.query, c.arg, 1000)
		require.NoError(t, err)
		t.Logf("EXPLAIN of the %s:\n%s", c.name, plan)
		assert.Contains(t, plan, c.index, c.name)
		assert.NotContains(t, plan, "Seq Scan", c.name)
	}
}
