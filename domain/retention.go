package domain

import (
	"fmt"
	"regexp"
	"time"

	"github.com/google/uuid"
)

// Closing an account and keeping its personal data for a while (issue 16,
// item 7). A closed account cannot log in; its personal data stay for the
// biller's retention period (Biller.RetentionMonths) so that the service
// can answer a dispute or a request about it, then the retention job
// erases them (Account.Anonymise, Message.Anonymise, RedactAudit). The
// invoices and payments are the public accounts' records and are never
// touched (README, "Privacy (RGPD)").

// Retention bounds, in months after the closure of an account.
const (
	// DefaultRetentionMonths is one year: the CNIL's recommendation for
	// the security logs that name the account (6 months to 1 year), and
	// beyond the two months in which a payer may contest a titre de
	// recettes (CGCT, article L1617-5). README, "Privacy (RGPD)".
	DefaultRetentionMonths = 12
	MinRetentionMonths     = 1
	// MaxRetentionMonths is five years, the ordinary limitation period
	// (Code civil, article 2224): keeping an account's data longer has no
	// ground.
	MaxRetentionMonths = 60
)

// CheckRetention returns an Invalid error unless months is an allowed
// retention period.
func CheckRetention(months int) error {
	if months < MinRetentionMonths || months > MaxRetentionMonths {
		return FieldError("retention_months", fmt.Sprintf(
			"La durée de conservation d'un compte clos doit être comprise entre %d et %d mois.", MinRetentionMonths, MaxRetentionMonths))
	}
	return nil
}

// RetentionCutoff is the instant before which an account must have been
// closed for its data to be erased at now.
func (b Biller) RetentionCutoff(now time.Time) time.Time {
	months := b.RetentionMonths
	if months == 0 {
		months = DefaultRetentionMonths
	}
	return now.In(Paris).AddDate(0, -months, 0)
}

// ErrAccountClosed answers a change to an account already closed.
var ErrAccountClosed = &Error{Code: Conflict, Message: "Ce compte est déjà clos."}

// Closed reports whether the account was closed.
func (a Account) Closed() bool { return a.State == AccountClosed }

// Close closes the account at now: it can no longer log in, and its
// links no longer work (Active is false). Its data stay until the
// retention period is over.
func (a *Account) Close(now time.Time) error {
	if a.Closed() {
		return ErrAccountClosed
	}
	a.State = AccountClosed
	a.ClosedAt = now
	a.UpdatedAt = now
	return nil
}

// Forgettable reports whether the retention job must erase the account's
// personal data at now: closed before the biller's cutoff and not erased
// yet.
func (a Account) Forgettable(b Biller, now time.Time) bool {
	return a.Closed() && a.AnonymisedAt.IsZero() && !a.ClosedAt.IsZero() && a.ClosedAt.Before(b.RetentionCutoff(now))
}

// Anonymise erases the account's personal data: its login address, its
// password hash, its dates of activity and its choices. What stays is
// what the records kept for the accounts refer to: the id, the biller,
// the payer, the state and the dates of creation and closure.
func (a *Account) Anonymise(now time.Time) {
	a.Email = ""
	a.PasswordHash = ""
	a.LastLoginAt = time.Time{}
	a.NoticesOff, a.RemindersOff = false, false
	a.AnonymisedAt = now
	a.UpdatedAt = now
}

// Anonymised marks the words that replace erased personal data.
const Anonymised = "[anonymisé]"

// Anonymise erases what the payer wrote and the address the message came
// from; its kind, state and dates stay, for the service's statistics.
func (m *Message) Anonymise() {
	m.FromEmail = ""
	m.Subject = Anonymised
	m.Body = Anonymised
}

// emailLike finds what looks like an address in a text.
var emailLike = regexp.MustCompile(`[^\s<>"'(),;:«»]+@[^\s<>"'(),;:«»]+`)

// RedactAudit returns e, a line of the account's own (a citizen's
// event), without what ties it to a person: the account's id and
// address, the addresses in its target and detail, the client's IP. The
// action and the instant stay: the log still says what happened, no
// longer who did it.
func RedactAudit(e AuditEvent) AuditEvent {
	e.ActorID = uuid.Nil
	e.ActorLabel = Anonymised
	e.Target = redactEmails(e.Target)
	e.Detail = redactEmails(e.Detail)
	e.IP = ""
	return e
}

// redactEmails replaces every address in s.
func redactEmails(s string) string { return emailLike.ReplaceAllString(s, Anonymised) }
