package portstest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// TestImportTx runs the contract suite of ports.ImportTx, the optional
// bulk import of a store's transactions, against the stores newStore
// returns. A store whose transaction does not implement it skips every
// subtest: ports.Portal.Import then saves the records one by one through
// the roles TestStore covers. TestStore runs this suite too.
func TestImportTx(t *testing.T, newStore func(t *testing.T) ports.Store) {
	for _, tc := range importTxTests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newStore(t)) })
	}
}

// bulkImport runs fn in a transaction of s as a ports.ImportTx, or skips
// the test when s has none, and returns Atomic's error.
func bulkImport(t *testing.T, s ports.Store, fn func(tx ports.Tx, bulk ports.ImportTx) error) error {
	t.Helper()
	var skip bool
	err := s.Atomic(t.Context(), func(tx ports.Tx) error {
		bulk, ok := tx.(ports.ImportTx)
		if !ok {
			skip = true
			return nil
		}
		return fn(tx, bulk)
	})
	if skip {
		t.Skip("the store's transaction does not implement ports.ImportTx")
	}
	return err
}

// importWorld is a biller with two payers, an account whose login
// differs from its payer's address, and an invoice; and another biller
// with the same reference and number, which no lookup may return.
type importWorld struct {
	biller       domain.Biller
	known, other domain.Payer
	account      domain.Account
	invoice      domain.Invoice
}

func newImportWorld(t *testing.T, s ports.Store) importWorld {
	t.Helper()
	var w importWorld
	inTx(t, s, func(tx ports.Tx) {
		b, elsewhere := twoBillers(t, tx)
		w.biller = b
		w.known = NewPayer(t, b, "REF-A")
		w.other = NewPayer(t, b, "REF-B")
		w.other.Email = ""
		MustSavePayer(t, tx, w.known)
		MustSavePayer(t, tx, w.other)
		w.account = NewAccount(t, w.known)
		w.account.Email = "connexion@exemple.fr"
		MustSaveAccount(t, tx, w.account)
		w.invoice = NewInvoice(t, w.known, "2025-0001", "10.00")
		MustSaveInvoices(t, tx, w.invoice)

		twin := NewPayer(t, elsewhere, "REF-A")
		MustSavePayer(t, tx, twin)
		MustSaveInvoices(t, tx, NewInvoice(t, twin, "2025-0001", "99.00"))
	})
	return w
}

