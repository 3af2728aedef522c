package domain_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
)

// mapLookup is an ImportLookup over maps.
type mapLookup struct {
	payers   map[string]domain.Payer
	invoices map[string]domain.Invoice
}

func (l mapLookup) PayerByRef(ref string) (domain.Payer, bool) { p, ok := l.payers[ref]; return p, ok }
func (l mapLookup) InvoiceByNumber(n string) (domain.Invoice, bool) {
	i, ok := l.invoices[n]
	return i, ok
}
func (l mapLookup) EmailOwner(email string) (uuid.UUID, bool) {
	for _, p := range l.payers {
		if p.Email == email {
			return p.ID, true
		}
	}
	return uuid.Nil, false
}

func TestPlanImportCreatesUpdatesAndCounts(t *testing.T) {
	b := mustBiller(t)
	existing := mustPayer(t, b)
	paid := mustInvoice(t, b, existing, "2026-100", "50.00")
	_, err := paid.Settle(uuid.New(), now, now)
	require.NoError(t, err)
	open := mustInvoice(t, b, existing, "2026-101", "60.00")
	lookup := mapLookup{
		payers:   map[string]domain.Payer{existing.ExternalRef: existing},
		invoices: map[string]domain.Invoice{paid.Number: paid, open.Number: open},
	}
	batch := domain.ImportBatch{
		Payers: []domain.ImportPayer{
			{Line: 2, ExternalRef: "P001", Name: "Test SISTEC560", Email: "demo@demo.fr"}, // unchanged
			{Line: 3, ExternalRef: "P002", Name: "Marie Martin", Email: " Marie.Martin@Exemple.fr "},
		},
		Invoices: []domain.ImportInvoice{
			{Line: 5, PayerRef: "P002", Number: "2026-200", IssueDate: "01/09/2026", DueDate: "2026-09-30", Amount: "12,50", Object: "Cantine"},
			{Line: 6, PayerRef: "P001", Number: "2026-100", IssueDate: "2026-09-01", DueDate: "2026-09-30", Amount: "50.00", Object: "Multi Services"}, // paid, identical
			{Line: 7, PayerRef: "P001", Number: "2026-101", IssueDate: "2026-09-01", DueDate: "2026-10-15", Amount: "65.00", Object: "Multi Services"}, // open, updated
		},
	}
	plan, errs := domain.PlanImport(b, batch, lookup, uuid.New, now)
	require.Empty(t, errs)
	require.Len(t, plan.NewPayers, 1)
	assert.Equal(t, "marie.martin@exemple.fr", plan.NewPayers[0].Email, "addresses are normalised")
	require.Len(t, plan.NewInvoices, 1)
	assert.Equal(t, plan.NewPayers[0].ID, plan.NewInvoices[0].PayerID, "an invoice may name a payer of the same file")
	assert.True(t, dec("12.50").Equal(plan.NewInvoices[0].Amount))
	require.Len(t, plan.UpdatedInvoices, 1)
	assert.Equal(t, open.ID, plan.UpdatedInvoices[0].ID)
	assert.True(t, dec("65").Equal(plan.UpdatedInvoices[0].Amount))
	assert.Equal(t, 2, plan.Unchanged)
}

