package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// The billing service's review of payments: the legacy URL mode's
// unconfirmed payments (confirmed or rejected), anomalies, and the
// invoices payers declared paid.

// Unconfirmed reports whether the attempt is paid on the word of the
// legacy URL mode's unauthenticated callback only, awaiting the billing
// service's confirmation or the settlement report (docs/payfip.md §4.1).
func (p Payment) Unconfirmed() bool { return p.State == PaymentPaid && !p.Confirmed }

// Confirm records that the money of a paid attempt was received: by the
// billing service, or by the DGFiP's settlement report. It reports
// whether anything changed; confirming twice is harmless. Only a paid
// attempt can be confirmed.
func (p *Payment) Confirm(now time.Time) (bool, error) {
	if p.State != PaymentPaid {
		return false, Errorf(Conflict, "Seul un paiement accepté peut être confirmé (ce paiement est « %s »).", p.State.Label())
	}
	if p.Confirmed {
		return false, nil
	}
	p.Confirmed = true
	p.UpdatedAt = now
	return true, nil
}

// Reject records that the billing service never received the money of a
// paid attempt known only from an unauthenticated callback. The caller
// then reopens its invoices with UndoRejected. It reports whether anything
// changed: rejecting twice is harmless and changes nothing the second
// time. A confirmed payment cannot be rejected: the DGFiP itself said it
// was paid.
func (p *Payment) Reject(now time.Time) (bool, error) {
	switch {
	case p.State == PaymentRejected:
		return false, nil
	case !p.Unconfirmed():
		return false, Errorf(Conflict, "Seul un paiement accepté et non confirmé peut être rejeté (ce paiement est « %s »).", p.stateWords())
	}
	p.State = PaymentRejected
	p.FinishedAt = now
	p.UpdatedAt = now
	return true, nil
}

func (p Payment) stateWords() string {
	if p.State == PaymentPaid && p.Confirmed {
		return "accepté et confirmé"
	}
	return p.State.Label()
}

// Flag notes an anomaly for the billing service on the attempt, once: a
// note already there is not repeated. It reports whether it changed.
func (p *Payment) Flag(note string, now time.Time) bool {
	note = strings.TrimSpace(note)
	if note == "" || strings.Contains(p.Anomaly, note) {
		return false
	}
	p.Anomaly = strings.TrimSpace(p.Anomaly + " " + note)
	p.UpdatedAt = now
	return true
}

// ReopenInvoices undoes the settlement of a rejected attempt: each invoice
// it settled is unpaid again. An invoice settled by something else stays
// as it is. It returns the invoices changed.
func ReopenInvoices(p Payment, invoices []Invoice, now time.Time) []Invoice {
	var changed []Invoice
	for _, inv := range invoices {
		if inv.State == InvoicePaid && inv.PaymentID == p.ID && p.ID != uuid.Nil {
			inv.State = InvoiceUnpaid
			inv.PaidAt = time.Time{}
			inv.PaymentID = uuid.Nil
			inv.AwaitingConfirmation = false
			inv.UpdatedAt = now
			changed = append(changed, inv)
		}
	}
	return changed
}

// Rejection is what undoing a rejected attempt's settlements changes
// (UndoRejected).
type Rejection struct {
	// Reopened are the invoices unpaid again.
	Reopened []Invoice
	// Resettled are the invoices now settled by the confirmed payment of
	// a double payment to refund instead; Cancelled are those refunds, no
	// longer owed, in the same order.
	Resettled []Invoice
	Cancelled []Refund
	// Repointed are other refunds still owed of a resettled invoice, whose
	// first settlement now names the payment that settles it.
	Repointed []Refund
}

