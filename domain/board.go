package domain

import (
	"time"

	"github.com/google/uuid"
)

// The figures of the back office's charts (issue 16, part 5): how an
// invoice was paid, and how late an unpaid one is.

// PaymentChannel is how the money of a paid invoice came.
type PaymentChannel string

// The channels of a paid invoice, in the words of the back office.
const (
	// ChannelOnline: a payment made through the portal (PayFiP).
	ChannelOnline PaymentChannel = "online"
	// ChannelCounter: a payment the service recorded itself, made outside
	// the portal (« au guichet », a cheque, a transfer, the billing
	// software's status).
	ChannelCounter PaymentChannel = "counter"
	// ChannelDeclared: the payer declared it paid (« Marquer la facture
	// comme réglée ») and the service confirmed the declaration.
	ChannelDeclared PaymentChannel = "declared"
)

// PaymentChannels lists the channels in the charts' order.
var PaymentChannels = []PaymentChannel{ChannelOnline, ChannelCounter, ChannelDeclared}

// Label names the channel in French, for the back office.
func (c PaymentChannel) Label() string {
	switch c {
	case ChannelOnline:
		return "En ligne"
	case ChannelDeclared:
		return "Déclarées réglées"
	}
	return "Au guichet"
}

// Channel returns how a paid invoice's money came; ok is false for an
// invoice that is not paid. A confirmed declaration keeps its
// DeclaredPaidAt (ConfirmDeclared), which tells it from a payment the
// service recorded at the counter; an invoice settled before that rule
// counts as paid at the counter.
func (inv Invoice) Channel() (PaymentChannel, bool) {
	switch {
	case inv.State != InvoicePaid:
		return "", false
	case inv.PaymentID != uuid.Nil:
		return ChannelOnline, true
	case !inv.DeclaredPaidAt.IsZero():
		return ChannelDeclared, true
	}
	return ChannelCounter, true
}

// OverdueAge is how long past its due date an unpaid invoice is, in the
// bands a régisseur reports.
type OverdueAge int

// The bands, from not yet due to over 90 days past due. An invoice due
// today is not yet due: it is late from the next day on.
const (
	NotYetDue OverdueAge = iota
	Overdue1To30
	Overdue31To60
	Overdue61To90
	OverdueOver90
)

// OverdueAges lists the bands in order.
var OverdueAges = []OverdueAge{NotYetDue, Overdue1To30, Overdue31To60, Overdue61To90, OverdueOver90}

// Label names the band in French.
func (a OverdueAge) Label() string {
	switch a {
	case Overdue1To30:
		return "1 à 30 jours de retard"
	case Overdue31To60:
		return "31 à 60 jours de retard"
	case Overdue61To90:
		return "61 à 90 jours de retard"
	case OverdueOver90:
		return "Plus de 90 jours de retard"
	}
	return "Pas encore échues"
}

// DaysLate is how many days after due the date today is: zero or less
// while not yet past due.
func DaysLate(due, today Date) int {
	return int(today.Time(time.UTC).Sub(due.Time(time.UTC)).Hours() / 24)
}

// AgeOf returns the band of an invoice due on due, on the Paris day today.
func AgeOf(due, today Date) OverdueAge {
	switch late := DaysLate(due, today); {
	case late <= 0:
		return NotYetDue
	case late <= 30:
		return Overdue1To30
	case late <= 60:
		return Overdue31To60
	case late <= 90:
		return Overdue61To90
	}
	return OverdueOver90
}

// MonthOf returns the first day of the Paris month of instant t.
func MonthOf(t time.Time) Date {
	d := DateOf(t, Paris)
	return Date{Year: d.Year, Month: d.Month, Day: 1}
}

// AddMonths returns the first day of the month n months after month's.
func (d Date) AddMonths(n int) Date {
	return NewDate(d.Year, d.Month+time.Month(n), 1)
}
