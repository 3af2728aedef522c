package memory

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// clonePayment copies the slices of p, so that neither the caller nor the
// store shares memory with the other. A payment is the only record with
// reference fields (see TestCloneCoversEveryReferenceField).
func clonePayment(p domain.Payment) domain.Payment {
	p.InvoiceIDs = slices.Clone(p.InvoiceIDs)
	p.InvoiceNumbers = slices.Clone(p.InvoiceNumbers)
	return p
}

// Payment returns the payment with id.
func (t *tx) Payment(_ context.Context, id uuid.UUID) (domain.Payment, error) {
	t, done, err := t.reading()
	if err != nil {
		return domain.Payment{}, err
	}
	defer done()
	p, ok := t.t.payments.rows[id]
	if !ok {
		return domain.Payment{}, notFound("payment %s", id)
	}
	return clonePayment(p), nil
}

// PaymentForUpdate needs no lock of its own: Atomic holds the whole store
// until the transaction ends.
func (t *tx) PaymentForUpdate(ctx context.Context, id uuid.UUID) (domain.Payment, error) {
	return t.Payment(ctx, id)
}

// PaymentByRefdet returns the payment with the debt reference refdet.
func (t *tx) PaymentByRefdet(ctx context.Context, refdet string) (domain.Payment, error) {
	t, done, err := t.reading()
	if err != nil {
		return domain.Payment{}, err
	}
	defer done()
	id, ok := t.t.paymentByRefdet[refdet]
	if !ok {
		return domain.Payment{}, notFound("payment with refdet %q", refdet)
	}
	return t.Payment(ctx, id)
}

// PaymentByOperation returns the payment with the gateway's operation id.
func (t *tx) PaymentByOperation(ctx context.Context, operationID string) (domain.Payment, error) {
	t, done, err := t.reading()
	if err != nil {
		return domain.Payment{}, err
	}
	defer done()
	id, ok := t.t.paymentByOperation[operationID]
	if !ok || operationID == "" {
		return domain.Payment{}, notFound("payment with operation %q", operationID)
	}
	return t.Payment(ctx, id)
}

// LivePayments returns up to limit created or in-progress payments,
// oldest first. A limit of zero or less means no limit.
func (t *tx) LivePayments(_ context.Context, limit int) ([]domain.Payment, error) {
	t, done, err := t.reading()
	if err != nil {
		return nil, err
	}
	defer done()
	out := make([]domain.Payment, 0, len(t.t.livePayments))
	for id := range t.t.livePayments {
		out = append(out, t.t.payments.rows[id])
	}
	slices.SortFunc(out, func(a, b domain.Payment) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), compareIDs(a.ID, b.ID))
	})
	out = page(out, 0, limit)
	for i := range out {
		out[i] = clonePayment(out[i])
	}
	return out, nil
}

// HeldPayments returns up to limit attempts that ended unpaid but still
// hold their invoices at at, with an operation id, by end of hold then id.
func (t *tx) HeldPayments(_ context.Context, at time.Time, limit int) ([]domain.Payment, error) {
	return t.paymentsWhere(limit,
		func(p domain.Payment) bool { return p.OperationID != "" && p.Holds(at) },
		func(p domain.Payment) time.Time { return p.LockedUntil })
}

// EndedUnpaidPayments returns up to limit attempts with an operation id,
// not in test, that ended refused, abandoned or expired at or after since,
// by end then id.
func (t *tx) EndedUnpaidPayments(_ context.Context, since time.Time, limit int) ([]domain.Payment, error) {
	return t.paymentsWhere(limit,
		func(p domain.Payment) bool {
			switch p.State {
			case domain.PaymentRefused, domain.PaymentAbandoned, domain.PaymentExpired:
				return p.OperationID != "" && p.Saisie != domain.SaisieTest && !p.FinishedAt.Before(since)
			}
			return false
		},
		func(p domain.Payment) time.Time { return p.FinishedAt })
}

