package ports

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// InvoiceStatusChange is a change of an invoice's state made by the
// billing service, by hand in the back office or from its billing
// software.
type InvoiceStatusChange struct {
	// Status is the state wanted: domain.InvoicePaid (paid outside the
	// portal, at the counter for instance), domain.InvoiceTreasury or
	// domain.InvoiceCancelled.
	Status domain.InvoiceState
	// PaidAt is when an invoice marked paid was paid; zero means now. It
	// may not be in the future.
	PaidAt time.Time
}

// errStatusChange refuses a state the billing service may not set.
var errStatusChange = domain.FieldError("status",
	"État demandé inconnu : une facture peut être marquée réglée (paid), transmise en trésorerie (treasury) ou annulée (cancelled).")

// SetInvoiceStatus moves the actor's biller's invoice numbered number to
// the state ch asks, and reports whether anything changed: asking twice
// is harmless. The domain decides what is allowed (Invoice.Settle,
// MoveToTreasury, Cancel): a settled invoice cannot be cancelled, an
// invoice settled online cannot be marked paid again, a payment in
// progress blocks treasury and cancellation. Every change is audited.
func (p BillingAPI) SetInvoiceStatus(ctx context.Context, a Actor, number string, ch InvoiceStatusChange) (InvoiceRecord, bool, error) {
	if err := a.canWrite(a.BillerID); err != nil {
		return InvoiceRecord{}, false, err
	}
	now := p.clock.Now()
	paidAt := ch.PaidAt
	switch ch.Status {
	case domain.InvoicePaid:
		if paidAt.IsZero() {
			paidAt = now
		}
		if paidAt.After(now) {
			return InvoiceRecord{}, false, domain.FieldError("paid_at", "La date de règlement ne peut pas être dans le futur.")
		}
	case domain.InvoiceTreasury, domain.InvoiceCancelled:
	default:
		return InvoiceRecord{}, false, errStatusChange
	}
	var rec InvoiceRecord
	var changed bool
	err := p.store.Atomic(ctx, func(tx Tx) error {
		inv, err := existingInvoiceForUpdate(ctx, tx, a.BillerID, number)
		if err != nil {
			return err
		}
		var detail string
		switch ch.Status {
		case domain.InvoicePaid:
			changed, err = inv.Settle(uuid.Nil, paidAt, now)
			detail = "Facture marquée réglée hors du portail (règlement du " + domain.FrenchDateTime(paidAt) + ")."
		case domain.InvoiceTreasury:
			changed, err = inv.MoveToTreasury(now)
			detail = "Facture transmise en trésorerie."
		case domain.InvoiceCancelled:
			changed, err = inv.Cancel(now)
			detail = "Facture annulée."
		}
		if err != nil {
			return err
		}
		if changed {
			if err := mapSave(tx.SaveInvoice(ctx, inv)); err != nil {
				return err
			}
			if err := p.audit(ctx, tx, a, domain.AuditInvoiceStatus, inv.Number, detail); err != nil {
				return err
			}
		}
		rec, err = p.invoiceRecord(ctx, tx, inv)
		return err
	})
	if err != nil {
		return InvoiceRecord{}, false, err
	}
	return rec, changed, nil
}

// PaidPaymentsQuery selects the payments made online that the billing
// software fetches.
type PaidPaymentsQuery struct {
	// Since and Until bound when the attempt began: Since <= CreatedAt <
	// Until; a zero Until means now. An attempt ends within
	// domain.OperationWindow of its start, but a legacy-mode payment may
	// be confirmed later: callers read with an overlap and keep each
	// refdet once.
	Since, Until time.Time
	Offset       int
	// Limit is at most MaxPaymentsPerPage; zero means that many.
	Limit int
}

// MaxPaymentsPerPage bounds one page of PaidPayments.
const MaxPaymentsPerPage = 500

// PaidPayments lists the actor's biller's paid and confirmed payments
// matching q, newest first, and how many match: the money the billing
// software may book. A "paid" known only from the legacy URL mode's
// unauthenticated callback is left out until the service (or the
// settlement report) confirms it, since it may be forged and may never
// come (docs/payfip.md §4.1); a rejected one is never listed. Test
// payments are never paid.
func (p BillingAPI) PaidPayments(ctx context.Context, a Actor, q PaidPaymentsQuery) ([]domain.Payment, int, error) {
	if err := a.canRead(a.BillerID); err != nil {
		return nil, 0, err
	}
	if q.Limit <= 0 || q.Limit > MaxPaymentsPerPage {
		q.Limit = MaxPaymentsPerPage
	}
	if q.Offset < 0 {
		q.Offset = 0
	}
	if q.Until.IsZero() {
		q.Until = p.clock.Now().Add(time.Nanosecond)
	}
	list, total, err := p.store.Payments(ctx, PaymentQuery{
		BillerID: a.BillerID, From: q.Since, Until: q.Until, States: []domain.PaymentState{domain.PaymentPaid},
		Confirmed: true, Offset: q.Offset, Limit: q.Limit,
	})
	if err != nil {
		return nil, 0, domain.WrapInternal(err)
	}
	return list, total, nil
}
