package portstest

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// savePayer saves a fresh biller and one payer of it through tx.
func savePayer(t *testing.T, tx ports.Tx) (domain.Biller, domain.Payer) {
	t.Helper()
	b := NewBiller(t)
	MustSaveBiller(t, tx, b)
	p := NewPayer(t, b, "REF-001")
	MustSavePayer(t, tx, p)
	return b, p
}

var invoiceTests = []storeTest{
	{"a saved invoice reads back with every field by id, number and for update, and a save replaces the whole record", func(t *testing.T, s ports.Store) {
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			ctx := t.Context()
			b, p := savePayer(t, tx)
			a := NewAccount(t, p)
			MustSaveAccount(t, tx, a)
			inv := NewInvoice(t, p, "2024-0001", "12.30")
			MustSaveInvoices(t, tx, inv)
			pay := NewPayment(t, b, a, inv)
			MustSavePayment(t, tx, pay)

			full := fullInvoice(t, inv, pay.ID)
			MustSaveInvoices(t, tx, full)
			for name, read := range map[string]func() (domain.Invoice, error){
				"Invoice":         func() (domain.Invoice, error) { return tx.Invoice(ctx, inv.ID) },
				"InvoiceByNumber": func() (domain.Invoice, error) { return tx.InvoiceByNumber(ctx, b.ID, inv.Number) },
				"InvoicesForUpdate": func() (domain.Invoice, error) {
					got, err := tx.InvoicesForUpdate(ctx, []uuid.UUID{inv.ID})
					if err != nil {
						return domain.Invoice{}, err
					}
					require.Len(t, got, 1)
					return got[0], nil
				},
			} {
				got, err := read()
				require.NoError(t, err, name)
				AssertSame(t, full, got, name)
			}

			MustSaveInvoices(t, tx, inv)
			got, err := tx.Invoice(ctx, inv.ID)
			require.NoError(t, err)
			AssertSame(t, inv, got)
			assert.Equal(t, uuid.Nil, got.LockedBy, "a nil id comes back nil")
			assert.True(t, got.PaidAt.IsZero() && got.LockedUntil.IsZero(), "zero instants come back zero")
		})
	}},
	{"a missing invoice is NotFound", func(t *testing.T, s ports.Store) {
		b1, p := savePayer(t, s)
		b2 := NewBiller(t)
		MustSaveBiller(t, s, b2)
		inv := NewInvoice(t, p, "2024-0001", "12.30")
		MustSaveInvoices(t, s, inv)
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			ctx := t.Context()
			_, err := tx.Invoice(ctx, uuid.New())
			requireNotFound(t, err, "Invoice")
			_, err = tx.InvoiceByNumber(ctx, b1.ID, "2024-9999")
			requireNotFound(t, err, "InvoiceByNumber")
			_, err = tx.InvoiceByNumber(ctx, b2.ID, inv.Number)
			requireNotFound(t, err, "InvoiceByNumber in another biller")
		})
	}},
	{"the number is unique within a biller", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		_, p := savePayer(t, s)
		inv := NewInvoice(t, p, "2024-0001", "12.30")
		MustSaveInvoices(t, s, inv)
		dup := NewInvoice(t, p, inv.Number, "99.00")
		requireConflict(t, s.SaveInvoice(ctx, dup), "SaveInvoice with another invoice's number")
		_, err := s.Invoice(ctx, dup.ID)
		requireNotFound(t, err, "the refused invoice")
	}},
	{"the same number is allowed in two billers", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b1, p1 := savePayer(t, s)
		b2, p2 := savePayer(t, s)
		inv1, inv2 := NewInvoice(t, p1, "2024-0001", "12.30"), NewInvoice(t, p2, "2024-0001", "45.60")
		MustSaveInvoices(t, s, inv1, inv2)
		for b, want := range map[uuid.UUID]uuid.UUID{b1.ID: inv1.ID, b2.ID: inv2.ID} {
			got, err := s.InvoiceByNumber(ctx, b, "2024-0001")
			require.NoError(t, err)
			assert.Equal(t, want, got.ID)
		}
	}},
	{"InvoicesForUpdate returns the invoices in the order given", func(t *testing.T, s ports.Store) {
		_, p := savePayer(t, s)
		var invs []domain.Invoice
		for i := range 4 {
			invs = append(invs, NewInvoice(t, p, fmt.Sprintf("2024-%04d", i+1), "10.00"))
		}
		MustSaveInvoices(t, s, invs...)
		order := []uuid.UUID{invs[2].ID, invs[0].ID, invs[3].ID}
		inTx(t, s, func(tx ports.Tx) {
			got, err := tx.InvoicesForUpdate(t.Context(), order)
			require.NoError(t, err)
			assert.Equal(t, order, invoiceIDs(got))
		})
	}},
	{"InvoicesForUpdate is NotFound when one invoice is missing", func(t *testing.T, s ports.Store) {
		_, p := savePayer(t, s)
		inv := NewInvoice(t, p, "2024-0001", "10.00")
		MustSaveInvoices(t, s, inv)
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			_, err := tx.InvoicesForUpdate(t.Context(), []uuid.UUID{inv.ID, uuid.New()})
			requireNotFound(t, err, "InvoicesForUpdate")
		})
	}},
	{"InvoicesForUpdate of no ids returns none", func(t *testing.T, s ports.Store) {
		inTx(t, s, func(tx ports.Tx) {
			got, err := tx.InvoicesForUpdate(t.Context(), nil)
			require.NoError(t, err)
			assert.Empty(t, got)
		})
	}},
}

