package postgres_test

import (
	"flag"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/postgres"
	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

var (
	benchInvoices = flag.Int("pg.invoices", 1_000_000, "invoices in the table of BenchmarkListInvoices")
	benchImport   = flag.Int("pg.import", 1_000_000, "invoices imported by BenchmarkImport")
)

// fillInvoices saves a biller with payers payers and n invoices spread
// over them and over the three tabs, through the bulk path, in
// transactions of 100 000 invoices. It returns the biller and the payers.
func fillInvoices(tb testing.TB, db *postgres.DB, payers, n int) (domain.Biller, []domain.Payer) {
	tb.Helper()
	ctx := tb.Context()
	b := portstest.NewBiller(tb)
	portstest.MustSaveBiller(tb, db, b)
	ps := make([]domain.Payer, payers)
	for i := range ps {
		ps[i] = domain.Payer{ID: uuid.New(), BillerID: b.ID, ExternalRef: fmt.Sprintf("P%07d", i),
			Name: "Redevable", CreatedAt: portstest.Epoch, UpdatedAt: portstest.Epoch}
	}
	apply := func(plan domain.ImportPlan) {
		require.NoError(tb, db.Atomic(ctx, func(tx ports.Tx) error {
			return tx.(ports.ImportTx).ApplyImport(ctx, plan)
		}))
	}
	apply(domain.ImportPlan{NewPayers: ps})
	first := domain.NewDate(2023, time.January, 1)
	const chunk = 100_000
	for start := 0; start < n; start += chunk {
		invs := make([]domain.Invoice, 0, min(chunk, n-start))
		for i := start; i < n && i < start+chunk; i++ {
			issue := first.AddDays(i / payers % 1000)
			inv := domain.Invoice{ID: uuid.New(), BillerID: b.ID, PayerID: ps[i%payers].ID,
				Number: fmt.Sprintf("F%09d", i), IssueDate: issue, DueDate: issue.AddDays(30),
				Amount: decimal.New(int64(100+i%10000), -2), Object: "Eau", State: domain.InvoiceUnpaid,
				CreatedAt: portstest.Epoch, UpdatedAt: portstest.Epoch}
			switch i / payers % 3 { // each payer has invoices in every tab
			case 1:
				inv.State, inv.PaidAt = domain.InvoicePaid, portstest.Epoch
			case 2:
				inv.State, inv.TreasuryAt = domain.InvoiceTreasury, portstest.Epoch
			}
			invs = append(invs, inv)
		}
		apply(domain.ImportPlan{NewInvoices: invs})
	}
	require.NoError(tb, db.Exec(ctx, "ANALYZE"))
	return b, ps
}

// TestListInvoicesIsAnIndexScan shows that the list of one payer's tab,
// and its count, read an index on a large table, not the whole table.
func TestListInvoicesIsAnIndexScan(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := t.Context()
	start := time.Now()
	_, ps := fillInvoices(t, db, 3_000, 300_000)
	t.Logf("300 000 invoices of 3 000 payers copied in %s", time.Since(start).Round(time.Millisecond))

	payer := ps[1234].ID
	for name, q := range map[string]struct {
		sql  string
		args []any
	}{
		"page":  {postgres.ListInvoicesSQL, []any{payer, string(domain.TabUnpaid), 20, 0}},
		"count": {postgres.CountInvoicesSQL, []any{payer, string(domain.TabUnpaid)}},
	} {
		plan, err := db.Explain(ctx, q.sql, q.args...)
		require.NoError(t, err)
		t.Logf("EXPLAIN of the %s:\n%s", name, plan)
		assert.Contains(t, plan, "invoices_payer_tab_idx", name)
		assert.Contains(t, plan, "Index", name)
		assert.NotContains(t, plan, "Seq Scan", name)
		assert.NotContains(t, plan, "Sort", "%s: the index gives the order", name)
	}
	list, total, err := db.ListInvoices(ctx, ports.InvoiceQuery{PayerID: payer, Tab: domain.TabPaid, Limit: 20})
	require.NoError(t, err)
	assert.Equal(t, 33, total, "100 invoices, one in three paid")
	assert.Len(t, list, 20)
}

// BenchmarkListInvoices reads the first page of one payer's unpaid
// invoices with its count, as the invoice list does, among -pg.invoices
// invoices (1 000 000 by default) of 100 invoices per payer.
func BenchmarkListInvoices(b *testing.B) {
	db := pgtest.NewDB(b)
	ctx := b.Context()
	n := *benchInvoices
	start := time.Now()
	_, ps := fillInvoices(b, db, max(1, n/100), n)
	b.Logf("%d invoices copied in %s", n, time.Since(start).Round(time.Millisecond))
	plan, err := db.Explain(ctx, postgres.ListInvoicesSQL, ps[0].ID, string(domain.TabUnpaid), 20, 0)
	require.NoError(b, err)
	b.Logf("EXPLAIN:\n%s", plan)
	b.ResetTimer()
	i := 0
	for b.Loop() {
		q := ports.InvoiceQuery{PayerID: ps[i%len(ps)].ID, Tab: domain.TabUnpaid, Limit: 20}
		i += 7919
		list, _, err := db.ListInvoices(ctx, q)
		if err != nil || len(list) == 0 {
			b.Fatalf("ListInvoices: %d invoices, %v", len(list), err)
		}
	}
}

// BenchmarkImport imports -pg.import invoices (1 000 000 by default) of
// 100 invoices per payer, with their payers, into an empty biller through
// Portal.Import and the bulk path: planning, lookups, COPY and commit.
func BenchmarkImport(b *testing.B) {
	n := *benchImport
	payers := max(1, n/100)
	batch := domain.ImportBatch{Payers: make([]domain.ImportPayer, payers), Invoices: make([]domain.ImportInvoice, n)}
	for i := range batch.Payers {
		batch.Payers[i] = domain.ImportPayer{Line: i + 2, ExternalRef: fmt.Sprintf("P%07d", i),
			Name: "Redevable " + fmt.Sprint(i), Email: fmt.Sprintf("redevable%d@exemple.fr", i)}
	}
	for i := range batch.Invoices {
		batch.Invoices[i] = domain.ImportInvoice{Line: payers + i + 2, PayerRef: fmt.Sprintf("P%07d", i%payers),
			Number: fmt.Sprintf("2026-%09d", i), IssueDate: "2026-01-05", DueDate: "05/02/2026",
			Amount: fmt.Sprintf("%d,%02d", 1+i%500, i%100), Object: "Eau et assainissement", PDF: ""}
	}
	for b.Loop() {
		b.StopTimer()
		db := pgtest.NewDB(b)
		bill := portstest.NewBiller(b)
		portstest.MustSaveBiller(b, db, bill)
		p, err := ports.NewPortal(ports.Deps{Store: db, Sessions: db, Mailer: &portstest.Mailbox{}, Gateway: &portstest.FakeGateway{}},
			ports.Config{PublicURL: "https://factures.testville.fr", Argon2: fastArgon2, MailInline: true})
		require.NoError(b, err)
		runtime.GC()
		b.StartTimer()

		start := time.Now()
		res, lineErrs, err := p.Operator().Import(b.Context(), bill.ID, batch, false)
		elapsed := time.Since(start)

		b.StopTimer()
		require.NoError(b, err)
		require.Empty(b, lineErrs)
		require.Equal(b, n, res.InvoicesCreated)
		b.ReportMetric(float64(n)/elapsed.Seconds(), "invoices/s")
		b.Logf("%d invoices and %d payers imported in %s (GOMAXPROCS %d)", n, payers, elapsed.Round(time.Millisecond), runtime.GOMAXPROCS(0))
		b.StartTimer()
	}
}
