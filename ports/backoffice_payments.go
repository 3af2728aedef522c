package ports

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/portail-factures/portail/domain"
)

// PaymentsPerPage is the default size of one page of the back office's
// payment lists.
const PaymentsPerPage = 50

// PaymentRow is one line of the back office's payment list.
type PaymentRow struct {
	Payment domain.Payment
	// Payer is the attempt's payer; zero when it cannot be read.
	Payer domain.Payer
}

// PaymentList is one page of a biller's payments.
type PaymentList struct {
	Rows  []PaymentRow
	Total int // payments matching the query, up to BackOfficeCountLimit
	// AtLeast is set when Total is the bound: there may be more.
	AtLeast bool
	Paging
}

// Payments lists the actor's biller's payment attempts matching q,
// newest first, one page (q.Offset, q.Limit). q.BillerID is always the
// actor's.
func (p BackOfficePayments) Payments(ctx context.Context, a Actor, q PaymentQuery) (PaymentList, error) {
	if err := a.canRead(a.BillerID); err != nil {
		return PaymentList{}, err
	}
	q.BillerID = a.BillerID
	q.Offset, q.Limit = boundPage(q.Offset, q.Limit)
	q.CountUpTo = BackOfficeCountLimit
	list, total, err := p.store.Payments(ctx, q)
	if err != nil {
		return PaymentList{}, domain.WrapInternal(err)
	}
	payers := payerCache{store: p.store, biller: a.BillerID}
	out := PaymentList{Total: total, AtLeast: total >= BackOfficeCountLimit, Paging: pagingOf(total, q.Offset, q.Limit)}
	for _, pay := range list {
		out.Rows = append(out.Rows, PaymentRow{Payment: pay, Payer: payers.get(ctx, pay.PayerID)})
	}
	return out, nil
}

// PaymentsPayer finds the actor's biller's payer by external reference,
// for the payment list's filter. An unknown reference is NotFound with a
// French message naming it.
func (p BackOfficePayments) PaymentsPayer(ctx context.Context, a Actor, ref string) (domain.Payer, error) {
	if err := a.canRead(a.BillerID); err != nil {
		return domain.Payer{}, err
	}
	ref = strings.TrimSpace(ref)
	payer, err := p.store.PayerByRef(ctx, a.BillerID, ref)
	if err != nil || payer.BillerID != a.BillerID {
		return domain.Payer{}, notFoundAs(err, &domain.Error{Code: domain.NotFound, Field: "payer",
			Message: fmt.Sprintf("Aucun redevable n'a la référence « %s ».", ref)})
	}
	return payer, nil
}

// PaymentDetail is one attempt as the back office shows it.
type PaymentDetail struct {
	Payment domain.Payment
	// Timeline is every step of the attempt, oldest first.
	Timeline []domain.PaymentEvent
	// Invoices are the attempt's invoices as they stand now.
	Invoices []domain.Invoice
	Payer    domain.Payer
	// Settlers are, by invoice id, the double payments to refund that
	// would settle an invoice of this unconfirmed payment if the service
	// rejected it (domain.RejectionSettler); the others would reopen.
	Settlers map[uuid.UUID]domain.Refund
}

