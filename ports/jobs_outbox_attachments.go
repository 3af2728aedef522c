package ports

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// The files an outbox mail names (OutboxMail.Attach) are made by the
// sender just before it sends the mail, outside the transaction that
// queued it: a payment's PDF receipt costs reads, its verification code's
// insert and tens of milliseconds of layout, which must not hold the
// payment's invoices locked. Making a file again on a retry gives the same
// file: the receipt's dates are the payment's and its code is kept
// (VerificationStore.IssueVerification).

// errNoFile marks a file that can never be made (the payment has no
// receipt, the portal no PDFWriter, the layout failed): retrying would not
// help.
var errNoFile = errors.New("the file cannot be made")

// mailToSend is m's mail with the files m.Attach names, made now. A file
// the store could not provide is a temporary failure (code Unavailable):
// the mail is retried as a failed send is, until it is older than
// Config.MailRetryFor. A file that can never be made, or still cannot when
// the retries end, is left out and logged at error level, and the mail is
// rendered again without it, so that its text does not promise a file it
// lacks: a receipt is never a reason to lose the payer's confirmation.
func (p Jobs) mailToSend(ctx context.Context, m OutboxMail, now time.Time) (Mail, error) {
	mail := m.Mail
	if len(m.Attach) == 0 {
		return mail, nil
	}
	mail.Attachments = slices.Clone(mail.Attachments)
	for _, ref := range m.Attach {
		a, err := p.makeAttachment(ctx, ref)
		if err == nil {
			mail.Attachments = append(mail.Attachments, a)
			continue
		}
		if !errors.Is(err, errNoFile) && now.Sub(m.CreatedAt) < p.cfg.MailRetryFor {
			return Mail{}, domain.WrapUnavailable(fmt.Errorf("attachment %s of %s not made: %w", ref.Kind, ref.ID, err))
		}
		p.log.ErrorContext(ctx, "mail sent without its attachment", "mail", m.ID, "attachment", ref.Kind, "of", ref.ID, "err", err)
		mail = p.withoutAttachment(ctx, mail, ref)
	}
	return mail, nil
}

// makeAttachment makes the file ref names.
func (p Jobs) makeAttachment(ctx context.Context, ref AttachmentRef) (Attachment, error) {
	switch ref.Kind {
	case AttachReceipt:
		return p.receiptFile(ctx, ref.ID)
	default:
		return Attachment{}, fmt.Errorf("%w: unknown kind %q", errNoFile, ref.Kind)
	}
}

// receiptFile is the PDF receipt of a payment, with its verification code
// (issued now if the receipt has none yet, kept otherwise). It reads the
// payment, its payer and each invoice, outside any transaction: a
// receipted payment no longer changes.
func (p Jobs) receiptFile(ctx context.Context, paymentID uuid.UUID) (Attachment, error) {
	pay, err := p.store.Payment(ctx, paymentID)
	if err != nil {
		return Attachment{}, lastingIfNotFound(err)
	}
	if !p.mailsReceipt(pay) {
		return Attachment{}, fmt.Errorf("%w: payment %s has no receipt", errNoFile, pay.ID)
	}
	b, err := p.biller(ctx, pay.BillerID)
	if err != nil {
		return Attachment{}, lastingIfNotFound(err)
	}
	payer, err := p.store.Payer(ctx, pay.PayerID)
	if err != nil {
		return Attachment{}, lastingIfNotFound(err)
	}
	r, err := p.receiptOfPayment(ctx, p.store, b, payer, pay)
	if err != nil {
		return Attachment{}, lastingIfNotFound(err)
	}
	if r, err = p.withCode(ctx, p.store, r); err != nil {
		return Attachment{}, err
	}
	data, err := p.receiptPDF(b, r, pay.InvoiceIDs[0])
	if err != nil {
		return Attachment{}, fmt.Errorf("%w: %w", errNoFile, err)
	}
	return Attachment{Name: r.FileName(), ContentType: "application/pdf", Data: data}, nil
}

// lastingIfNotFound marks a document that is not there as a file that
// can never be made; any other error of the store may pass.
func lastingIfNotFound(err error) error {
	if c := domain.ErrorCode(err); c == domain.NotFound || c == domain.Invalid {
		return fmt.Errorf("%w: %w", errNoFile, err)
	}
	return err
}

// withoutAttachment is mail rendered again without the sentence that
// announces the file ref names; mail as it is if that cannot be done
// (logged), since sending it beats losing it.
func (p Jobs) withoutAttachment(ctx context.Context, mail Mail, ref AttachmentRef) Mail {
	if ref.Kind != AttachReceipt {
		return mail
	}
	again, err := p.paidWithoutReceipt(ctx, ref.ID)
	if err != nil {
		p.log.ErrorContext(ctx, "mail sent as queued, announcing a file it lacks", "attachment", ref.Kind, "of", ref.ID, "err", err)
		return mail
	}
	mail.Subject, mail.Text, mail.HTML = again.Subject, again.Text, again.HTML
	return mail
}

// paidWithoutReceipt renders the payer's confirmation of a payment as it
// reads without a receipt attached.
func (p Jobs) paidWithoutReceipt(ctx context.Context, paymentID uuid.UUID) (Mail, error) {
	pay, err := p.store.Payment(ctx, paymentID)
	if err != nil {
		return Mail{}, err
	}
	b, err := p.biller(ctx, pay.BillerID)
	if err != nil {
		return Mail{}, err
	}
	return p.renderPaid(b, pay, false)
}