// listWorld is a payer with invoices in every tab, beside invoices of
// another payer of the same biller and of a payer of another biller.
type listWorld struct {
	biller domain.Biller
	payer  domain.Payer
	mine   []domain.Invoice // the payer's invoices
	others []domain.Invoice // everybody else's
}

func newListWorld(t *testing.T, s ports.Store) listWorld {
	t.Helper()
	w := listWorld{}
	w.biller, w.payer = savePayer(t, s)
	neighbour := NewPayer(t, w.biller, "REF-002")
	MustSavePayer(t, s, neighbour)
	_, stranger := savePayer(t, s)

	day := domain.NewDate(2024, time.March, 1)
	n := 0
	add := func(p domain.Payer, issueDays int, change func(*domain.Invoice)) {
		n++
		inv := NewInvoice(t, p, fmt.Sprintf("2024-%04d", n), "10.00")
		inv.IssueDate = day.AddDays(issueDays)
		inv.DueDate = inv.IssueDate.AddDays(30)
		change(&inv)
		MustSaveInvoices(t, s, inv)
		if p.ID == w.payer.ID {
			w.mine = append(w.mine, inv)
		} else {
			w.others = append(w.others, inv)
		}
	}
	unpaid := func(*domain.Invoice) {}
	paid := func(inv *domain.Invoice) { inv.State, inv.PaidAt = domain.InvoicePaid, Epoch }
	declared := func(inv *domain.Invoice) { inv.DeclaredPaidAt = Epoch }
	treasury := func(inv *domain.Invoice) { inv.State, inv.TreasuryAt = domain.InvoiceTreasury, Epoch }
	// Treasury wins over a declaration, as Invoice.Tab says.
	declaredTreasury := func(inv *domain.Invoice) { treasury(inv); declared(inv) }

	// Several invoices share an issue date, so that the order by number
	// descending shows. Numbers all have the same shape, so that any
	// collation orders them the same way.
	for _, c := range []struct {
		days   int
		change func(*domain.Invoice)
	}{
		{0, unpaid}, {5, unpaid}, {5, unpaid}, {-3, unpaid}, {5, unpaid}, {12, unpaid},
		{1, paid}, {1, declared}, {7, paid}, {-20, declared},
		{2, treasury}, {9, declaredTreasury}, {2, treasury},
	} {
		add(w.payer, c.days, c.change)
	}
	add(neighbour, 3, unpaid)
	add(neighbour, 3, paid)
	add(stranger, 3, unpaid)
	add(stranger, 4, treasury)
	return w
}