// paymentsWhere scans every payment (the memory store keeps no index for
// these rare queries) and returns up to limit of those keep accepts, by
// key then id.
func (t *tx) paymentsWhere(limit int, keep func(domain.Payment) bool, key func(domain.Payment) time.Time) ([]domain.Payment, error) {
	t, done, err := t.reading()
	if err != nil {
		return nil, err
	}
	defer done()
	var out []domain.Payment
	for _, p := range t.t.payments.rows {
		if keep(p) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b domain.Payment) int {
		return cmp.Or(key(a).Compare(key(b)), compareIDs(a.ID, b.ID))
	})
	out = page(out, 0, limit)
	for i := range out {
		out[i] = clonePayment(out[i])
	}
	return out, nil
}

// SavePayment inserts or replaces p; Conflict when another payment has
// its refdet or operation id.
func (t *tx) SavePayment(ctx context.Context, p domain.Payment) (err error) {
	t, done, err := t.writing(ctx)
	if err != nil {
		return err
	}
	defer done(&err)
	if id, ok := t.t.paymentByRefdet[p.Refdet]; ok && id != p.ID {
		return conflict("refdet", "Un autre paiement porte déjà la référence "+p.Refdet+".",
			"payment %s already has refdet %q", id, p.Refdet)
	}
	if p.OperationID != "" {
		if id, ok := t.t.paymentByOperation[p.OperationID]; ok && id != p.ID {
			return conflict("", "Cette opération de paiement est déjà rattachée à un autre paiement.",
				"payment %s already has operation %q", id, p.OperationID)
		}
	}
	t.journal(t.t.payments.put(p.ID, clonePayment(p)))
	return nil
}

// SavePaymentStep saves the payment, the invoices and the event of a
// step, all or none.
func (t *tx) SavePaymentStep(ctx context.Context, st ports.PaymentStep) (added bool, err error) {
	w, done, err := t.writing(ctx)
	if err != nil {
		return false, err
	}
	defer done(&err)
	if was := st.Was; was != nil {
		if len(st.Invoices) > 0 || len(st.Mails) > 0 {
			return false, domain.WrapInternal(errors.New("memory: a payment step with Was carries no invoices or mails"))
		}
		cur, ok := w.t.payments.rows[st.Payment.ID]
		if !ok || cur.State != was.State || !cur.UpdatedAt.Equal(was.UpdatedAt) {
			return false, ports.ErrPaymentChanged
		}
	}
	if err := w.SavePayment(ctx, st.Payment); err != nil {
		return false, err
	}
	for _, inv := range st.Invoices {
		if err := w.SaveInvoice(ctx, inv); err != nil {
			return false, err
		}
	}
	for _, m := range st.Mails {
		if err := w.EnqueueMail(ctx, m); err != nil {
			return false, err
		}
	}
	if st.Event == nil {
		return false, nil
	}
	return w.AppendPaymentEvent(ctx, *st.Event)
}

// SaveMessage inserts or replaces m.
func (t *tx) SaveMessage(ctx context.Context, m domain.Message) (err error) {
	t, done, err := t.writing(ctx)
	if err != nil {
		return err
	}
	defer done(&err)
	t.journal(t.t.messages.put(m.ID, m))
	return nil
}

// Messages returns up to limit of the biller's messages, newest first. A
// limit of zero or less means no limit.
func (t *tx) Messages(_ context.Context, billerID uuid.UUID, limit int) ([]domain.Message, error) {
	t, done, err := t.reading()
	if err != nil {
		return nil, err
	}
	defer done()
	out := make([]domain.Message, 0, len(t.t.messagesByBiller[billerID]))
	for id := range t.t.messagesByBiller[billerID] {
		out = append(out, t.t.messages.rows[id])
	}
	slices.SortFunc(out, func(a, b domain.Message) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), compareIDs(b.ID, a.ID))
	})
	return page(out, 0, limit), nil
}
