package memory

import (
	"cmp"
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// Invoice returns the invoice with id.
func (t *tx) Invoice(_ context.Context, id uuid.UUID) (domain.Invoice, error) {
	t, done, err := t.reading()
	if err != nil {
		return domain.Invoice{}, err
	}
	defer done()
	inv, ok := t.t.invoices.rows[id]
	if !ok {
		return domain.Invoice{}, notFound("invoice %s", id)
	}
	return inv, nil
}

// InvoiceByNumber returns the biller's invoice numbered number.
func (t *tx) InvoiceByNumber(ctx context.Context, billerID uuid.UUID, number string) (domain.Invoice, error) {
	t, done, err := t.reading()
	if err != nil {
		return domain.Invoice{}, err
	}
	defer done()
	id, ok := t.t.invoiceByNumber[scoped{billerID, number}]
	if !ok {
		return domain.Invoice{}, notFound("invoice %q of biller %s", number, billerID)
	}
	return t.Invoice(ctx, id)
}

// InvoicesForUpdate needs no lock of its own: Atomic holds the whole
// store until the transaction ends.
func (t *tx) InvoicesForUpdate(ctx context.Context, ids []uuid.UUID) ([]domain.Invoice, error) {
	t, done, err := t.reading()
	if err != nil {
		return nil, err
	}
	defer done()
	out := make([]domain.Invoice, len(ids))
	for i, id := range ids {
		inv, err := t.Invoice(ctx, id)
		if err != nil {
			return nil, err
		}
		out[i] = inv
	}
	return out, nil
}

// ListInvoices costs O(n log n) in the payer's invoices, whatever the
// size of the store. It sorts small keys and copies only the page's
// invoices.
func (t *tx) ListInvoices(_ context.Context, q ports.InvoiceQuery) ([]domain.Invoice, int, error) {
	t, done, err := t.reading()
	if err != nil {
		return nil, 0, err
	}
	defer done()
	if !q.Tab.Valid() {
		return nil, 0, domain.Errorf(domain.Invalid, "Liste de factures inconnue.")
	}
	mine := t.t.invoicesByPayer[q.PayerID]
	l := invoiceList{
		keys:    make([]listKey, 0, len(mine)),
		numbers: make([]string, 0, len(mine)),
		ids:     make([]uuid.UUID, 0, len(mine)),
	}
	for id := range mine {
		if inv := t.t.invoices.rows[id]; inv.Tab() == q.Tab {
			l.keys = append(l.keys, listKey{issue: packDate(inv.IssueDate), at: int32(len(l.ids))})
			l.numbers = append(l.numbers, inv.Number)
			l.ids = append(l.ids, id)
		}
	}
	slices.SortFunc(l.keys, l.compare)
	onPage := page(l.keys, q.Offset, q.Limit)
	out := make([]domain.Invoice, len(onPage))
	for i, k := range onPage {
		out[i] = t.t.invoices.rows[l.ids[k.at]]
	}
	return out, len(l.keys), nil
}

// invoiceList is what ListInvoices sorts: keys without pointers, so that
// the sort moves 8 bytes at a time, each pointing into numbers and ids.
type invoiceList struct {
	keys    []listKey
	numbers []string
	ids     []uuid.UUID
}

type listKey struct {
	issue uint32 // packDate of the issue date
	at    int32  // index in numbers and ids
}

// packDate maps a valid date to an integer in the same order.
func packDate(d domain.Date) uint32 {
	return uint32(d.Year)<<9 | uint32(d.Month)<<5 | uint32(d.Day)
}

// compare orders the newest issue date first, then by number
// descending, then by id for a stable order.
func (l invoiceList) compare(a, b listKey) int {
	if a.issue != b.issue {
		return cmp.Compare(b.issue, a.issue)
	}
	if c := cmp.Compare(l.numbers[b.at], l.numbers[a.at]); c != 0 {
		return c
	}
	return compareIDs(l.ids[a.at], l.ids[b.at])
}

// InvoicesDueBefore returns up to limit unpaid invoices of the biller due
// strictly before due, oldest due date first (then by number). A limit of
// zero or less means no limit.
func (t *tx) InvoicesDueBefore(_ context.Context, billerID uuid.UUID, due domain.Date, limit int) ([]domain.Invoice, error) {
	t, done, err := t.reading()
	if err != nil {
		return nil, err
	}
	defer done()
	var out []domain.Invoice
	for id := range t.t.unpaidByBiller[billerID] {
		if inv := t.t.invoices.rows[id]; inv.DueDate.Before(due) {
			out = append(out, inv)
		}
	}
	slices.SortFunc(out, func(a, b domain.Invoice) int {
		return cmp.Or(a.DueDate.Compare(b.DueDate), cmp.Compare(a.Number, b.Number), compareIDs(a.ID, b.ID))
	})
	return page(out, 0, limit), nil
}

// SaveInvoice inserts or replaces inv; Conflict when another invoice of
// the biller has its number.
func (t *tx) SaveInvoice(ctx context.Context, inv domain.Invoice) (err error) {
	t, done, err := t.writing(ctx)
	if err != nil {
		return err
	}
	defer done(&err)
	if id, ok := t.t.invoiceByNumber[scoped{inv.BillerID, inv.Number}]; ok && id != inv.ID {
		return conflict("number", "Une autre facture de ce service porte déjà le numéro "+inv.Number+".",
			"invoice %s already has number %q", id, inv.Number)
	}
	t.journal(t.t.invoices.put(inv.ID, inv))
	return nil
}
