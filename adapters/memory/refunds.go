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
func (s *Store) SaveRefund(ctx context.Context, r domain.Refund) error {
	return s.write(ctx, func(t *tx) error { return t.SaveRefund(ctx, r) })
}

// Refund returns the refund with id.
func (s *Store) Refund(ctx context.Context, id uuid.UUID) (domain.Refund, error) {
	return read(s, func(t *tx) (domain.Refund, error) { return t.Refund(ctx, id) })
}

// RefundForUpdate returns the refund with id; outside a transaction it
// is a plain read.
func (s *Store) RefundForUpdate(ctx context.Context, id uuid.UUID) (domain.Refund, error) {
	return read(s, func(t *tx) (domain.Refund, error) { return t.RefundForUpdate(ctx, id) })
}

// RefundsByInvoice returns an invoice's refunds, oldest first.
func (s *Store) RefundsByInvoice(ctx context.Context, invoiceID uuid.UUID) ([]domain.Refund, error) {
	return read(s, func(t *tx) ([]domain.Refund, error) { return t.RefundsByInvoice(ctx, invoiceID) })
}

// Refunds returns one page of a biller's refunds.
func (s *Store) Refunds(ctx context.Context, q ports.RefundQuery) ([]domain.Refund, int, error) {
	return readPage(s, func(t *tx) ([]domain.Refund, int, error) { return t.Refunds(ctx, q) })
}

func (t *tx) SaveRefund(_ context.Context, r domain.Refund) error {
	if err := t.writing(); err != nil {
		return err
	}
	rf := &t.t.refunds
	if id, ok := rf.byPair[[2]uuid.UUID{r.PaymentID, r.InvoiceID}]; ok && id != r.ID {
		return conflict("", "Ce double paiement est déjà enregistré.", "refund of payment %s and invoice %s exists", r.PaymentID, r.InvoiceID)
	}
	t.journal(rf.rows.put(r.ID, r))
	return nil
}

func (t *tx) Refund(_ context.Context, id uuid.UUID) (domain.Refund, error) {
	if err := t.live(); err != nil {
		return domain.Refund{}, err
	}
	r, ok := t.t.refunds.rows.rows[id]
	if !ok {
		return r, notFound("refund %s", id)
	}
	return r, nil
}

func (t *tx) RefundForUpdate(ctx context.Context, id uuid.UUID) (domain.Refund, error) {
	return t.Refund(ctx, id)
}

func (t *tx) RefundsByInvoice(_ context.Context, invoiceID uuid.UUID) ([]domain.Refund, error) {
	if err := t.live(); err != nil {
		return nil, err
	}
	out := []domain.Refund{}
	for id := range t.t.refunds.byInvoice[invoiceID] {
		out = append(out, t.t.refunds.rows.rows[id])
	}
	slices.SortFunc(out, func(a, b domain.Refund) int { return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), compareIDs(a.ID, b.ID)) })
	return out, nil
}

func (t *tx) Refunds(_ context.Context, q ports.RefundQuery) ([]domain.Refund, int, error) {
	if err := t.live(); err != nil {
		return nil, 0, err
	}
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
