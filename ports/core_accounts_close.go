package ports

import (
	"context"
	"strconv"
	"time"

	"github.com/portail-factures/portail/domain"
)

// mailAccountClosed confirms to the payer that their account is closed.
const mailAccountClosed = "account_closed"

// closeAccount closes a in tx for the citizen's and the staff's use cases
// (citizens_close.go, backoffice_accounts_close.go): the account is saved
// closed, its links are deleted (none can activate it again), a mail to
// its address confirms the closure and the audit log gets one line. The
// mails still queued for the account (cancelQueuedMails) are cancelled
// first, so that the confirmation is the last mail the account gets. The
// caller ends the account's sessions once tx is committed
// (endAccountSessions).
func (p *Portal) closeAccount(ctx context.Context, tx Tx, a domain.Account, by Actor, target, detail string, now time.Time) error {
	to := a.Email
	if err := a.Close(now); err != nil {
		return err
	}
	if err := mapSave(tx.SaveAccount(ctx, a)); err != nil {
		return err
	}
	cancelled, err := cancelQueuedMails(ctx, tx, a, to)
	if err != nil {
		return err
	}
	detail += cancelledWords(cancelled)
	if _, err := tx.DeleteAccountTokens(ctx, a.ID); err != nil {
		return domain.WrapInternal(err)
	}
	b, err := tx.Biller(ctx, a.BillerID)
	if err != nil {
		return domain.WrapInternal(err)
	}
	if to != "" {
		m, err := p.mails.render(mailAccountClosed, to, b.Email, mailData{Biller: b, Email: to,
			Retention: RetentionWords(b.RetentionMonths), ByStaff: by.Kind == domain.ActorStaff})
		if err != nil {
			return err
		}
		if err := p.enqueue(ctx, tx, m, now); err != nil {
			return err
		}
	}
	return p.audit(ctx, tx, by, domain.AuditAccountClosed, target, detail)
}

// cancelQueuedMails deletes, in tx, the mails still pending (waiting or
// being retried) for the account being closed: those of its biller to
// its address (notices, reminders, payment confirmations and receipts,
// links, answers), and those to the new address of an email change it
// had asked for (the link dies with the account's tokens). None is
// meaningful once the account is closed: its links no longer open
// anything, it cannot log in to read what a notice announces, and its
// invoices, payments and receipts stay with the service, which gives
// them on request. A mail the sender is delivering at that instant may
// still leave (DeliverMails then finds it gone). The mails to the
// service (a contact message, a double payment) are the service's and
// stay; mails already sent or failed stay until the retention job
// (MailRetentionDays). to is the account's address before closing.
func cancelQueuedMails(ctx context.Context, tx Tx, a domain.Account, to string) (int, error) {
	addrs := []string{to}
	changes, err := tx.OpenTokens(ctx, a.ID, domain.TokenEmailChange)
	if err != nil {
		return 0, domain.WrapInternal(err)
	}
	for _, t := range changes {
		addrs = append(addrs, t.NewEmail)
	}
	n, err := tx.CancelMails(ctx, a.BillerID, addrs)
	return n, domain.WrapInternal(err)
}

// cancelledWords says in French, for the closure's audit line, how many
// queued mails were cancelled: nothing when none was.
func cancelledWords(n int) string {
	switch n {
	case 0:
		return ""
	case 1:
		return " 1 courriel en attente d'envoi annulé."
	default:
		return " " + strconv.Itoa(n) + " courriels en attente d'envoi annulés."
	}
}

// endAccountSessions ends every session of a closed account; a failure is
// logged: the sessions no longer open any page (Authenticate refuses a
// closed account), they only wait for their expiry.
func (p *Portal) endAccountSessions(ctx context.Context, a domain.Account) {
	if err := p.sessions.DeleteAccountSessions(ctx, a.ID, ""); err != nil {
		p.log.ErrorContext(ctx, "sessions not ended after account closed", "account", a.ID, "err", err)
	}
}

// RetentionWords says a retention period in French: "12 mois"; zero is
// the default period.
func RetentionWords(months int) string {
	if months == 0 {
		months = domain.DefaultRetentionMonths
	}
	return strconv.Itoa(months) + " mois"
}
