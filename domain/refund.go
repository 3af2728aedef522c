package domain

import (
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// Refund is a double payment to refund: a confirmed "paid" reached an
// invoice that was already paid (by another attempt, at the counter, or
// by a declared payment the service confirmed). The invoice stays paid
// once; the extra payment's share for that invoice is owed to the payer,
// and a person at the billing service refunds it outside the portal, then
// records it here (MarkRefunded).
type Refund struct {
	// ID is derived from the extra payment and the invoice (RefundID): one
	// refund per invoice of a payment, however often its "paid" arrives.
	ID       uuid.UUID
	BillerID uuid.UUID
	PayerID  uuid.UUID

	InvoiceID     uuid.UUID
	InvoiceNumber string
	// Amount is what to refund: the invoice's share of the extra payment.
	Amount decimal.Decimal

	// The extra payment: the portal's attempt, its PayFiP references
	// (refdet, idOp, numauto) and when the DGFiP says it was paid.
	PaymentID     uuid.UUID
	Refdet        string
	OperationID   string
	Authorization string
	TransactionAt time.Time

	// The earlier settlement: the attempt that paid the invoice first, or
	// uuid.Nil when the service recorded a payment made outside the
	// portal (at the counter, a declared payment confirmed); EarlierRefdet
	// is that attempt's refdet, filled by the caller who can read it.
	EarlierPaymentID uuid.UUID
	EarlierRefdet    string
	EarlierPaidAt    time.Time

	CreatedAt time.Time
	// RefundedAt and RefundedBy (the staff member's name) are set once
	// the service says it refunded the payer.
	RefundedAt time.Time
	RefundedBy string
	// CancelledAt and CancelReason (in French) are set when the refund is
	// no longer owed (Cancel): the settlement it doubled was undone, so
	// the extra payment now settles the invoice.
	CancelledAt  time.Time
	CancelReason string
}

// RefundState says whether a refund is still to do.
type RefundState string

// The refund states, as the back office filters them.
const (
	RefundPending  RefundState = "pending"
	RefundRefunded RefundState = "refunded"
	// RefundCancelled: no longer owed, the extra payment settling the
	// invoice instead (Refund.Cancel).
	RefundCancelled RefundState = "cancelled"
)

// Valid reports whether s is a known state.
func (s RefundState) Valid() bool {
	return s == RefundPending || s == RefundRefunded || s == RefundCancelled
}

// Label says the state in French.
func (s RefundState) Label() string {
	switch s {
	case RefundRefunded:
		return "Remboursé"
	case RefundCancelled:
		return "Annulé"
	}
	return "À rembourser"
}

// State says whether the refund is still to do.
func (r Refund) State() RefundState {
	switch {
	case r.Refunded():
		return RefundRefunded
	case r.Cancelled():
		return RefundCancelled
	}
	return RefundPending
}

// Refunded reports whether the service recorded the refund.
func (r Refund) Refunded() bool { return !r.RefundedAt.IsZero() }

// Cancelled reports whether the refund is no longer owed.
func (r Refund) Cancelled() bool { return !r.CancelledAt.IsZero() }

// Pending reports whether the refund is still to do.
func (r Refund) Pending() bool { return r.State() == RefundPending }

// EarlierOnline reports whether the invoice was first paid through the
// portal (another attempt) rather than outside it.
func (r Refund) EarlierOnline() bool { return r.EarlierPaymentID != uuid.Nil }

// EarlierLabel says in French how the invoice was paid first, for the
// back office and the billing service's mail.
func (r Refund) EarlierLabel() string {
	when := ""
	if !r.EarlierPaidAt.IsZero() {
		when = " le " + FrenchDateTime(r.EarlierPaidAt)
	}
	if r.EarlierOnline() {
		ref := r.EarlierRefdet
		if ref == "" {
			ref = r.EarlierPaymentID.String()
		}
		return "paiement en ligne " + ref + when
	}
	return "règlement enregistré par le service hors du portail (guichet, règlement déclaré confirmé…)" + when
}

// refundNamespace derives refund ids (UUID version 5).
var refundNamespace = uuid.MustParse("5b0c4d0e-6f0a-4c55-9d1e-72656675e4d0")

// RefundID is the id of the refund of payment's share of invoice: the
// same pair always gives the same id, so that a "paid" received again
// never records a second refund.
func RefundID(payment, invoice uuid.UUID) uuid.UUID {
	name := make([]byte, 0, 32)
	name = append(name, payment[:]...)
	return uuid.NewSHA1(refundNamespace, append(name, invoice[:]...))
}

// SettledBefore is the detail of the Conflict Invoice.Settle returns for
// an invoice already paid by another payment: who paid it, and when.
type SettledBefore struct {
	Number    string
	PaymentID uuid.UUID // uuid.Nil: paid outside the portal
	PaidAt    time.Time
}

func (e *SettledBefore) Error() string {
	by := "outside the portal"
	if e.PaymentID != uuid.Nil {
		by = "by payment " + e.PaymentID.String()
	}
	return "invoice " + e.Number + " already settled " + by
}

// NewRefund records that the paid attempt p reached inv, already settled
// as before says, at now. The amount is inv's share of p: the whole
// payment when it was for inv alone, else the invoice's amount (never
// more than the payment's total).
func NewRefund(p Payment, inv Invoice, before SettledBefore, now time.Time) Refund {
	amount := inv.Amount
	if len(p.InvoiceIDs) == 1 || amount.GreaterThan(p.Total) {
		amount = p.Total
	}
	at := p.TransactionAt
	if at.IsZero() {
		at = now
	}
	return Refund{
		ID: RefundID(p.ID, inv.ID), BillerID: p.BillerID, PayerID: p.PayerID,
		InvoiceID: inv.ID, InvoiceNumber: inv.Number, Amount: amount,
		PaymentID: p.ID, Refdet: p.Refdet, OperationID: p.OperationID, Authorization: p.Authorization, TransactionAt: at,
		EarlierPaymentID: before.PaymentID, EarlierPaidAt: before.PaidAt,
		CreatedAt: now,
	}
}

// DoublePayments returns the refunds of a paid, confirmed attempt p: its
// share of each of its invoices (as they stand before SettleInvoices)
// that another settlement paid. None for any other attempt: an
// unconfirmed "paid" (legacy URL mode, possibly forged) gets its refunds
// when it is confirmed, so that nobody is told to refund money that may
// never have come.
func DoublePayments(p Payment, invoices []Invoice, now time.Time) []Refund {
	if p.State != PaymentPaid || !p.Confirmed {
		return nil
	}
	var refunds []Refund
	for _, inv := range invoices {
		if inv.State == InvoicePaid && inv.PaymentID != p.ID && slices.Contains(p.InvoiceIDs, inv.ID) {
			refunds = append(refunds, NewRefund(p, inv, SettledBefore{Number: inv.Number, PaymentID: inv.PaymentID, PaidAt: inv.PaidAt}, now))
		}
	}
	return refunds
}

// doublePaymentNote is the anomaly SettleInvoices notes on p for an
// invoice that was already paid.
func doublePaymentNote(p Payment, inv Invoice, before SettledBefore, now time.Time) error {
	what := "à rembourser au redevable"
	if !p.Confirmed {
		what = "à rembourser au redevable si ce paiement est confirmé"
	}
	return Errorf(Conflict, "La facture %s était déjà réglée par un autre paiement : %s %s.",
		inv.Number, FormatEuros(NewRefund(p, inv, before, now).Amount), what)
}

// MarkRefunded records that by (a staff member's name) refunded the payer
// at now. Marking it again is a Conflict that says who did it first.
func (r *Refund) MarkRefunded(by string, now time.Time) error {
	if r.Refunded() {
		return Errorf(Conflict, "Le double paiement de la facture %s a déjà été marqué comme remboursé le %s par %s.",
			r.InvoiceNumber, FrenchDateTime(r.RefundedAt), r.RefundedBy)
	}
	if r.Cancelled() {
		return Errorf(Conflict, "Le double paiement de la facture %s n'est plus à rembourser depuis le %s : %s",
			r.InvoiceNumber, FrenchDateTime(r.CancelledAt), r.CancelReason)
	}
	if by == "" {
		return Errorf(Invalid, "Indiquez qui a remboursé le redevable.")
	}
	r.RefundedAt = now
	r.RefundedBy = by
	return nil
}

// Cancel records, at now, that the refund is no longer owed, and why
// (in French). It reports whether it changed: cancelling twice changes
// nothing, and a refund already made cannot be cancelled (Conflict): the
// money went back to the payer.
//
// A refund is cancelled, not deleted: the billing service may already
// have exported the list or begun the refund, so it stays listed, as
// « Annulé » with when and why, and can no longer be marked refunded.
func (r *Refund) Cancel(reason string, now time.Time) (bool, error) {
	switch {
	case r.Cancelled():
		return false, nil
	case r.Refunded():
		return false, Errorf(Conflict, "Le double paiement de la facture %s a déjà été remboursé le %s par %s.",
			r.InvoiceNumber, FrenchDateTime(r.RefundedAt), r.RefundedBy)
	}
	r.CancelledAt = now
	r.CancelReason = reason
	return true, nil
}

// The audit actions of refunds. Their labels join auditLabels here, so
// that the refunds live in one file.
const (
	AuditRefundDone       AuditAction = "payment.refunded"
	AuditRefundsExported  AuditAction = "payment.refunds_exported"
	AuditDoublePaymentMet AuditAction = "payment.double_payment"
	AuditRefundCancelled  AuditAction = "payment.refund_cancelled"
)

func init() {
	auditLabels[AuditRefundDone] = "Double paiement remboursé"
	auditLabels[AuditRefundsExported] = "Export des doubles paiements"
	auditLabels[AuditDoublePaymentMet] = "Double paiement reçu"
	auditLabels[AuditRefundCancelled] = "Double paiement annulé"
}