var importTxTests = []storeTest{
	{"plans applied part after part in one transaction, then ImportApplied, are all saved", func(t *testing.T, s ports.Store) {
		w := newImportWorld(t, s)
		ctx := t.Context()
		planner := domain.NewImportPlanner(w.biller, uuid.New, Epoch)
		parts := []domain.ImportBatch{
			{Payers: []domain.ImportPayer{{Line: 2, ExternalRef: "REF-N", Name: "Nouveau redevable", Email: "nouveau@exemple.fr"}}},
			{Invoices: []domain.ImportInvoice{{Line: 3, PayerRef: "REF-N", Number: "2026-0001", IssueDate: "2026-01-05", DueDate: "2026-02-05", Amount: "7.00"}}},
			{Invoices: []domain.ImportInvoice{{Line: 4, PayerRef: "REF-A", Number: "2025-0001", IssueDate: "2025-03-04", DueDate: "2025-04-03", Amount: "12.50"}}},
		}
		err := bulkImport(t, s, func(_ ports.Tx, bulk ports.ImportTx) error {
			created := 0
			for _, part := range parts {
				lookup, err := bulk.ImportLookup(ctx, w.biller.ID, part)
				require.NoError(t, err)
				plan, lineErrs := planner.Plan(part, lookup)
				require.Empty(t, lineErrs)
				created += len(plan.NewInvoices)
				if err := bulk.ApplyImport(ctx, plan); err != nil {
					return err
				}
			}
			return bulk.ImportApplied(ctx, created)
		})
		require.NoError(t, err)
		p, err := s.PayerByRef(ctx, w.biller.ID, "REF-N")
		require.NoError(t, err)
		inv, err := s.InvoiceByNumber(ctx, w.biller.ID, "2026-0001")
		require.NoError(t, err)
		assert.Equal(t, p.ID, inv.PayerID, "the invoice of a later part finds the payer of an earlier one")
		inv, err = s.InvoiceByNumber(ctx, w.biller.ID, "2025-0001")
		require.NoError(t, err)
		assert.Equal(t, "12.5", inv.Amount.String(), "the update of the last part")
	}},
	{"the lookup finds what the batch names, of its biller only", func(t *testing.T, s ports.Store) {
		w := newImportWorld(t, s)
		batch := domain.ImportBatch{
			Payers: []domain.ImportPayer{
				{Line: 2, ExternalRef: "REF-A", Name: "Redevable REF-A", Email: w.known.Email},
				{Line: 3, ExternalRef: "REF-C", Name: "Nouveau", Email: "connexion@exemple.fr"},
			},
			Invoices: []domain.ImportInvoice{
				{Line: 5, PayerRef: "REF-B", Number: "2025-0001", IssueDate: "2025-03-04", DueDate: "2025-04-03", Amount: "10.00"},
				{Line: 6, PayerRef: "REF-A", Number: "2025-0009", IssueDate: "2025-03-04", DueDate: "2025-04-03", Amount: "1.00"},
			},
		}
		err := bulkImport(t, s, func(_ ports.Tx, bulk ports.ImportTx) error {
			lookup, err := bulk.ImportLookup(t.Context(), w.biller.ID, batch)
			require.NoError(t, err)
			p, ok := lookup.PayerByRef("REF-A")
			require.True(t, ok, "a payer the batch lists")
			assert.Equal(t, w.known.ID, p.ID)
			assert.Equal(t, w.known.Name, p.Name)
			p, ok = lookup.PayerByRef("REF-B")
			require.True(t, ok, "a payer an invoice line names")
			assert.Equal(t, w.other.ID, p.ID)
			_, ok = lookup.PayerByRef("REF-C")
			assert.False(t, ok, "a new payer")

			inv, ok := lookup.InvoiceByNumber("2025-0001")
			require.True(t, ok, "an invoice the batch names")
			assert.Equal(t, w.invoice.ID, inv.ID, "the biller's invoice, not the other biller's")
			assert.True(t, w.invoice.Amount.Equal(inv.Amount))
			_, ok = lookup.InvoiceByNumber("2025-0009")
			assert.False(t, ok, "a new invoice")

			owner, ok := lookup.EmailOwner("connexion@exemple.fr")
			require.True(t, ok, "an account's login")
			assert.Equal(t, w.known.ID, owner, "the account's payer")
			owner, ok = lookup.EmailOwner(w.known.Email)
			require.True(t, ok, "a payer's address")
			assert.Equal(t, w.known.ID, owner)
			return nil
		})
		require.NoError(t, err)
	}},
	{"an applied plan inserts the new records and replaces the updated ones", func(t *testing.T, s ports.Store) {
		w := newImportWorld(t, s)
		batch := domain.ImportBatch{
			Payers: []domain.ImportPayer{
				{Line: 2, ExternalRef: "REF-A", Name: "Nom changé", Email: w.known.Email},
				{Line: 3, ExternalRef: "REF-N", Name: "Nouveau redevable", Email: "nouveau@exemple.fr"},
			},
			Invoices: []domain.ImportInvoice{
				{Line: 5, PayerRef: "REF-A", Number: "2025-0001", IssueDate: "2025-03-04", DueDate: "2025-04-03", Amount: "12.50"},
				{Line: 6, PayerRef: "REF-N", Number: "2025-0002", IssueDate: "2025-03-04", DueDate: "2025-04-03", Amount: "7.00"},
			},
		}
		var plan domain.ImportPlan
		err := bulkImport(t, s, func(_ ports.Tx, bulk ports.ImportTx) error {
			lookup, err := bulk.ImportLookup(t.Context(), w.biller.ID, batch)
			require.NoError(t, err)
			var lineErrs []domain.LineError
			plan, lineErrs = domain.PlanImport(w.biller, batch, lookup, uuid.New, Epoch)
			require.Empty(t, lineErrs)
			require.Len(t, plan.NewPayers, 1)
			require.Len(t, plan.UpdatedPayers, 1)
			require.Len(t, plan.NewInvoices, 1)
			require.Len(t, plan.UpdatedInvoices, 1)
			return bulk.ApplyImport(t.Context(), plan)
		})
		require.NoError(t, err)

		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			ctx := t.Context()
			known, err := tx.Payer(ctx, w.known.ID)
			require.NoError(t, err)
			assert.Equal(t, "Nom changé", known.Name)
			added, err := tx.PayerByRef(ctx, w.biller.ID, "REF-N")
			require.NoError(t, err)
			assert.Equal(t, plan.NewPayers[0].ID, added.ID)
			assert.Equal(t, "Nouveau redevable", added.Name)
			assert.Equal(t, "nouveau@exemple.fr", added.Email)

			updated, err := tx.Invoice(ctx, w.invoice.ID)
			require.NoError(t, err)
			assert.Equal(t, "12.5", updated.Amount.String())
			inv, err := tx.InvoiceByNumber(ctx, w.biller.ID, "2025-0002")
			require.NoError(t, err)
			assert.Equal(t, added.ID, inv.PayerID)
			assert.Equal(t, "7", inv.Amount.String())
			assert.Equal(t, domain.InvoiceUnpaid, inv.State)
		})
	}},
	{"an update changes what an import sets and keeps the rest of the record", func(t *testing.T, s ports.Store) {
		w := newImportWorld(t, s)
		ctx := t.Context()
		declared := Epoch.Add(-time.Hour)
		inTx(t, s, func(tx ports.Tx) {
			w.known.RequestPaperless(Epoch.Add(-2 * time.Hour))
			MustSavePayer(t, tx, w.known)
			w.invoice.DeclaredPaidAt = declared
			MustSaveInvoices(t, tx, w.invoice)
		})
		later := Epoch.Add(time.Hour)
		batch := domain.ImportBatch{
			Payers: []domain.ImportPayer{{Line: 2, ExternalRef: "REF-A", Name: "Nom changé", Email: "change@exemple.fr"}},
			Invoices: []domain.ImportInvoice{{Line: 3, PayerRef: "REF-A", Number: "2025-0001", IssueDate: "2025-03-04",
				DueDate: "2025-04-03", Amount: "12.50", Object: "Objet changé", PDF: "changé.pdf"}},
		}
		err := bulkImport(t, s, func(_ ports.Tx, bulk ports.ImportTx) error {
			lookup, err := bulk.ImportLookup(ctx, w.biller.ID, batch)
			require.NoError(t, err)
			plan, lineErrs := domain.PlanImport(w.biller, batch, lookup, uuid.New, later)
			require.Empty(t, lineErrs)
			require.Len(t, plan.UpdatedPayers, 1)
			require.Len(t, plan.UpdatedInvoices, 1)
			return bulk.ApplyImport(ctx, plan)
		})
		require.NoError(t, err)

		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			p, err := tx.Payer(ctx, w.known.ID)
			require.NoError(t, err)
			assert.Equal(t, "Nom changé", p.Name)
			assert.Equal(t, "change@exemple.fr", p.Email)
			assert.True(t, p.UpdatedAt.Equal(later), "updated at %s", p.UpdatedAt)
			assert.True(t, p.Paperless, "the payer's choice of paperless invoices is kept")
			assert.True(t, p.PaperlessRequestedAt.Equal(w.known.PaperlessRequestedAt))
			assert.True(t, p.CreatedAt.Equal(w.known.CreatedAt), "created at %s", p.CreatedAt)

			inv, err := tx.Invoice(ctx, w.invoice.ID)
			require.NoError(t, err)
			assert.Equal(t, "12.5", inv.Amount.String())
			assert.Equal(t, domain.NewDate(2025, time.March, 4), inv.IssueDate)
			assert.Equal(t, domain.NewDate(2025, time.April, 3), inv.DueDate)
			assert.Equal(t, "Objet changé", inv.Object)
			assert.Equal(t, "changé.pdf", inv.PDF)
			assert.True(t, inv.UpdatedAt.Equal(later), "updated at %s", inv.UpdatedAt)
			assert.True(t, inv.DeclaredPaidAt.Equal(declared), "the payer's declaration is kept: %s", inv.DeclaredPaidAt)
			assert.True(t, inv.CreatedAt.Equal(w.invoice.CreatedAt), "created at %s", inv.CreatedAt)
			assert.Equal(t, w.known.ID, inv.PayerID)
			assert.Equal(t, domain.InvoiceUnpaid, inv.State)
		})
	}},
	{"a failed transaction keeps nothing of an applied plan", func(t *testing.T, s ports.Store) {
		w := newImportWorld(t, s)
		batch := domain.ImportBatch{
			Payers: []domain.ImportPayer{{Line: 2, ExternalRef: "REF-N", Name: "Nouveau redevable"}},
			Invoices: []domain.ImportInvoice{
				{Line: 4, PayerRef: "REF-A", Number: "2025-0001", IssueDate: "2025-03-04", DueDate: "2025-04-03", Amount: "12.50"},
				{Line: 5, PayerRef: "REF-N", Number: "2025-0002", IssueDate: "2025-03-04", DueDate: "2025-04-03", Amount: "7.00"},
			},
		}
		errAfter := errors.New("a later step failed")
		err := bulkImport(t, s, func(_ ports.Tx, bulk ports.ImportTx) error {
			lookup, err := bulk.ImportLookup(t.Context(), w.biller.ID, batch)
			require.NoError(t, err)
			plan, lineErrs := domain.PlanImport(w.biller, batch, lookup, uuid.New, Epoch)
			require.Empty(t, lineErrs)
			require.NoError(t, bulk.ApplyImport(t.Context(), plan))
			return errAfter
		})
		require.ErrorIs(t, err, errAfter)

		ctx := t.Context()
		_, err = s.PayerByRef(ctx, w.biller.ID, "REF-N")
		requireNotFound(t, err, "the new payer")
		_, err = s.InvoiceByNumber(ctx, w.biller.ID, "2025-0002")
		requireNotFound(t, err, "the new invoice")
		inv, err := s.Invoice(ctx, w.invoice.ID)
		require.NoError(t, err)
		assert.True(t, w.invoice.Amount.Equal(inv.Amount), "the updated invoice as it was")
	}},
}
