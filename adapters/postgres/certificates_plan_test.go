package postgres_test

import (
	"database/sql"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/postgres"
	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/ports/portstest"
)

// TestCertificateReadsAreIndexScans shows that the certificates' reads
// keep to invoices_paid_payer_idx: one payer's paid invoices of a year,
// and a batch of every payer's, whose payer ids come from the index in
// order and stop at the batch's size, among 20 000 payers of two billers
// with six invoices each.
func TestCertificateReadsAreIndexScans(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := t.Context()
	var billers []uuid.UUID
	for range 2 {
		b := portstest.NewBiller(t)
		portstest.MustSaveBiller(t, db, b)
		billers = append(billers, b.ID)
	}
	for _, b := range billers {
		require.NoError(t, db.Exec(ctx, `INSERT INTO payers (id, biller_id, external_ref, name, email, paperless, created_at, updated_at)
SELECT gen_random_uuid(), $1, 'P' || i, 'Redevable ' || i, '', false, now(), now() FROM generate_series(1, 10000) AS i`, b))
	}
	require.NoError(t, db.Exec(ctx, `INSERT INTO invoices (id, biller_id, payer_id, number, issue_date, due_date, amount, object, pdf,
	state, tab, paid_at, created_at, updated_at, awaiting_confirmation)
SELECT gen_random_uuid(), p.biller_id, p.id, p.external_ref || '-' || k, date '2024-01-01', date '2024-02-01', 10, 'Crèche', '',
	CASE WHEN k = 6 THEN 'unpaid' ELSE 'paid' END, CASE WHEN k = 6 THEN 'non-reglees' ELSE 'reglees' END,
	CASE WHEN k = 6 THEN NULL ELSE timestamptz '2024-01-10 10:00+01' + k * interval '100 days' END, now(), now(), false
FROM payers p, generate_series(1, 6) AS k`))
	require.NoError(t, db.Exec(ctx, "VACUUM ANALYZE"))
	payers, err := db.QueryStrings(ctx, "SELECT id::text FROM payers WHERE biller_id = $1 ORDER BY id LIMIT 1", billers[0])
	require.NoError(t, err)
	from, to := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

	plan, err := db.Explain(ctx, postgres.PaidInvoicesOfPayerSQL, billers[0], payers[0], from, to)
	require.NoError(t, err)
	t.Logf("EXPLAIN of one payer's paid invoices:\n%s", plan)
	assert.Contains(t, plan, "invoices_paid_payer_idx")
	assert.NotContains(t, plan, "Seq Scan")

	plan, err = db.Explain(ctx, postgres.PaidInvoicesOfPayersSQL, billers[0], uuid.Nil, from, to, sql.NullInt64{Int64: 200, Valid: true})
	require.NoError(t, err)
	t.Logf("EXPLAIN of a batch of 200 payers' paid invoices:\n%s", plan)
	assert.Contains(t, plan, "invoices_paid_payer_idx")
	assert.NotContains(t, plan, "Seq Scan")
	plan, err = db.ExplainAnalyze(ctx, postgres.PaidInvoicesOfPayersSQL, billers[0], uuid.Nil, from, to, sql.NullInt64{Int64: 200, Valid: true})
	require.NoError(t, err)
	t.Logf("EXPLAIN ANALYZE of a batch of 200 payers' paid invoices:\n%s", plan)
}
