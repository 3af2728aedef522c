package postgres_test

import (
	"cmp"
	"flag"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/postgres"
	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

var benchBackOffice = flag.Int("pg.backoffice", 1_000_000, "rows of one biller in the back-office benchmarks")

// benchCountUpTo is the bound of the counts the benchmarks measure with
// CountUpTo: 200 pages of 50.
const benchCountUpTo = 10_000

// BenchmarkSearchInvoices reads the first page of the back office's
// invoice search (50 invoices) with its count, among -pg.backoffice
// invoices (1 000 000 by default) of one biller: unfiltered, and by
// state; the count exact or up to 10 000.
func BenchmarkSearchInvoices(b *testing.B) {
	db := pgtest.NewDB(b)
	ctx := b.Context()
	n := *benchBackOffice
	start := time.Now()
	bill, _ := fillInvoices(b, db, max(1, n/100), n)
	b.Logf("%d invoices copied in %s", n, time.Since(start).Round(time.Millisecond))
	// As autovacuum leaves the table after an import: the visibility map
	// set, so that an index-only scan reads no table page.
	require.NoError(b, db.Exec(ctx, "VACUUM ANALYZE invoices"))
	for _, c := range []struct {
		name string
		q    ports.InvoiceSearch
	}{
		{"all", ports.InvoiceSearch{BillerID: bill.ID, Limit: ports.StaffInvoicePageSize}},
		{"unpaid", ports.InvoiceSearch{BillerID: bill.ID, States: []domain.InvoiceState{domain.InvoiceUnpaid}, Limit: ports.StaffInvoicePageSize}},
		{"all, page 100", ports.InvoiceSearch{BillerID: bill.ID, Offset: 99 * ports.StaffInvoicePageSize, Limit: ports.StaffInvoicePageSize}},
		{"all, counted up to 10 000", ports.InvoiceSearch{BillerID: bill.ID, Limit: ports.StaffInvoicePageSize, CountUpTo: benchCountUpTo}},
		{"paid, counted up to 10 000", ports.InvoiceSearch{BillerID: bill.ID, States: []domain.InvoiceState{domain.InvoicePaid}, Limit: ports.StaffInvoicePageSize, CountUpTo: benchCountUpTo}},
	} {
		logAnalyze(b, db, c.name, c.q)
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				list, total, err := db.SearchInvoices(ctx, c.q)
				if err != nil || len(list) != ports.StaffInvoicePageSize || total == 0 {
					b.Fatalf("SearchInvoices: %d invoices of %d, %v", len(list), total, err)
				}
			}
		})
	}
}

// BenchmarkBackOfficeLists reads the first page of the back office's
// payments (20) and of its audit log (50) with their counts, exact or
// up to 10 000, among
// -pg.backoffice payments and audit events (1 000 000 by default) of one
// biller.
func BenchmarkBackOfficeLists(b *testing.B) {
	db := pgtest.NewDB(b)
	ctx := b.Context()
	n := *benchBackOffice
	start := time.Now()
	bill := fillBackOffice(b, db, 1, n)[0]
	b.Logf("%d payments and %d audit events inserted in %s", n, n, time.Since(start).Round(time.Millisecond))
	for _, upTo := range []int{0, benchCountUpTo} {
		name := ""
		if upTo > 0 {
			name = ", counted up to 10 000"
		}
		payments := ports.PaymentQuery{BillerID: bill, Limit: 20, CountUpTo: upTo}
		logAnalyze(b, db, "payments"+name, payments)
		b.Run("payments"+name, func(b *testing.B) {
			for b.Loop() {
				list, total, err := db.Payments(ctx, payments)
				if err != nil || len(list) != 20 || total != cmp.Or(upTo, n) {
					b.Fatalf("Payments: %d payments of %d, %v", len(list), total, err)
				}
			}
		})
		audit := ports.AuditQuery{BillerID: bill, Limit: 50, CountUpTo: upTo}
		logAnalyze(b, db, "audit log"+name, audit)
		b.Run("audit"+name, func(b *testing.B) {
			for b.Loop() {
				list, total, err := db.AuditEvents(ctx, audit)
				if err != nil || len(list) != 50 || total != cmp.Or(upTo, n) {
					b.Fatalf("AuditEvents: %d events of %d, %v", len(list), total, err)
				}
			}
		})
	}
}

// logAnalyze logs the plans, with their timings, of the page and of the
// count of the search q.
func logAnalyze(b *testing.B, db *postgres.DB, name string, q any) {
	b.Helper()
	page, pageArgs, count, countArgs := postgres.SearchSQL(q)
	plan, err := db.ExplainAnalyze(b.Context(), page, pageArgs...)
	require.NoError(b, err)
	b.Logf("EXPLAIN ANALYZE of the page of %s:\n%s", name, plan)
	plan, err = db.ExplainAnalyze(b.Context(), count, countArgs...)
	require.NoError(b, err)
	b.Logf("EXPLAIN ANALYZE of the count of %s:\n%s", name, plan)
}
