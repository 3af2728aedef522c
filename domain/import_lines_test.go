package domain_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
)

func TestPlanImportLinesSaysWhatHappensToEveryLine(t *testing.T) {
	b := mustBiller(t)
	existing := mustPayer(t, b) // P001, Test SISTEC560, demo@demo.fr
	open := mustInvoice(t, b, existing, "2026-101", "60.00")
	same := mustInvoice(t, b, existing, "2026-102", "70.00")
	lookup := mapLookup{
		payers:   map[string]domain.Payer{existing.ExternalRef: existing},
		invoices: map[string]domain.Invoice{open.Number: open, same.Number: same},
	}
	row := func(line int, ref, number, due, amount string) domain.ImportInvoice {
		return domain.ImportInvoice{Line: line, PayerRef: ref, Number: number, IssueDate: same.IssueDate.String(),
			DueDate: due, Amount: amount, Object: same.Object, PDF: same.PDF}
	}
	batch := domain.ImportBatch{
		Payers: []domain.ImportPayer{
			{Line: 2, ExternalRef: "P001", Name: "Test SISTEC560", Email: "autre@demo.fr"},
			{Line: 3, ExternalRef: "P002", Name: "Marie Martin", Email: "marie@exemple.fr"},
		},
		Invoices: []domain.ImportInvoice{
			row(5, "P002", "2026-200", "2026-09-30", "12,50"),
			row(6, "P001", "2026-101", open.DueDate.String(), "65.00"),
			row(7, "P001", "2026-102", same.DueDate.String(), "70.00"),
		},
	}

	plan, lines, errs := domain.PlanImportLines(b, batch, lookup, uuid.New, now)
	require.Empty(t, errs)
	want, _ := domain.PlanImport(b, batch, lookup, uuid.New, now)
	assert.Equal(t, len(want.NewInvoices), len(plan.NewInvoices), "the same plan as PlanImport")
	assert.Equal(t, want.Unchanged, plan.Unchanged)
	require.Len(t, lines, 5)
	outcomes := map[int]domain.ImportOutcome{}
	for _, l := range lines {
		outcomes[l.Line] = l.Outcome
	}
	assert.Equal(t, map[int]domain.ImportOutcome{2: domain.ImportUpdated, 3: domain.ImportCreated, 5: domain.ImportCreated,
		6: domain.ImportUpdated, 7: domain.ImportUnchanged}, outcomes)
	assert.Equal(t, domain.ImportLine{Line: 2, Record: domain.ImportRecordPayer, Key: "P001", Outcome: domain.ImportUpdated,
		Detail: "adresse : demo@demo.fr → autre@demo.fr"}, lines[0])
	assert.Equal(t, "montant : 60,00\u00a0€ → 65,00\u00a0€", lines[3].Detail)
	assert.Equal(t, "2026-101", lines[3].Key)

	batch.Invoices = append(batch.Invoices, row(4, "P404", "2026-300", "2026-09-30", "1"))
	plan, lines, errs = domain.PlanImportLines(b, batch, lookup, uuid.New, now)
	require.Len(t, errs, 1)
	assert.Equal(t, domain.ImportPlan{}, plan, "all or nothing")
	require.Len(t, lines, 6, "the other lines still say what they would do")
	assert.Equal(t, domain.ImportLine{Line: 4, Record: domain.ImportRecordInvoice, Key: "2026-300", Outcome: domain.ImportRejected,
		Field: "payer", Detail: "redevable « P404 » inconnu"}, lines[2], "in line order")
}