func TestPlanImportIsAllOrNothing(t *testing.T) {
	b := mustBiller(t)
	other := mustPayer(t, b)
	other.ExternalRef, other.Email = "P900", "pris@exemple.fr"
	paid := mustInvoice(t, b, other, "2026-100", "50.00")
	_, err := paid.Settle(uuid.New(), now, now)
	require.NoError(t, err)
	lookup := mapLookup{payers: map[string]domain.Payer{"P900": other}, invoices: map[string]domain.Invoice{"2026-100": paid}}
	batch := domain.ImportBatch{
		Payers: []domain.ImportPayer{
			{Line: 2, ExternalRef: "P001", Name: "Bon Payeur", Email: "bon@exemple.fr"},
			{Line: 3, ExternalRef: "P002", Name: "", Email: "x@exemple.fr"},
			{Line: 4, ExternalRef: "P001", Name: "Doublon", Email: "d@exemple.fr"},
			{Line: 5, ExternalRef: "P003", Name: "Adresse prise", Email: "pris@exemple.fr"},
			{Line: 6, ExternalRef: "P004", Name: "Adresse invalide", Email: "pas-une-adresse"},
		},
		Invoices: []domain.ImportInvoice{
			{Line: 8, PayerRef: "P001", Number: "A1", IssueDate: "2026-09-01", DueDate: "2026-09-30", Amount: "10"},
			{Line: 9, PayerRef: "P404", Number: "A2", IssueDate: "2026-09-01", DueDate: "2026-09-30", Amount: "10"},
			{Line: 10, PayerRef: "P001", Number: "A3", IssueDate: "2026-02-30", DueDate: "2026-09-30", Amount: "10"},
			{Line: 11, PayerRef: "P001", Number: "A4", IssueDate: "2026-09-01", DueDate: "2026-09-30", Amount: "-3"},
			{Line: 12, PayerRef: "P001", Number: "A1", IssueDate: "2026-09-01", DueDate: "2026-09-30", Amount: "10"},
			{Line: 13, PayerRef: "P900", Number: "2026-100", IssueDate: "2026-09-01", DueDate: "2026-09-30", Amount: "99"},
			{Line: 14, PayerRef: "P001", Number: "A5", IssueDate: "2026-09-30", DueDate: "2026-09-01", Amount: "10"},
		},
	}
	plan, errs := domain.PlanImport(b, batch, lookup, uuid.New, now)
	assert.Equal(t, domain.ImportPlan{}, plan, "nothing is planned when a line is wrong")
	lines := map[int]string{}
	for _, e := range errs {
		lines[e.Line] = e.Error()
	}
	for _, line := range []int{3, 4, 5, 6, 9, 10, 11, 12, 13, 14} {
		assert.Contains(t, lines, line, "line %d must be reported", line)
	}
	assert.NotContains(t, lines, 2)
	assert.NotContains(t, lines, 8)
	assert.True(t, strings.HasPrefix(lines[9], "ligne 9"), lines[9])
	assert.Contains(t, lines[13], "réglée")
}

func TestMessages(t *testing.T) {
	b := mustBiller(t)
	p := mustPayer(t, b)
	a := activeAccount(p)
	m, err := domain.NewContactMessage(uuid.New(), a, "  Question\r\nBcc: x@y.fr ", " Bonjour, ma facture… ", now)
	require.NoError(t, err)
	assert.Equal(t, "Question Bcc: x@y.fr", m.Subject, "a subject is always one line")
	assert.Equal(t, "Bonjour, ma facture…", m.Body)
	assert.Equal(t, a.Email, m.FromEmail)
	assert.Equal(t, domain.MessageNew, m.State)
	_, err = domain.NewContactMessage(uuid.New(), a, "", "x", now)
	assert.Equal(t, "subject", domain.ErrorField(err))
	_, err = domain.NewContactMessage(uuid.New(), a, "Objet", "  ", now)
	assert.Equal(t, "body", domain.ErrorField(err))
	_, err = domain.NewContactMessage(uuid.New(), a, "Objet", strings.Repeat("x", 5001), now)
	assert.Error(t, err)
	pm := domain.NewPaperlessMessage(uuid.New(), a, p, now)
	assert.Equal(t, domain.MessagePaperless, pm.Kind)
	assert.Contains(t, pm.Body, p.Name)
}

func TestPlanImportKeepsTheDocumentWhenThePDFColumnIsEmpty(t *testing.T) {
	b := mustBiller(t)
	payer := mustPayer(t, b)
	inv := mustInvoice(t, b, payer, "2026-300", "40.00")
	inv.PDF = "2026-300" // pushed through the API
	lookup := mapLookup{payers: map[string]domain.Payer{payer.ExternalRef: payer}, invoices: map[string]domain.Invoice{inv.Number: inv}}
	row := domain.ImportInvoice{Line: 2, PayerRef: payer.ExternalRef, Number: inv.Number,
		IssueDate: inv.IssueDate.String(), DueDate: inv.DueDate.String(), Amount: "40.00", Object: inv.Object}

	plan, errs := domain.PlanImport(b, domain.ImportBatch{Invoices: []domain.ImportInvoice{row}}, lookup, uuid.New, now)
	require.Empty(t, errs)
	assert.Equal(t, 1, plan.Unchanged, "no pdf column: the document stays")

	row.PDF = "autre.pdf"
	plan, errs = domain.PlanImport(b, domain.ImportBatch{Invoices: []domain.ImportInvoice{row}}, lookup, uuid.New, now)
	require.Empty(t, errs)
	require.Len(t, plan.UpdatedInvoices, 1)
	assert.Equal(t, "autre.pdf", plan.UpdatedInvoices[0].PDF, "a named document replaces it")
}

