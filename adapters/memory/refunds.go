package memory

import (
	"cmp"
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// refunds holds the double payments to refund, indexed by biller, by
// invoice, and by payment and invoice (unique).
type refunds struct {
	rows      table[uuid.UUID, domain.Refund]
	byBiller  map[uuid.UUID]set[uuid.UUID]
	byInvoice map[uuid.UUID]set[uuid.UUID]
	byPair    map[[2]uuid.UUID]uuid.UUID
}

func (r *refunds) init() {
	r.byBiller = make(map[uuid.UUID]set[uuid.UUID])
	r.byInvoice = make(map[uuid.UUID]set[uuid.UUID])
	r.byPair = make(map[[2]uuid.UUID]uuid.UUID)
	r.rows = newTable[uuid.UUID](
		func(x domain.Refund) {
			addTo(r.byBiller, x.BillerID, x.ID)
			addTo(r.byInvoice, x.InvoiceID, x.ID)
			r.byPair[[2]uuid.UUID{x.PaymentID, x.InvoiceID}] = x.ID
		},
		func(x domain.Refund) {
			removeFrom(r.byBiller, x.BillerID, x.ID)
			removeFrom(r.byInvoice, x.InvoiceID, x.ID)
			unindex(r.byPair, [2]uuid.UUID{x.PaymentID, x.InvoiceID}, x.ID)
		})
}

// SaveRefund inserts or replaces r.
func (t *tx) SaveRefund(ctx context.Context, r domain.Refund) (err error) {
	t, done, err := t.writing(ctx)
	if err != nil {
		return err
	}
	defer done(&err)
	rf := &t.t.refunds
	if id, ok := rf.byPair[[2]uuid.UUID{r.PaymentID, r.InvoiceID}]; ok && id != r.ID {
		return conflict("", "Ce double paiement est déjà enregistré.", "refund of payment %s and invoice %s exists", r.PaymentID, r.InvoiceID)
	}
	t.journal(rf.rows.put(r.ID, r))
	return nil
}

// Refund returns the refund with id.
func (t *tx) Refund(_ context.Context, id uuid.UUID) (domain.Refund, error) {
	t, done, err := t.reading()
	if err != nil {
		return domain.Refund{}, err
	}
	defer done()
	r, ok := t.t.refunds.rows.rows[id]
	if !ok {
		return r, notFound("refund %s", id)
	}
	return r, nil
}

// RefundForUpdate returns the refund with id; outside a transaction it
// is a plain read.
func (t *tx) RefundForUpdate(ctx context.Context, id uuid.UUID) (domain.Refund, error) {
	return t.Refund(ctx, id)
}

// RefundsByInvoice returns an invoice's refunds, oldest first.
func (t *tx) RefundsByInvoice(_ context.Context, invoiceID uuid.UUID) ([]domain.Refund, error) {
	t, done, err := t.reading()
	if err != nil {
		return nil, err
	}
	defer done()
	out := []domain.Refund{}
	for id := range t.t.refunds.byInvoice[invoiceID] {
		out = append(out, t.t.refunds.rows.rows[id])
	}
	slices.SortFunc(out, func(a, b domain.Refund) int { return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), compareIDs(a.ID, b.ID)) })
	return out, nil
}

// Refunds returns one page of a biller's refunds.
func (t *tx) Refunds(_ context.Context, q ports.RefundQuery) ([]domain.Refund, int, error) {
	t, done, err := t.reading()
	if err != nil {
		return nil, 0, err
	}
	defer done()
	out := []domain.Refund{}
	for id := range t.t.refunds.byBiller[q.BillerID] {
		r := t.t.refunds.rows.rows[id]
		if q.State != "" && r.State() != q.State {
			continue
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b domain.Refund) int { return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), compareIDs(b.ID, a.ID)) })
	total := len(out)
	return page(out, q.Offset, q.Limit), upTo(total, q.CountUpTo), nil
}
