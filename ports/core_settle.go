package ports

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/portail-factures/portail/domain"
)

// Closing a payment, whoever drives it (the citizen's start, the DGFiP's
// notification, the reconciler, the back office's confirmation): its
// invoices settled or released as domain.SettleOrRelease decides, double
// payments recorded as refunds, the billing service and the payer told.

// mailDoublePayment tells the billing service a payment arrived twice
// and must be refunded.
const mailDoublePayment = "double_payment"

// PathRefunds is the back office's list of double payments to refund,
// which the billing service's mail links to.
const PathRefunds = "/gestion/remboursements"

// recordRefunds saves the refunds SettleInvoices returned for pay, each
// once: a "paid" applied again (a confirmation arriving later) finds its
// refund already recorded and changes nothing.
func (p *Portal) recordRefunds(ctx context.Context, tx Tx, pay domain.Payment, refunds []domain.Refund, now time.Time) error {
	for _, r := range refunds {
		if _, err := tx.Refund(ctx, r.ID); err == nil {
			continue
		} else if domain.ErrorCode(err) != domain.NotFound {
			return domain.WrapInternal(err)
		}
		if r.EarlierOnline() {
			earlier, err := tx.Payment(ctx, r.EarlierPaymentID)
			if err != nil && domain.ErrorCode(err) != domain.NotFound {
				return domain.WrapInternal(err)
			}
			r.EarlierRefdet = earlier.Refdet
		}
		if err := mapSave(tx.SaveRefund(ctx, r)); err != nil {
			return err
		}
		p.log.WarnContext(ctx, "payment received twice: refund recorded", "payment", pay.ID, "invoice", r.InvoiceID, "refund", r.ID)
		detail := fmt.Sprintf("Double paiement : la facture %s était déjà réglée (%s) ; %s à rembourser au redevable.",
			r.InvoiceNumber, r.EarlierLabel(), domain.FormatEuros(r.Amount))
		if err := p.paymentEvent(ctx, tx, pay, "", detail); err != nil {
			return err
		}
		if err := p.audit(ctx, tx, SystemActor(pay.BillerID), domain.AuditDoublePaymentMet, r.InvoiceNumber, detail); err != nil {
			return err
		}
		if err := p.enqueueDoublePayment(ctx, tx, r, now); err != nil {
			return err
		}
	}
	return nil
}

// enqueueDoublePayment mails the billing service about a refund to make,
// at the biller's address, in the transaction that records it.
func (p *Portal) enqueueDoublePayment(ctx context.Context, tx Tx, r domain.Refund, now time.Time) error {
	b, err := p.billerIn(ctx, tx, r.BillerID)
	if err != nil {
		return domain.WrapInternal(err)
	}
	if b.Email == "" {
		p.log.ErrorContext(ctx, "double payment not mailed: the biller has no address", "biller", b.ID, "refund", r.ID)
		return nil
	}
	payer, err := tx.Payer(ctx, r.PayerID)
	if err != nil && domain.ErrorCode(err) != domain.NotFound {
		return domain.WrapInternal(err)
	}
	m, err := p.mails.render(mailDoublePayment, b.Email, "", mailData{
		Biller: b, Payer: payer, Refund: r, Link: strings.TrimRight(p.SiteURL(b), "/") + PathRefunds,
	})
	if err != nil {
		return err
	}
	return p.enqueue(ctx, tx, m, now)
}

// finish applies a change to a payment and, when it becomes final
// unpaid, releases its invoices, in one transaction, and records the
// step (code, detail) in its timeline.
func (p *Portal) finish(ctx context.Context, id uuid.UUID, change func(*domain.Payment, time.Time) bool, code, detail string) error {
	now := p.clock.Now()
	var (
		pay     domain.Payment
		before  domain.PaymentState
		doubles int
	)
	err := p.store.Atomic(ctx, func(tx Tx) error {
		var err error
		pay, err = tx.PaymentForUpdate(ctx, id)
		if err != nil {
			return domain.WrapInternal(err)
		}
		before = pay.State
		if !change(&pay, now) {
			return nil
		}
		doubles, err = p.saveStep(ctx, tx, &pay, code, detail, now, nil)
		return err
	})
	if err == nil {
		p.countEnded(ctx, before, pay, doubles)
	}
	return err
}

