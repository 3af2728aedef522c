package memory

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// Payment returns the payment with id.
func (s *Store) Payment(ctx context.Context, id uuid.UUID) (domain.Payment, error) {
	return read(s, func(t *tx) (domain.Payment, error) { return t.Payment(ctx, id) })
}

// PaymentForUpdate returns the payment with id. Outside Atomic it locks
// nothing: it is a plain read.
func (s *Store) PaymentForUpdate(ctx context.Context, id uuid.UUID) (domain.Payment, error) {
	return read(s, func(t *tx) (domain.Payment, error) { return t.PaymentForUpdate(ctx, id) })
}

// PaymentByRefdet returns the payment with the debt reference refdet.
func (s *Store) PaymentByRefdet(ctx context.Context, refdet string) (domain.Payment, error) {
	return read(s, func(t *tx) (domain.Payment, error) { return t.PaymentByRefdet(ctx, refdet) })
}

// PaymentByOperation returns the payment with the gateway's operation id.
func (s *Store) PaymentByOperation(ctx context.Context, operationID string) (domain.Payment, error) {
	return read(s, func(t *tx) (domain.Payment, error) { return t.PaymentByOperation(ctx, operationID) })
}

// LivePayments returns up to limit created or in-progress payments,
// oldest first. A limit of zero or less means no limit.
func (s *Store) LivePayments(ctx context.Context, limit int) ([]domain.Payment, error) {
	return read(s, func(t *tx) ([]domain.Payment, error) { return t.LivePayments(ctx, limit) })
}

// HeldPayments returns up to limit attempts that ended unpaid but still
// hold their invoices at at, with an operation id, by end of hold then id.
func (s *Store) HeldPayments(ctx context.Context, at time.Time, limit int) ([]domain.Payment, error) {
	return read(s, func(t *tx) ([]domain.Payment, error) { return t.HeldPayments(ctx, at, limit) })
}

// EndedUnpaidPayments returns up to limit attempts with an operation id,
// not in test, that ended refused, abandoned or expired at or after since,
// by end then id.
func (s *Store) EndedUnpaidPayments(ctx context.Context, since time.Time, limit int) ([]domain.Payment, error) {
	return read(s, func(t *tx) ([]domain.Payment, error) { return t.EndedUnpaidPayments(ctx, since, limit) })
}

// SavePayment inserts or replaces p; Conflict when another payment has
// its refdet or operation id.
func (s *Store) SavePayment(ctx context.Context, p domain.Payment) error {
	return s.write(ctx, func(t *tx) error { return t.SavePayment(ctx, p) })
}

// SaveMessage inserts or replaces m.
func (s *Store) SaveMessage(ctx context.Context, m domain.Message) error {
	return s.write(ctx, func(t *tx) error { return t.SaveMessage(ctx, m) })
}

// Messages returns up to limit of the biller's messages, newest first. A
// limit of zero or less means no limit.
func (s *Store) Messages(ctx context.Context, billerID uuid.UUID, limit int) ([]domain.Message, error) {
	return read(s, func(t *tx) ([]domain.Message, error) { return t.Messages(ctx, billerID, limit) })
}

// clonePayment copies the slices of p, so that neither the caller nor the
// store shares memory with the other. A payment is the only record with
// reference fields (see TestCloneCoversEveryReferenceField).
func clonePayment(p domain.Payment) domain.Payment {
	p.InvoiceIDs = slices.Clone(p.InvoiceIDs)
	p.InvoiceNumbers = slices.Clone(p.InvoiceNumbers)
	return p
}

func (t *tx) Payment(_ context.Context, id uuid.UUID) (domain.Payment, error) {
	if err := t.live(); err != nil {
		return domain.Payment{}, err
	}
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

func (t *tx) PaymentByRefdet(ctx context.Context, refdet string) (domain.Payment, error) {
	if err := t.live(); err != nil {
		return domain.Payment{}, err
	}
	id, ok := t.t.paymentByRefdet[refdet]
	if !ok {
		return domain.Payment{}, notFound("payment with refdet %q", refdet)
	}
	return t.Payment(ctx, id)
}

func (t *tx) PaymentByOperation(ctx context.Context, operationID string) (domain.Payment, error) {
	if err := t.live(); err != nil {
		return domain.Payment{}, err
	}
	id, ok := t.t.paymentByOperation[operationID]
	if !ok || operationID == "" {
		return domain.Payment{}, notFound("payment with operation %q", operationID)
	}
	return t.Payment(ctx, id)
}

func (t *tx) LivePayments(_ context.Context, limit int) ([]domain.Payment, error) {
	if err := t.live(); err != nil {
		return nil, err
	}
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

func (t *tx) HeldPayments(_ context.Context, at time.Time, limit int) ([]domain.Payment, error) {
	return t.paymentsWhere(limit,
		func(p domain.Payment) bool { return p.OperationID != "" && p.Holds(at) },
		func(p domain.Payment) time.Time { return p.LockedUntil })
}

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
	if err := t.live(); err != nil {
		return nil, err
	}
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

func (t *tx) SavePayment(_ context.Context, p domain.Payment) error {
	if err := t.writing(); err != nil {
		return err
	}
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

func (t *tx) SaveMessage(_ context.Context, m domain.Message) error {
	if err := t.writing(); err != nil {
		return err
	}
	t.journal(t.t.messages.put(m.ID, m))
	return nil
}

func (t *tx) Messages(_ context.Context, billerID uuid.UUID, limit int) ([]domain.Message, error) {
	if err := t.live(); err != nil {
		return nil, err
	}
	out := make([]domain.Message, 0, len(t.t.messagesByBiller[billerID]))
	for id := range t.t.messagesByBiller[billerID] {
		out = append(out, t.t.messages.rows[id])
	}
	slices.SortFunc(out, func(a, b domain.Message) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), compareIDs(b.ID, a.ID))
	})
	return page(out, 0, limit), nil
}
