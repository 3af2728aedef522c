package ports_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

func TestSettingsRemindersAreSavedAndAudited(t *testing.T) {
	e := newEnv(t)
	manager := agent(e, domain.RoleManager)
	b, err := e.portal.BackOfficeAdmin().Settings(e.ctx, manager)
	require.NoError(t, err)
	assert.Equal(t, domain.Reminders{DaysBefore: 5, DaysAfter: 7}, b.Reminders, "off by default, 5 days before")

	in := ports.SettingsInputOf(b)
	in.Reminders = &domain.Reminders{Enabled: true, DaysBefore: 3, AfterEnabled: true, DaysAfter: 10}
	require.NoError(t, e.portal.BackOfficeAdmin().UpdateSettings(e.ctx, manager, in))
	b, err = e.portal.BackOfficeAdmin().Settings(e.ctx, manager)
	require.NoError(t, err)
	assert.Equal(t, *in.Reminders, b.Reminders)
	audits := e.audits(t, domain.AuditSettingsChanged)
	require.Len(t, audits, 1)
	assert.Equal(t, "Paramètres modifiés : rappel avant l'échéance : désactivé → activé ; "+
		"rappel avant l'échéance (jours avant) : 5 → 3 ; rappel après l'échéance : désactivé → activé ; "+
		"rappel après l'échéance (jours après) : 7 → 10.", audits[0].Detail)

	in.Reminders = nil
	in.Notice = "Coupure d'eau le 3 mars."
	require.NoError(t, e.portal.BackOfficeAdmin().UpdateSettings(e.ctx, manager, in))
	b, err = e.portal.BackOfficeAdmin().Settings(e.ctx, manager)
	require.NoError(t, err)
	assert.True(t, b.Reminders.Enabled, "an input without reminders keeps them")

	in.Reminders = &domain.Reminders{Enabled: true, DaysBefore: 61}
	assert.Equal(t, "reminder_days_before", domain.ErrorField(e.portal.BackOfficeAdmin().UpdateSettings(e.ctx, manager, in)))
	in.Reminders = &domain.Reminders{AfterEnabled: true, DaysAfter: b.TreasuryDelayDays + 1}
	err = e.portal.BackOfficeAdmin().UpdateSettings(e.ctx, manager, in)
	assert.Equal(t, "reminder_days_after", domain.ErrorField(err))
	assert.Contains(t, domain.ErrorMessage(err), "avant la transmission en trésorerie")
}
