package postgres_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/postgres"
	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

// TestRefundListsAreIndexScans shows that the « À rembourser » list, its
// count and a citizen's invoice page read an index in the list's order,
// not the table: 40 000 refunds of 10 billers, one in 20 still to do.
func TestRefundListsAreIndexScans(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := t.Context()
	ids := make([]string, 10)
	var first uuid.UUID
	for i := range ids {
		b := portstest.NewBiller(t)
		portstest.MustSaveBiller(t, db, b)
		ids[i] = "'" + b.ID.String() + "'"
		if i == 0 {
			first = b.ID
		}
	}
	// References are not checked meanwhile: the payments do not exist.
	require.NoError(t, db.Exec(ctx, fmt.Sprintf(`SET session_replication_role = replica;
INSERT INTO refunds (id, biller_id, payer_id, invoice_id, invoice_number, amount, payment_id, refdet, operation_id,
	authorization_code, transaction_at, earlier_payment_id, earlier_refdet, earlier_paid_at, created_at, refunded_at, refunded_by)
SELECT gen_random_uuid(), (ARRAY[%s]::uuid[])[1 + i %% 10], gen_random_uuid(), gen_random_uuid(), 'F' || i, 10,
	gen_random_uuid(), 'R' || i, 'op' || i, '', timestamptz '2025-01-01' + i * interval '1 minute', NULL, '', NULL,
	timestamptz '2025-01-01' + i * interval '1 minute',
	CASE WHEN i %% 20 = 0 THEN NULL ELSE timestamptz '2026-01-01' END, CASE WHEN i %% 20 = 0 THEN '' ELSE 'Agent' END
FROM generate_series(1, 40000) AS i;
RESET session_replication_role`, strings.Join(ids, ", "))))
	require.NoError(t, db.Exec(ctx, "VACUUM ANALYZE refunds"))

	for _, c := range []struct {
		name  string
		q     ports.RefundQuery
		index string
	}{
		{"refunds", ports.RefundQuery{BillerID: first, Limit: 50, CountUpTo: 10_000}, "refunds_biller_idx"},
		{"refunds to do", ports.RefundQuery{BillerID: first, State: domain.RefundPending, Limit: 50, CountUpTo: 10_000}, "refunds_biller_pending_idx"},
		{"refunds done", ports.RefundQuery{BillerID: first, State: domain.RefundRefunded, Limit: 50, CountUpTo: 10_000}, "refunds_biller_idx"},
	} {
		page, pageArgs, count, countArgs := postgres.RefundSearchSQL(c.q)
		plan, err := db.Explain(ctx, page, pageArgs...)
		require.NoError(t, err)
		t.Logf("EXPLAIN of the %s:\n%s", c.name, plan)
		assert.Contains(t, plan, c.index, c.name)
		assert.NotContains(t, plan, "Seq Scan", c.name)
		top := strings.SplitN(plan, "\n", 3)
		assert.NotContains(t, strings.Join(top[:2], "\n"), "Sort", "%s: the index gives the order", c.name)
		plan, err = db.Explain(ctx, count, countArgs...)
		require.NoError(t, err)
		t.Logf("EXPLAIN of the count of the %s:\n%s", c.name, plan)
		assert.NotContains(t, plan, "Seq Scan", "count of the %s", c.name)
	}
	invs, err := db.QueryStrings(ctx, "SELECT invoice_id::text FROM refunds LIMIT 1")
	require.NoError(t, err)
	plan, err := db.Explain(ctx, "SELECT * FROM refunds WHERE invoice_id = $1 ORDER BY created_at, id", invs[0])
	require.NoError(t, err)
	assert.Contains(t, plan, "refunds_invoice_idx")
}
