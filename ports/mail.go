package ports

import (
	"bytes"
	"embed"
	htmltemplate "html/template"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/portail-factures/portail/domain"
)

// Paths of the pages that links in emails open. The HTTP adapter serves
// them.
const (
	// PathSetPassword opens "Saisissez votre nouveau mot de passe", for an
	// activation link and a password-reset link alike.
	PathSetPassword = "/mot-de-passe"
	// PathConfirmEmail confirms a change of email address.
	PathConfirmEmail = "/mes-informations/confirmer-adresse"
)

// The messages the portal sends, one template pair each in ports/mail:
// NAME.txt defines "subject" and "text", NAME.html the HTML body.
const (
	mailActivation   = "activation"
	mailReset        = "reset"
	mailEmailChange  = "email_change"
	mailEmailChanged = "email_changed"
	mailPaperless    = "paperless"
	mailContact      = "contact"
	mailPaid         = "paid"
	// mailPaidUnconfirmed tells a payer their payment, known only from
	// the legacy URL mode's callback, awaits the service's confirmation.
	mailPaidUnconfirmed = "paid_unconfirmed"
	// mailDeclaredRejected tells a payer the service did not find the
	// payment they declared (ports/backoffice_payments_declared.go).
	mailDeclaredRejected = "declared_rejected"
	// mailPaymentRejected tells a payer the service did not receive an
	// unconfirmed payment (ports/backoffice_payments.go, RejectPayment).
	mailPaymentRejected = "payment_rejected"
)

//go:embed mail/*.txt mail/*.html
var mailFS embed.FS

type mailTemplates struct {
	text map[string]*texttemplate.Template
	html map[string]*htmltemplate.Template
}

func mustParseMailTemplates() *mailTemplates {
	m := &mailTemplates{text: map[string]*texttemplate.Template{}, html: map[string]*htmltemplate.Template{}}
	funcs := map[string]any{"euros": domain.FormatEuros, "join": strings.Join, "datetime": domain.FrenchDateTime}
	for _, name := range []string{mailActivation, mailReset, mailEmailChange, mailEmailChanged, mailPaperless, mailContact, mailPaid, mailPaidUnconfirmed, mailDeclaredRejected, mailPaymentRejected, mailDoublePayment, mailAccountClosed} {
		m.text[name] = texttemplate.Must(texttemplate.New(name+".txt").Funcs(funcs).ParseFS(mailFS, "mail/"+name+".txt"))
		m.html[name] = htmltemplate.Must(htmltemplate.New(name+".html").Funcs(funcs).ParseFS(mailFS, "mail/"+name+".html", "mail/layout.html"))
	}
	// The staff members' mails (backoffice_admin_staff.go).
	// The notices and reminders (core_notices.go).
	for _, name := range noticeMails {
		m.text[name] = texttemplate.Must(texttemplate.New(name+".txt").Funcs(funcs).ParseFS(mailFS, "mail/"+name+".txt"))
		m.html[name] = htmltemplate.Must(htmltemplate.New(name+".html").Funcs(funcs).ParseFS(mailFS, "mail/"+name+".html", "mail/layout.html"))
	}
	for _, name := range staffMails {
		m.text[name] = texttemplate.Must(texttemplate.New(name+".txt").Funcs(funcs).ParseFS(mailFS, "mail/"+name+".txt"))
		m.html[name] = htmltemplate.Must(htmltemplate.New(name+".html").Funcs(funcs).ParseFS(mailFS, "mail/"+name+".html", "mail/layout.html"))
	}
	return m
}

// mailData is what every template sees.
type mailData struct {
	Biller domain.Biller
	// Staff is the staff member a back-office mail is for; Login the
	// address of the back office's login page.
	Staff   domain.Staff
	Login   string
	Link    string
	Email   string // the address concerned
	Payer   domain.Payer
	Message domain.Message
	Payment domain.Payment
	Invoice domain.Invoice
	TTL     string // how long the link stays valid, in words
	Refund  domain.Refund
	// Numbers are the invoice numbers a mail is about, when they are not
	// all of Payment's (the invoices a rejected payment reopened).
	Numbers []string
	// Kept are the double payments that now settle invoices of a rejected
	// payment, no longer to refund (domain.UndoRejected).
	Kept []domain.Refund

	// Invoices are the invoices a notice or reminder lists (ports/core_notices.go),
	// Kind which mail it is, Unsubscribe the link that stops that kind.
	Invoices    []domain.Invoice
	Kind        domain.NoticeKind
	Unsubscribe string
	// Receipt: the payment's receipt is attached, as a PDF.
	Receipt bool

	// Retention says how long a closed account's data are kept, ByStaff
	// whether the service closed it (core_accounts_close.go).
	Retention string
	ByStaff   bool
}

// render builds the mail called name for to.
func (m *mailTemplates) render(name, to, replyTo string, d mailData) (Mail, error) {
	var subject, text, html bytes.Buffer
	t := m.text[name]
	if err := t.ExecuteTemplate(&subject, "subject", d); err != nil {
		return Mail{}, domain.WrapInternal(err)
	}
	if err := t.ExecuteTemplate(&text, "text", d); err != nil {
		return Mail{}, domain.WrapInternal(err)
	}
	if err := m.html[name].ExecuteTemplate(&html, name+".html", d); err != nil {
		return Mail{}, domain.WrapInternal(err)
	}
	return Mail{
		To: to, ReplyTo: replyTo,
		// A subject is one line: folding line breaks here means no header
		// can ever be injected through a biller's name or a payer's words.
		Subject:  strings.Join(strings.Fields(subject.String()), " "),
		Text:     strings.TrimSpace(text.String()) + "\n",
		HTML:     html.String(),
		BillerID: d.Biller.ID,
	}, nil
}

// ttlWords writes a link's lifetime in French.
func ttlWords(d time.Duration) string {
	h := int(d.Hours())
	switch {
	case h >= 48 && h%24 == 0:
		return strconv.Itoa(h/24) + " jours"
	case h == 1:
		return "1 heure"
	case h >= 1:
		return strconv.Itoa(h) + " heures"
	}
	return "quelques minutes"
}