// PaymentDetail returns one of the actor's biller's attempts with its
// timeline, invoices and payer. Another biller's is NotFound.
func (p BackOfficePayments) PaymentDetail(ctx context.Context, a Actor, id uuid.UUID) (PaymentDetail, error) {
	if err := a.canRead(a.BillerID); err != nil {
		return PaymentDetail{}, err
	}
	pay, err := p.store.Payment(ctx, id)
	if err != nil {
		return PaymentDetail{}, notFoundAs(err, domain.ErrNotFound)
	}
	if err := a.canRead(pay.BillerID); err != nil {
		return PaymentDetail{}, err
	}
	d := PaymentDetail{Payment: pay}
	if d.Timeline, err = p.store.PaymentEvents(ctx, id); err != nil {
		return PaymentDetail{}, domain.WrapInternal(err)
	}
	for _, invID := range pay.InvoiceIDs {
		inv, err := p.store.Invoice(ctx, invID)
		if err != nil {
			if domain.ErrorCode(err) == domain.NotFound {
				continue
			}
			return PaymentDetail{}, domain.WrapInternal(err)
		}
		d.Invoices = append(d.Invoices, inv)
		if !pay.Unconfirmed() {
			continue
		}
		refunds, err := p.store.RefundsByInvoice(ctx, inv.ID)
		if err != nil {
			return PaymentDetail{}, domain.WrapInternal(err)
		}
		if r, ok := domain.RejectionSettler(pay, inv, refunds); ok {
			if d.Settlers == nil {
				d.Settlers = make(map[uuid.UUID]domain.Refund)
			}
			d.Settlers[inv.ID] = r
		}
	}
	payers := payerCache{store: p.store, biller: a.BillerID}
	d.Payer = payers.get(ctx, pay.PayerID)
	return d, nil
}

// ConfirmPayment is the billing service saying it received the money of
// an attempt paid on the word of the legacy URL mode's unauthenticated
// callback. Confirming twice is harmless.
//
// The invoices it settled are then « Réglée » (no longer awaiting the
// service) and the payer gets the payment's receipt.
func (p BackOfficePayments) ConfirmPayment(ctx context.Context, a Actor, id uuid.UUID) error {
	mailed := false
	doubles := 0
	err := p.reviewPayment(ctx, a, id, func(tx Tx, pay *domain.Payment) (bool, error) {
		now := p.clock.Now()
		changed, err := pay.Confirm(now)
		if err != nil || !changed {
			return false, err
		}
		if err := p.paymentEvent(ctx, tx, *pay, "", "Confirmé par le service de facturation ("+a.Label+")."); err != nil {
			return false, err
		}
		if doubles, err = p.confirmed(ctx, tx, pay, now); err != nil {
			return false, err
		}
		mailed = true
		return true, p.audit(ctx, tx, a, domain.AuditPaymentConfirmed, pay.Refdet,
			fmt.Sprintf("Paiement de %s confirmé (factures %s).", domain.FormatEuros(pay.Total), strings.Join(pay.InvoiceNumbers, ", ")))
	})
	if err == nil && mailed {
		p.countDoubles(ctx, doubles)
		p.mailsQueued(ctx)
	}
	return err
}

// confirmed brings the invoices of a payment just confirmed in line (no
// longer awaiting the service) and puts the payer's receipt in the
// outbox, in the transaction that confirms it. It returns the double
// payments met (releaseOrSettle).
func (p *Portal) confirmed(ctx context.Context, tx Tx, pay *domain.Payment, now time.Time) (int, error) {
	doubles, err := p.releaseOrSettle(ctx, tx, pay, now)
	if err != nil {
		return 0, err
	}
	return doubles, p.enqueuePaid(ctx, tx, *pay, now)
}