// TestPlanImportFindsDuplicateNumbersOfAnyLength: the planner holds
// short numbers apart from long ones; a number given twice is refused
// whatever its length, and numbers that differ only by their length or
// their last character are not mixed up.
func TestPlanImportFindsDuplicateNumbersOfAnyLength(t *testing.T) {
	b := mustBiller(t)
	existing := mustPayer(t, b)
	lookup := mapLookup{payers: map[string]domain.Payer{existing.ExternalRef: existing}}
	long := strings.Repeat("9", 23)
	numbers := []string{"A", "AA", "A ", long, long + "0", long + "1", strings.Repeat("X", 64), "A", long + "0", strings.Repeat("X", 64), long}
	planner := domain.NewImportPlanner(b, uuid.New, now)
	var dup []int
	for i, n := range numbers {
		// One batch per line: what a line remembers crosses batches.
		batch := domain.ImportBatch{Invoices: []domain.ImportInvoice{{Line: i + 2, PayerRef: existing.ExternalRef, Number: n,
			IssueDate: "2026-09-01", DueDate: "2026-09-30", Amount: "1"}}}
		_, errs := planner.Plan(batch, lookup)
		for _, e := range errs {
			assert.Equal(t, "numéro de facture en double dans le fichier", e.Message)
			dup = append(dup, e.Line)
		}
	}
	// "A " is trimmed to "A": a duplicate of line 2.
	assert.Equal(t, []int{4, 9, 10, 11, 12}, dup)
}

// TestPlanImportFindsDuplicateNumbersInAnyOrder: the planner keeps the
// numbers that come in order apart from the others; a number is refused
// as a duplicate exactly when the file gave it before, whether each of
// the two came in order or not (runs that climb, then go back among the
// numbers already seen), in one batch or across batches.
func TestPlanImportFindsDuplicateNumbersInAnyOrder(t *testing.T) {
	b := mustBiller(t)
	existing := mustPayer(t, b)
	lookup := mapLookup{payers: map[string]domain.Payer{existing.ExternalRef: existing}}
	rnd := rand.New(rand.NewPCG(14, 4))
	var rows []domain.ImportInvoice
	var want []int
	given := map[string]bool{}
	top := 0
	for i := range 12_000 { // more numbers in order than a chunk of the planner holds (4096)
		n := top
		switch r := rnd.IntN(10); {
		case r < 7:
			top++ // climbing
			n = top
		case r < 9:
			n = rnd.IntN(top + 1) // back among the numbers seen, or not
		default:
			top += 1 + rnd.IntN(3) // skipping some
			n = top
		}
		number := fmt.Sprintf("F-%05d", n)
		if rnd.IntN(50) == 0 {
			number = strings.Repeat("L", 30) + number // a long number
		}
		line := i + 2
		if given[number] {
			want = append(want, line)
		}
		given[number] = true
		rows = append(rows, domain.ImportInvoice{Line: line, PayerRef: existing.ExternalRef, Number: number,
			IssueDate: "2026-09-01", DueDate: "2026-09-30", Amount: "1"})
	}
	require.NotEmpty(t, want)
	require.Less(t, len(want), len(rows)/2)
	lines := func(errs []domain.LineError) []int {
		var out []int
		for _, e := range errs {
			assert.Equal(t, "numéro de facture en double dans le fichier", e.Message)
			out = append(out, e.Line)
		}
		return out
	}

	_, errs := domain.PlanImport(b, domain.ImportBatch{Invoices: rows}, lookup, uuid.New, now)
	assert.Equal(t, want, lines(errs), "one batch")

	planner := domain.NewImportPlanner(b, uuid.New, now)
	var got []int
	for i := 0; i < len(rows); i += 250 {
		_, errs := planner.Plan(domain.ImportBatch{Invoices: rows[i:min(i+250, len(rows))]}, lookup)
		got = append(got, lines(errs)...)
	}
	assert.Equal(t, want, got, "batches of 250")
}
