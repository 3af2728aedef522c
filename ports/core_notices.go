package ports

import (
	"context"

	"github.com/portail-factures/portail/domain"
)

// The mails of the notices and reminders (issue 15, items 1 and 2), one
// template pair each in ports/mail.
const (
	mailNewInvoices = "new_invoices"
	mailReminder    = "reminder"
)

var noticeMails = []string{mailNewInvoices, mailReminder}

// PathInvoices is « Mes factures », the page a notice or reminder links
// to.
const PathInvoices = "/factures"

// noticeMail is the mail of kind to account a listing invoices, with its
// one-click unsubscribe link (core_unsubscribe.go) in the body and in
// Mail.Unsubscribe, which the SMTP adapter announces in the
// List-Unsubscribe headers (RFC 8058).
func (p *Portal) noticeMail(ctx context.Context, b domain.Biller, a domain.Account, kind domain.NoticeKind, invoices []domain.Invoice) (Mail, error) {
	name := mailReminder
	if kind == domain.NoticeNewInvoice {
		name = mailNewInvoices
	}
	stop, err := p.unsubscribeLink(ctx, b, a, kind)
	if err != nil {
		return Mail{}, err
	}
	m, err := p.mails.render(name, a.Email, b.Email, mailData{
		Biller: b, Email: a.Email, Invoices: invoices, Kind: kind,
		Link: p.SiteURL(b) + PathInvoices, Unsubscribe: stop,
	})
	m.Unsubscribe = stop
	return m, err
}