// RejectPayment is the billing service saying it never received the
// money of an attempt paid on the word of an unauthenticated callback:
// the attempt is rejected and the invoices it settled are unpaid again.
// The payer, told « Paiement reçu, en attente de confirmation par le
// service » when the callback came, is told by email (through the
// outbox, in the same transaction) that the money was not received and
// which invoices are to pay again. A confirmed payment cannot be
// rejected.
func (p BackOfficePayments) RejectPayment(ctx context.Context, a Actor, id uuid.UUID) error {
	queued := false
	err := p.reviewPayment(ctx, a, id, func(tx Tx, pay *domain.Payment) (bool, error) {
		queued = false
		now := p.clock.Now()
		if changed, err := pay.Reject(now); err != nil || !changed {
			return false, err
		}
		invs, err := tx.InvoicesForUpdate(ctx, pay.InvoiceIDs)
		if err != nil {
			return false, domain.WrapInternal(err)
		}
		refunds, err := p.pendingRefunds(ctx, tx, *pay, invs)
		if err != nil {
			return false, err
		}
		undo := domain.UndoRejected(*pay, invs, refunds, now)
		var numbers []string
		for _, inv := range undo.Reopened {
			if err := tx.SaveInvoice(ctx, inv); err != nil {
				return false, domain.WrapInternal(err)
			}
			numbers = append(numbers, inv.Number)
		}
		reopened := "aucune facture rouverte"
		if len(numbers) > 0 {
			reopened = "factures de nouveau à régler : " + strings.Join(numbers, ", ")
		}
		for i, inv := range undo.Resettled {
			if err := p.resettled(ctx, tx, a, *pay, inv, undo.Cancelled[i]); err != nil {
				return false, err
			}
			reopened += fmt.Sprintf(" ; facture %s réglée par le paiement %s (double paiement, plus à rembourser)", inv.Number, undo.Cancelled[i].Refdet)
		}
		for _, r := range undo.Repointed {
			if err := mapSave(tx.SaveRefund(ctx, r)); err != nil {
				return false, err
			}
		}
		told, err := p.enqueueRejected(ctx, tx, *pay, numbers, undo.Cancelled, now)
		if err != nil {
			return false, err
		}
		queued = told != ""
		if told == "" {
			told = "le redevable n'a pas d'adresse de messagerie : prévenez-le par un autre moyen"
		}
		if err := p.paymentEvent(ctx, tx, *pay, "", "Rejeté par le service de facturation ("+a.Label+") : paiement non reçu ; "+reopened+" ; "+told+"."); err != nil {
			return false, err
		}
		return true, p.audit(ctx, tx, a, domain.AuditPaymentRejected, pay.Refdet,
			fmt.Sprintf("Paiement de %s rejeté, non reçu ; %s ; %s.", domain.FormatEuros(pay.Total), reopened, told))
	})
	if err == nil && queued {
		p.mailsQueued(ctx)
	}
	return err
}

// pendingRefunds returns, by invoice, the refunds of the invoices the
// rejected payment pay settled, oldest first, those still to do locked
// (so that no one marks one refunded meanwhile): what
// domain.UndoRejected needs.
func (p *Portal) pendingRefunds(ctx context.Context, tx Tx, pay domain.Payment, invs []domain.Invoice) (map[uuid.UUID][]domain.Refund, error) {
	out := make(map[uuid.UUID][]domain.Refund)
	for _, inv := range invs {
		if inv.State != domain.InvoicePaid || inv.PaymentID != pay.ID {
			continue
		}
		list, err := tx.RefundsByInvoice(ctx, inv.ID)
		if err != nil {
			return nil, domain.WrapInternal(err)
		}
		for i, r := range list {
			if !r.Pending() {
				continue
			}
			if list[i], err = tx.RefundForUpdate(ctx, r.ID); err != nil {
				return nil, domain.WrapInternal(err)
			}
		}
		out[inv.ID] = list
	}
	return out, nil
}