// expected returns the payer's invoices in tab, in the list's order.
func (w listWorld) expected(tab domain.Tab) []uuid.UUID {
	var in []domain.Invoice
	for _, inv := range w.mine {
		if inv.Tab() == tab {
			in = append(in, inv)
		}
	}
	slices.SortFunc(in, func(a, b domain.Invoice) int {
		if c := b.IssueDate.Compare(a.IssueDate); c != 0 {
			return c
		}
		return cmp.Compare(b.Number, a.Number)
	})
	return invoiceIDs(in)
}

var invoiceListTests = []storeTest{
	{"ListInvoices lists a tab newest issue date first, then number descending, with the tab's count", func(t *testing.T, s ports.Store) {
		w := newListWorld(t, s)
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			for _, tab := range domain.Tabs {
				want := w.expected(tab)
				require.NotEmpty(t, want, "fixture: tab %s", tab)
				got, total, err := tx.ListInvoices(t.Context(), ports.InvoiceQuery{PayerID: w.payer.ID, Tab: tab, Limit: 100})
				require.NoError(t, err, tab)
				assert.Equal(t, want, invoiceIDs(got), "tab %s", tab)
				assert.Equal(t, len(want), total, "tab %s", tab)
			}
		})
	}},
	{"declared-paid invoices are listed under the paid tab", func(t *testing.T, s ports.Store) {
		w := newListWorld(t, s)
		got, _, err := s.ListInvoices(t.Context(), ports.InvoiceQuery{PayerID: w.payer.ID, Tab: domain.TabPaid, Limit: 100})
		require.NoError(t, err)
		declared := 0
		for _, inv := range got {
			if inv.Declared() {
				declared++
			}
		}
		assert.Equal(t, 2, declared)
	}},
	{"ListInvoices pages with Offset and Limit, and counts the whole tab", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		w := newListWorld(t, s)
		want := w.expected(domain.TabUnpaid)
		require.Len(t, want, 6, "fixture")
		var seen []uuid.UUID
		for offset := 0; offset < len(want); offset += 4 {
			page, total, err := s.ListInvoices(ctx, ports.InvoiceQuery{PayerID: w.payer.ID, Tab: domain.TabUnpaid, Offset: offset, Limit: 4})
			require.NoError(t, err)
			assert.Equal(t, len(want), total)
			assert.LessOrEqual(t, len(page), 4)
			seen = append(seen, invoiceIDs(page)...)
		}
		assert.Equal(t, want, seen)

		page, total, err := s.ListInvoices(ctx, ports.InvoiceQuery{PayerID: w.payer.ID, Tab: domain.TabUnpaid, Offset: 2, Limit: 1})
		require.NoError(t, err)
		assert.Equal(t, want[2:3], invoiceIDs(page))
		assert.Equal(t, len(want), total)

		page, total, err = s.ListInvoices(ctx, ports.InvoiceQuery{PayerID: w.payer.ID, Tab: domain.TabUnpaid, Offset: 50, Limit: 10})
		require.NoError(t, err)
		assert.Empty(t, page, "a page past the end is empty")
		assert.Equal(t, len(want), total, "and still counts the tab")
	}},
	{"ListInvoices shows only the payer's invoices", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		w := newListWorld(t, s)
		for _, tab := range domain.Tabs {
			got, _, err := s.ListInvoices(ctx, ports.InvoiceQuery{PayerID: w.payer.ID, Tab: tab, Limit: 100})
			require.NoError(t, err)
			for _, inv := range got {
				assert.Equal(t, w.payer.ID, inv.PayerID, "tab %s lists invoice %s", tab, inv.Number)
			}
		}
		got, total, err := s.ListInvoices(ctx, ports.InvoiceQuery{PayerID: uuid.New(), Tab: domain.TabUnpaid, Limit: 100})
		require.NoError(t, err)
		assert.Empty(t, got, "an unknown payer has no invoices")
		assert.Zero(t, total)
	}},
	{"an invoice saved in another state moves to that tab", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		w := newListWorld(t, s)
		inv := w.mine[0]
		require.Equal(t, domain.TabUnpaid, inv.Tab())
		_, err := inv.Settle(uuid.Nil, Epoch, Epoch)
		require.NoError(t, err)
		MustSaveInvoices(t, s, inv)
		unpaid, n, err := s.ListInvoices(ctx, ports.InvoiceQuery{PayerID: w.payer.ID, Tab: domain.TabUnpaid, Limit: 100})
		require.NoError(t, err)
		assert.NotContains(t, invoiceIDs(unpaid), inv.ID)
		assert.Equal(t, len(w.expected(domain.TabUnpaid))-1, n)
		paid, _, err := s.ListInvoices(ctx, ports.InvoiceQuery{PayerID: w.payer.ID, Tab: domain.TabPaid, Limit: 100})
		require.NoError(t, err)
		assert.Contains(t, invoiceIDs(paid), inv.ID)
	}},
	{"InvoicesDueBefore returns the biller's unpaid invoices due strictly before the date, oldest due first", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, p := savePayer(t, s)
		other := NewPayer(t, b, "REF-002")
		MustSavePayer(t, s, other)
		_, stranger := savePayer(t, s)
		cutoff := domain.NewDate(2024, time.June, 1)
		var want []uuid.UUID // in the expected order
		n := 0
		add := func(p domain.Payer, dueDays int, change func(*domain.Invoice), listed bool) domain.Invoice {
			n++
			inv := NewInvoice(t, p, fmt.Sprintf("2024-%04d", n), "10.00")
			inv.DueDate = cutoff.AddDays(dueDays)
			inv.IssueDate = inv.DueDate.AddDays(-30)
			change(&inv)
			MustSaveInvoices(t, s, inv)
			if listed {
				want = append(want, inv.ID)
			}
			return inv
		}
		keep := func(*domain.Invoice) {}
		add(p, -40, keep, true)
		add(other, -30, func(inv *domain.Invoice) { inv.DeclaredPaidAt = Epoch }, true) // a declaration does not stop treasury
		locked := add(p, -20, keep, true)
		add(p, -1, keep, true)
		add(p, 0, keep, false) // due on the date itself
		add(p, 10, keep, false)
		add(p, -50, func(inv *domain.Invoice) { inv.State = domain.InvoicePaid }, false)
		add(p, -45, func(inv *domain.Invoice) { inv.State = domain.InvoiceTreasury }, false)
		add(stranger, -60, keep, false)
		// A live attempt holds an invoice; the store lists it all the same.
		a := NewAccount(t, p)
		MustSaveAccount(t, s, a)
		pay := NewPayment(t, b, a, locked)
		MustSavePayment(t, s, pay)
		locked.Lock(pay.ID, Epoch.Add(time.Hour))
		MustSaveInvoices(t, s, locked)

		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			got, err := tx.InvoicesDueBefore(t.Context(), b.ID, cutoff, 100)
			require.NoError(t, err)
			assert.Equal(t, want, invoiceIDs(got))
			got, err = tx.InvoicesDueBefore(t.Context(), b.ID, cutoff, 2)
			require.NoError(t, err)
			assert.Equal(t, want[:2], invoiceIDs(got), "the limit keeps the oldest")
		})

		inv, err := s.Invoice(ctx, want[0])
		require.NoError(t, err)
		_, err = inv.MoveToTreasury(Epoch)
		require.NoError(t, err)
		MustSaveInvoices(t, s, inv)
		got, err := s.InvoicesDueBefore(ctx, b.ID, cutoff, 100)
		require.NoError(t, err)
		assert.Equal(t, want[1:], invoiceIDs(got), "an invoice saved in treasury is no longer due")

		none, err := s.InvoicesDueBefore(ctx, uuid.New(), cutoff, 100)
		require.NoError(t, err)
		assert.Empty(t, none)
	}},
}
