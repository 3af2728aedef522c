package backoffice

import (
	"strconv"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
)

// The « Avis et relances » block of « Paramètres » (issue 15, item 6).

// remindersForm writes the reminder settings as the form shows them.
func remindersForm(f *kit.Form, r *domain.Reminders) {
	if r == nil {
		return
	}
	f.Values["reminder_days_before"] = strconv.Itoa(r.DaysBefore)
	f.Values["reminder_days_after"] = strconv.Itoa(r.DaysAfter)
	if r.Enabled {
		f.Values["reminders_enabled"] = "1"
	}
	if r.AfterEnabled {
		f.Values["reminder_after_enabled"] = "1"
	}
}

// remindersInput reads the reminder settings from the form; number
// reads an integer field and notes its error.
func remindersInput(f *kit.Form, number func(string) int) *domain.Reminders {
	return &domain.Reminders{
		Enabled:      f.Values["reminders_enabled"] != "",
		DaysBefore:   number("reminder_days_before"),
		AfterEnabled: f.Values["reminder_after_enabled"] != "",
		DaysAfter:    number("reminder_days_after"),
	}
}