// UndoRejected undoes the settlements of the rejected attempt p: its
// invoices as they stand, and refunds, each invoice's refunds oldest
// first (RefundsByInvoice), by invoice id.
//
// An invoice p settled is unpaid again (ReopenInvoices), unless another
// payment's money for it is held: a refund still to do of that invoice.
// A refund is recorded only for a confirmed payment (DoublePayments),
// and a confirmed payment cannot be rejected, so that money did come:
// the oldest such payment settles the invoice instead, at its
// transaction time, and its refund is cancelled, since nothing is owed
// to the payer any more. A refund already made does not count: the
// payer got the money back, so the invoice reopens.
func UndoRejected(p Payment, invoices []Invoice, refunds map[uuid.UUID][]Refund, now time.Time) Rejection {
	var out Rejection
	for _, inv := range ReopenInvoices(p, invoices, now) {
		idx := settlerIndex(p, refunds[inv.ID])
		if idx < 0 {
			out.Reopened = append(out.Reopened, inv)
			continue
		}
		list := refunds[inv.ID]
		by := list[idx]
		reason := fmt.Sprintf("le paiement %s, qui avait réglé la facture %s, a été rejeté (non reçu) : le paiement %s la règle désormais.",
			p.Refdet, inv.Number, by.Refdet)
		// Neither fails: the refund is pending and ReopenInvoices left the
		// invoice unpaid.
		if _, err := by.Cancel(reason, now); err != nil {
			out.Reopened = append(out.Reopened, inv)
			continue
		}
		if _, err := inv.Settle(by.PaymentID, by.TransactionAt, now); err != nil {
			out.Reopened = append(out.Reopened, inv)
			continue
		}
		out.Resettled = append(out.Resettled, inv)
		out.Cancelled = append(out.Cancelled, by)
		for i, r := range list {
			if i != idx && r.Pending() && r.EarlierPaymentID == p.ID {
				r.EarlierPaymentID, r.EarlierRefdet, r.EarlierPaidAt = by.PaymentID, by.Refdet, by.TransactionAt
				out.Repointed = append(out.Repointed, r)
			}
		}
	}
	return out
}

// RejectionSettler returns the refund whose payment would settle inv if
// the attempt p, which settled it, were rejected (UndoRejected): the
// oldest refund of inv still to do, of another payment. refunds are the
// invoice's, oldest first. False when the invoice would reopen.
func RejectionSettler(p Payment, inv Invoice, refunds []Refund) (Refund, bool) {
	if inv.State != InvoicePaid || inv.PaymentID != p.ID || p.ID == uuid.Nil {
		return Refund{}, false
	}
	if i := settlerIndex(p, refunds); i >= 0 {
		return refunds[i], true
	}
	return Refund{}, false
}

func settlerIndex(p Payment, refunds []Refund) int {
	return slices.IndexFunc(refunds, func(r Refund) bool { return r.Pending() && r.PaymentID != p.ID })
}

// ConfirmDeclared settles an invoice the payer declared paid, once the
// billing service saw the money: paid outside the portal (no payment),
// on the day of the declaration. Only a declared invoice can be confirmed.
func (inv *Invoice) ConfirmDeclared(now time.Time) error {
	if !inv.Declared() {
		return Errorf(Conflict, "La facture %s n'est pas déclarée réglée par le redevable.", inv.Number)
	}
	declared := inv.DeclaredPaidAt
	if _, err := inv.Settle(uuid.Nil, declared, now); err != nil {
		return err
	}
	// Kept on the paid invoice: it tells a confirmed declaration from a
	// payment at the counter (Invoice.Channel, the back office's charts).
	inv.DeclaredPaidAt = declared
	return nil
}

// RejectDeclared takes back a payer's declaration the billing service
// could not match with any money: the invoice is unpaid again and the
// payer may pay it online. Only a declared invoice can be rejected.
func (inv *Invoice) RejectDeclared(now time.Time) error {
	if !inv.Declared() {
		return Errorf(Conflict, "La facture %s n'est pas déclarée réglée par le redevable.", inv.Number)
	}
	return inv.UndoDeclarePaid(now)
}
