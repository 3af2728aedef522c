package domain_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// benchBatch is a new biller's import of n invoices, 100 per payer, as
// adapters/postgres BenchmarkImport builds it.
func benchBatch(n int) domain.ImportBatch {
	payers := max(1, n/100)
	batch := domain.ImportBatch{Payers: make([]domain.ImportPayer, payers), Invoices: make([]domain.ImportInvoice, n)}
	for i := range batch.Payers {
		batch.Payers[i] = domain.ImportPayer{Line: i + 2, ExternalRef: fmt.Sprintf("P%07d", i),
			Name: "Redevable " + fmt.Sprint(i), Email: fmt.Sprintf("redevable%d@exemple.fr", i)}
	}
	for i := range batch.Invoices {
		batch.Invoices[i] = domain.ImportInvoice{Line: payers + i + 2, PayerRef: fmt.Sprintf("P%07d", i%payers),
			Number: fmt.Sprintf("2026-%09d", i), IssueDate: "2026-01-05", DueDate: "05/02/2026",
			Amount: fmt.Sprintf("%d,%02d", 1+i%500, i%100), Object: "Eau et assainissement"}
	}
	return batch
}

// BenchmarkPlanImport plans 100 000 new invoices: the part of a large
// import that runs in the portal rather than in the store.
func BenchmarkPlanImport(b *testing.B) {
	bill, err := domain.NewBiller(uuid.New(), "Régie des eaux", "004200", "eau@exemple.fr", now)
	if err != nil {
		b.Fatal(err)
	}
	batch := benchBatch(100_000)
	empty := mapLookup{}
	var seq uint64
	newID := func() uuid.UUID {
		seq++
		var id uuid.UUID
		for i := range 8 {
			id[15-i] = byte(seq >> (8 * i))
		}
		return id
	}
	b.ReportAllocs()
	for b.Loop() {
		plan, errs := domain.PlanImport(bill, batch, empty, newID, now)
		if len(errs) > 0 || len(plan.NewInvoices) != len(batch.Invoices) {
			b.Fatalf("%d errors, %d invoices", len(errs), len(plan.NewInvoices))
		}
	}
}

// BenchmarkPlanUnchangedReimport plans, by parts of 10 000 lines as
// ports' streamed import does, the re-import of 100 000 invoices the
// portal already holds unchanged: the planner's share of the re-import
// of README's BenchmarkImportVsCopy row.
func BenchmarkPlanUnchangedReimport(b *testing.B) {
	bill, err := domain.NewBiller(uuid.New(), "Régie des eaux", "004200", "eau@exemple.fr", now)
	if err != nil {
		b.Fatal(err)
	}
	batch := benchBatch(100_000)
	var seq uint64
	newID := func() uuid.UUID {
		seq++
		var id uuid.UUID
		for i := range 8 {
			id[15-i] = byte(seq >> (8 * i))
		}
		return id
	}
	first := domain.NewImportPlanner(bill, newID, now)
	held := mapLookup{payers: map[string]domain.Payer{}, invoices: map[string]domain.Invoice{}}
	plan, errs := first.Plan(domain.ImportBatch{Payers: batch.Payers}, held)
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	for _, p := range plan.NewPayers {
		held.payers[p.ExternalRef] = p
	}
	plan, errs = first.Plan(domain.ImportBatch{Invoices: batch.Invoices}, held)
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	// Each part's lookup holds only the part's invoices, as the store's.
	const part = 10_000
	var lookups []mapLookup
	for i := 0; i < len(plan.NewInvoices); i += part {
		l := mapLookup{payers: held.payers, invoices: map[string]domain.Invoice{}}
		for _, inv := range plan.NewInvoices[i:min(i+part, len(plan.NewInvoices))] {
			l.invoices[inv.Number] = inv
		}
		lookups = append(lookups, l)
	}
	b.ReportAllocs()
	for b.Loop() {
		pl := domain.NewImportPlanner(bill, newID, now)
		unchanged := 0
		p, errs := pl.Plan(domain.ImportBatch{Payers: batch.Payers}, held)
		unchanged += p.Unchanged
		for i, l := range lookups {
			p, more := pl.Plan(domain.ImportBatch{Invoices: batch.Invoices[i*part : min((i+1)*part, len(batch.Invoices))]}, l)
			errs = append(errs, more...)
			unchanged += p.Unchanged
		}
		if len(errs) > 0 || unchanged != len(batch.Payers)+len(batch.Invoices) {
			b.Fatalf("%d errors, %d unchanged", len(errs), unchanged)
		}
	}
}
