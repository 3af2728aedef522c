package domain

import "time"

// NoticeKind names a mail the portal sends about an invoice at most once
// (issue 15, items 1 and 2): the store keeps one row per invoice and kind,
// written in the transaction that queues the mail.
type NoticeKind string

const (
	// NoticeNewInvoice is the mail telling a payer a new invoice arrived.
	NoticeNewInvoice NoticeKind = "new_invoice"
	// NoticeReminderBefore is the reminder a few days before the due date.
	NoticeReminderBefore NoticeKind = "reminder_before"
	// NoticeReminderAfter is the one reminder after the due date.
	NoticeReminderAfter NoticeKind = "reminder_after"
)

// NoticeKinds are every kind, in the order the dashboard shows them.
var NoticeKinds = []NoticeKind{NoticeNewInvoice, NoticeReminderBefore, NoticeReminderAfter}

// Valid reports whether k is a known kind.
func (k NoticeKind) Valid() bool {
	switch k {
	case NoticeNewInvoice, NoticeReminderBefore, NoticeReminderAfter:
		return true
	}
	return false
}

// Label says the kind in French, as « Mes données » lists the mails a
// payer was sent; an unknown kind is shown as its code.
func (k NoticeKind) Label() string {
	switch k {
	case NoticeNewInvoice:
		return "Avis de nouvelle facture"
	case NoticeReminderBefore:
		return "Rappel avant l'échéance"
	case NoticeReminderAfter:
		return "Rappel après l'échéance"
	}
	return string(k)
}

// DefaultReminderDaysBefore is how many days before the due date the
// reminder goes, unless the biller chooses otherwise.
const DefaultReminderDaysBefore = 5

// DefaultReminderDaysAfter is how many days after the due date the
// optional second reminder goes.
const DefaultReminderDaysAfter = 7

// Reminders are a biller's reminder settings (« Avis et relances »). Off
// until the biller turns them on.
type Reminders struct {
	// Enabled turns the reminder before the due date on.
	Enabled bool
	// DaysBefore is how many days before the due date it goes (0: on the
	// due date itself).
	DaysBefore int
	// AfterEnabled adds one reminder DaysAfter days after the due date.
	AfterEnabled bool
	DaysAfter    int
}

// DefaultReminders are a new biller's settings: off, 5 days before.
func DefaultReminders() Reminders {
	return Reminders{DaysBefore: DefaultReminderDaysBefore, DaysAfter: DefaultReminderDaysAfter}
}

// Validate checks the settings with French messages.
func (r Reminders) Validate() error {
	switch {
	case r.DaysBefore < 0 || r.DaysBefore > 60:
		return FieldError("reminder_days_before", "Le rappel avant l'échéance doit partir entre 0 et 60 jours avant celle-ci.")
	case r.DaysAfter < 0 || r.DaysAfter > 60 || (r.AfterEnabled && r.DaysAfter < 1):
		return FieldError("reminder_days_after", "Le rappel après l'échéance doit partir entre 1 et 60 jours après celle-ci.")
	}
	return nil
}

// Window returns the due dates an invoice must have on day today to get
// the reminder of kind: from and to, both included. A run that missed days
// (the portal was stopped) catches up: before the due date, every invoice
// due from today to today + DaysBefore; after it, every invoice due from
// the treasury's horizon to today - DaysAfter. ok is false when that kind
// is off.
func (r Reminders) Window(kind NoticeKind, today Date, treasuryDelayDays int) (from, to Date, ok bool) {
	switch kind {
	case NoticeReminderBefore:
		if !r.Enabled {
			return Date{}, Date{}, false
		}
		return today, today.AddDays(r.DaysBefore), true
	case NoticeReminderAfter:
		if !r.AfterEnabled || r.DaysAfter > treasuryDelayDays {
			return Date{}, Date{}, false
		}
		// Past the treasury date an invoice is no longer the biller's
		// to remind of.
		return today.AddDays(-treasuryDelayDays), today.AddDays(-r.DaysAfter), true
	}
	return Date{}, Date{}, false
}

// Remindable reports whether a reminder may go for inv at now: unpaid,
// not held by a live payment, not declared paid by the payer, not sent to
// treasury.
func (inv Invoice) Remindable(now time.Time) bool {
	return inv.State == InvoiceUnpaid && !inv.Locked(now) && !inv.Declared() && inv.TreasuryAt.IsZero()
}

// Wants reports whether the account takes mails of kind: active, and
// the payer's preference on.
func (a Account) Wants(kind NoticeKind) bool {
	if !a.Active() {
		return false
	}
	if kind == NoticeNewInvoice {
		return !a.NoticesOff
	}
	return !a.RemindersOff
}

// Announces reports whether a's payer gets the new-invoice notice of inv
// at now (issue 15, item 1): the account takes notices (Wants), the
// invoice is still to pay (Remindable: a payer already paying it, or
// saying it is paid, needs no notice) and it arrived after the account
// was activated — the invoices a payer found when first logging in are
// not news.
func (a Account) Announces(inv Invoice, now time.Time) bool {
	return a.Wants(NoticeNewInvoice) && inv.Remindable(now) && !inv.CreatedAt.Before(a.ActivatedAt)
}
