package ports

import (
	"fmt"

	"github.com/portail-factures/portail/domain"
)

// The « Avis et relances » block of the settings (issue 15, item 6).

// remindersChanges lists in French, for the audit log, what differs
// between two reminder settings.
func remindersChanges(old, b domain.Reminders) []string {
	var out []string
	if old.Enabled != b.Enabled {
		out = append(out, "rappel avant l'échéance : "+onOff(old.Enabled)+" → "+onOff(b.Enabled))
	}
	if old.DaysBefore != b.DaysBefore {
		out = append(out, fmt.Sprintf("rappel avant l'échéance (jours avant) : %d → %d", old.DaysBefore, b.DaysBefore))
	}
	if old.AfterEnabled != b.AfterEnabled {
		out = append(out, "rappel après l'échéance : "+onOff(old.AfterEnabled)+" → "+onOff(b.AfterEnabled))
	}
	if old.DaysAfter != b.DaysAfter {
		out = append(out, fmt.Sprintf("rappel après l'échéance (jours après) : %d → %d", old.DaysAfter, b.DaysAfter))
	}
	return out
}

func onOff(b bool) string {
	if b {
		return "activé"
	}
	return "désactivé"
}