// resettled records that inv, settled by the rejected payment pay, is
// settled instead by the confirmed payment of the refund r, now
// cancelled: the invoice and the refund are saved, and the step goes in
// that payment's timeline and the audit log.
func (p *Portal) resettled(ctx context.Context, tx Tx, a Actor, pay domain.Payment, inv domain.Invoice, r domain.Refund) error {
	if err := tx.SaveInvoice(ctx, inv); err != nil {
		return domain.WrapInternal(err)
	}
	if err := mapSave(tx.SaveRefund(ctx, r)); err != nil {
		return err
	}
	p.log.WarnContext(ctx, "rejected payment: the invoice is settled by its double payment, whose refund is cancelled",
		"payment", pay.ID, "invoice", inv.ID, "by", r.PaymentID, "refund", r.ID)
	detail := fmt.Sprintf("Le paiement %s, qui avait réglé la facture %s, a été rejeté par le service (%s) : ce paiement règle désormais la facture %s ; le double paiement de %s n'est plus à rembourser.",
		pay.Refdet, inv.Number, a.Label, inv.Number, domain.FormatEuros(r.Amount))
	if by, err := tx.PaymentForUpdate(ctx, r.PaymentID); err == nil {
		if err := p.paymentEvent(ctx, tx, by, "", detail); err != nil {
			return err
		}
	} else if domain.ErrorCode(err) != domain.NotFound {
		return domain.WrapInternal(err)
	}
	return p.audit(ctx, tx, a, domain.AuditRefundCancelled, inv.Number,
		fmt.Sprintf("Double paiement de %s (paiement %s) annulé : %s", domain.FormatEuros(r.Amount), r.Refdet, r.CancelReason))
}

// enqueueRejected tells the payer of a rejected payment that the money
// was not received, that the invoices numbers are to pay again and that
// the invoices of kept stay settled by their other payment, at
// the address the payment was made with (the one told it awaited
// confirmation), else the payer's. It returns "courriel envoyé à …", or
// "" when no address is known.
func (p *Portal) enqueueRejected(ctx context.Context, tx Tx, pay domain.Payment, numbers []string, kept []domain.Refund, now time.Time) (string, error) {
	to := pay.Email
	if to == "" {
		var err error
		if to, err = p.payerAddress(ctx, tx, pay.PayerID); err != nil || to == "" {
			return "", err
		}
	}
	b, err := tx.Biller(ctx, pay.BillerID)
	if err != nil {
		return "", domain.WrapInternal(err)
	}
	m, err := p.mails.render(mailPaymentRejected, to, b.Email, mailData{
		Biller: b, Payment: pay, Numbers: numbers, Kept: kept, Email: to, Link: strings.TrimRight(p.cfg.PublicURL, "/") + "/factures",
	})
	if err != nil {
		return "", err
	}
	if err := p.enqueue(ctx, tx, m, now); err != nil {
		return "", err
	}
	return "courriel envoyé à " + to, nil
}

// reviewPayment runs a staff decision on one of the actor's biller's
// attempts in one transaction: change reports whether it changed the
// payment (and audited it); an unchanged payment is not saved.
func (p *Portal) reviewPayment(ctx context.Context, a Actor, id uuid.UUID, change func(Tx, *domain.Payment) (bool, error)) error {
	if err := a.canWrite(a.BillerID); err != nil {
		return err
	}
	var (
		pay    domain.Payment
		before domain.PaymentState
	)
	err := p.store.Atomic(ctx, func(tx Tx) error {
		var err error
		pay, err = tx.PaymentForUpdate(ctx, id)
		if err != nil {
			return notFoundAs(err, domain.ErrNotFound)
		}
		before = pay.State
		if err := a.canWrite(pay.BillerID); err != nil {
			return err
		}
		changed, err := change(tx, &pay)
		if err != nil || !changed {
			return err
		}
		return mapSave(tx.SavePayment(ctx, pay))
	})
	if err == nil {
		p.countEnded(ctx, before, pay, 0) // a rejection
	}
	return err
}

// payerCache reads each payer of a list once.
type payerCache struct {
	store  Store
	biller uuid.UUID
	seen   map[uuid.UUID]domain.Payer
}

// get returns the payer, or a zero payer when it cannot be read or is
// another biller's.
func (c *payerCache) get(ctx context.Context, id uuid.UUID) domain.Payer {
	if payer, ok := c.seen[id]; ok {
		return payer
	}
	if c.seen == nil {
		c.seen = make(map[uuid.UUID]domain.Payer)
	}
	payer, err := c.store.Payer(ctx, id)
	if err != nil || payer.BillerID != c.biller {
		payer = domain.Payer{}
	}
	c.seen[id] = payer
	return payer
}
