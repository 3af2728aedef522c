package backoffice_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports/demo"
)

func TestSettingsReminders(t *testing.T) {
	e := newEnv(t)
	b := e.Manager()
	p := b.Get("/gestion/parametres")
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	contains(t, p, "<h2>Avis et relances</h2>", `<label for="reminders_enabled">Envoyer un rappel avant l'échéance</label>`,
		`id="reminder_days_before"`, `id="reminder_days_after"`)

	v := e.settingsValues(demo.BillerID)
	v.Del("reminders_enabled")
	v.Set("reminder_days_before", "2")
	v.Set("reminder_after_enabled", "1")
	v.Set("reminder_days_after", "12")
	p = b.Post("/gestion/parametres", v)
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	assert.Equal(t, domain.Reminders{DaysBefore: 2, AfterEnabled: true, DaysAfter: 12}, e.demoBiller().Reminders)

	v.Set("reminder_days_before", "deux")
	p = b.Post("/gestion/parametres", v)
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, "Saisissez un nombre entier.")
	assert.Equal(t, 2, e.demoBiller().Reminders.DaysBefore, "nothing saved")
}