// saveStep records a change of a payment: the payment, its step (code,
// detail) in the timeline and, when it ended, its invoices settled or
// released as releaseOrSettle does, and mails, in one write
// (Tx.SavePaymentStep); then an anomaly's step and the refunds of a
// double payment, whose number it returns (for the metrics, counted
// once the transaction committed).
func (p *Portal) saveStep(ctx context.Context, tx Tx, pay *domain.Payment, code, detail string, now time.Time, mails []OutboxMail) (int, error) {
	// The step says the payment as it changed, before settling.
	e, err := p.newEvent(*pay, code, detail)
	if err != nil {
		return 0, err
	}
	var c domain.Closing
	if !pay.Live() {
		invs, err := tx.InvoicesForUpdate(ctx, pay.InvoiceIDs)
		if err != nil {
			return 0, domain.WrapInternal(err)
		}
		c = domain.SettleOrRelease(pay, invs, now)
	}
	if _, err := tx.SavePaymentStep(ctx, PaymentStep{Payment: *pay, Invoices: c.Invoices, Event: &e, Mails: mails}); err != nil {
		return 0, domain.WrapInternal(err)
	}
	if c.Anomaly {
		p.log.ErrorContext(ctx, "payment received for an invoice already settled", "payment", pay.ID, "anomaly", pay.Anomaly)
		if err := p.paymentEvent(ctx, tx, *pay, "", "Anomalie : "+pay.Anomaly); err != nil {
			return 0, err
		}
	}
	return len(c.Refunds), p.recordRefunds(ctx, tx, *pay, c.Refunds, now)
}

// releaseOrSettle brings the invoices in line with a payment's state:
// settled when paid, released when otherwise final. A paid invoice that
// another payment already settled gets a refund to make (recordRefunds);
// it returns how many, for the metrics once the transaction committed.
func (p *Portal) releaseOrSettle(ctx context.Context, tx Tx, pay *domain.Payment, now time.Time) (int, error) {
	if pay.Live() {
		return 0, nil
	}
	invs, err := tx.InvoicesForUpdate(ctx, pay.InvoiceIDs)
	if err != nil {
		return 0, domain.WrapInternal(err)
	}
	c := domain.SettleOrRelease(pay, invs, now)
	if c.Anomaly {
		p.log.ErrorContext(ctx, "payment received for an invoice already settled", "payment", pay.ID, "anomaly", pay.Anomaly)
		if err := tx.SavePayment(ctx, *pay); err != nil {
			return 0, domain.WrapInternal(err)
		}
		if err := p.paymentEvent(ctx, tx, *pay, "", "Anomalie : "+pay.Anomaly); err != nil {
			return 0, err
		}
	}
	if err := p.recordRefunds(ctx, tx, *pay, c.Refunds, now); err != nil {
		return 0, err
	}
	for _, inv := range c.Invoices {
		if err := tx.SaveInvoice(ctx, inv); err != nil {
			return 0, domain.WrapInternal(err)
		}
	}
	return len(c.Refunds), nil
}

// enqueuePaid puts the payer's confirmation of a paid attempt in the
// outbox, in the transaction that records the payment: the receipt when
// the payment is confirmed, « Paiement reçu, en attente de confirmation
// par le service » while it is known only from the legacy URL mode's
// callback.
func (p *Portal) enqueuePaid(ctx context.Context, tx Tx, pay domain.Payment, now time.Time) error {
	m, err := p.paidMail(ctx, tx, pay, now)
	if err != nil {
		return err
	}
	return domain.WrapInternal(tx.EnqueueMail(ctx, m))
}

// paidMail is the mail enqueuePaid queues, for a PaymentStep to carry.
// A confirmed payment's mail names its PDF receipt (AttachReceipt) instead
// of carrying it: the sender makes it just before sending, outside this
// transaction, which keeps the invoices' row locks short
// (jobs_outbox_attachments.go).
func (p *Portal) paidMail(ctx context.Context, tx Tx, pay domain.Payment, now time.Time) (OutboxMail, error) {
	b, err := p.billerIn(ctx, tx, pay.BillerID)
	if err != nil {
		return OutboxMail{}, domain.WrapInternal(err)
	}
	receipt := p.mailsReceipt(pay)
	m, err := p.renderPaid(b, pay, receipt)
	if err != nil {
		return OutboxMail{}, err
	}
	om, err := p.outboxMail(m, now)
	if receipt {
		om.Attach = []AttachmentRef{{Kind: AttachReceipt, ID: pay.ID}}
	}
	return om, err
}

// renderPaid renders the payer's confirmation of pay; receipt says that
// its PDF receipt is attached.
func (p *Portal) renderPaid(b domain.Biller, pay domain.Payment, receipt bool) (Mail, error) {
	name := mailPaid
	if pay.Unconfirmed() {
		name = mailPaidUnconfirmed
	}
	return p.mails.render(name, pay.Email, b.Email, mailData{Biller: b, Payment: pay, Receipt: receipt})
}
