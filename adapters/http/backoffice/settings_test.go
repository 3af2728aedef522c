package backoffice_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/http/backoffice"
	"github.com/portail-factures/portail/adapters/http/webtest/full"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

// settingsValues is the settings form of the biller as it stands, as a
// browser would post it back.
func (e *env) settingsValues(billerID [16]byte) url.Values {
	e.T.Helper()
	b, err := e.Store.Biller(context.Background(), billerID)
	require.NoError(e.T, err)
	v := url.Values{}
	for k, val := range backoffice.SettingsValues(b) {
		v.Set(k, val)
	}
	return v
}

func (e *env) demoBiller() domain.Biller {
	e.T.Helper()
	b, err := e.Store.Biller(context.Background(), demo.BillerID)
	require.NoError(e.T, err)
	return b
}

func TestSettingsScreen(t *testing.T) {
	e := newEnv(t)
	b := e.Manager()
	p := b.Get("/gestion/parametres")
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	contains(t, p, "Paramètres", "Information importante", "en raison de travaux", `value="004200"`, `value="120"`,
		"Enregistrer les paramètres", `href="/gestion/mon-compte"`)

	v := e.settingsValues(demo.BillerID)
	v.Set("notice", "Coupure d'eau le 3 décembre.")
	v.Del("multiple_payments")
	v.Set("lock_duration", "90")
	v.Set("numcli", "004201")
	v.Set("saisie", "W")
	v.Set("suspension_mode", "scheduled")
	v.Set("suspension_from", "2026-11-26T11:00")
	v.Set("suspension_until", "2026-11-26T12:30")
	v.Set("suspension_message", "Maintenance des factures jusqu'à 12h30.")
	p = b.Post("/gestion/parametres", v)
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	assert.Equal(t, "/gestion/parametres?ok=parametres", p.Location())
	contains(t, b.Get(p.Location()), "Les paramètres sont enregistrés.", `value="2026-11-26T11:00"`, `value="2026-11-26T12:30"`)

	got := e.demoBiller()
	assert.Equal(t, "Coupure d'eau le 3 décembre.", got.Notice)
	assert.False(t, got.MultiplePayments)
	assert.Equal(t, 90*time.Minute, got.LockDuration)
	assert.Equal(t, "004201", got.Numcli)
	assert.Equal(t, domain.SaisieProduction, got.Saisie)
	assert.True(t, time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC).Equal(got.Suspension.From), "Paris time: UTC+1 in November")
	assert.True(t, time.Date(2026, 11, 26, 11, 30, 0, 0, time.UTC).Equal(got.Suspension.Until))

	events, _, err := e.Store.AuditEvents(context.Background(), ports.AuditQuery{BillerID: demo.BillerID, Action: domain.AuditSettingsChanged})
	require.NoError(t, err)
	require.Len(t, events, 1)
	assert.Equal(t, demo.StaffEmail, events[0].ActorLabel)
	assert.Contains(t, events[0].Detail, "programmée du 26/11/2026 à 11h00 au 26/11/2026 à 12h30")
}

func TestSettingsFormErrors(t *testing.T) {
	e := newEnv(t)
	b := e.Manager()
	b.Get("/gestion/parametres")
	v := e.settingsValues(demo.BillerID)
	v.Set("numcli", "42")
	p := b.Post("/gestion/parametres", v)
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, "Une erreur empêche de continuer", "L'identifiant collectivité PayFiP doit comporter 6 chiffres.", `href="#numcli"`, `value="42"`)
	assert.Contains(t, p.Body, `id="numcli" name="numcli" type="text" value="42" maxlength="6" aria-invalid="true" aria-describedby="numcli-aide numcli-erreur"`)

	v = e.settingsValues(demo.BillerID)
	v.Set("lock_duration", "deux heures")
	v.Set("suspension_mode", "scheduled")
	v.Set("suspension_from", "2026-11-26T12:00")
	v.Set("suspension_until", "hier")
	p = b.Post("/gestion/parametres", v)
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, "2 erreurs empêchent de continuer", "Saisissez un nombre entier.", "Saisissez une date et une heure")

	v = e.settingsValues(demo.BillerID)
	v.Set("suspension_mode", "scheduled")
	v.Set("suspension_from", "2026-11-26T12:00")
	v.Set("suspension_until", "2026-11-26T11:00")
	p = b.Post("/gestion/parametres", v)
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, "La fin de la suspension doit être postérieure à son début.")
	assert.Equal(t, "004200", e.demoBiller().Numcli, "nothing saved")
	assert.False(t, e.demoBiller().Suspension.Active)
}

func TestSettingsReaderAndOtherBiller(t *testing.T) {
	e := newEnv(t)
	otherB := e.otherBiller()
	reader := e.Reader()
	p := reader.Get("/gestion/parametres")
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, "Votre rôle « lecture » permet de consulter ces paramètres", "<fieldset disabled>")
	notContains(t, p, "Enregistrer les paramètres")
	v := e.settingsValues(demo.BillerID)
	v.Set("notice", "Par le lecteur")
	p = reader.Post("/gestion/parametres", v)
	assert.Equal(t, http.StatusForbidden, p.Status)
	assert.NotEqual(t, "Par le lecteur", e.demoBiller().Notice)

	other := e.Browser().OnHost(otherHost).StaffLogin("autre@autreville.test", otherPassword)
	p = other.Get("/gestion/parametres")
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, `value="009900"`)
	notContains(t, p, "004200", "en raison de travaux")
	v = e.settingsValues(demo.BillerID)
	v.Set("notice", "Par Autreville")
	p = other.Post("/gestion/parametres", v)
	require.Equal(t, http.StatusSeeOther, p.Status)
	assert.NotEqual(t, "Par Autreville", e.demoBiller().Notice, "a staff member changes their own biller only")
	ob, err := e.Store.Biller(context.Background(), otherB.ID)
	require.NoError(t, err)
	assert.Equal(t, "Par Autreville", ob.Notice)

	manager := e.Manager()
	p = manager.OnHost(otherHost).Get("/gestion/parametres")
	assert.Equal(t, http.StatusSeeOther, p.Status, "the demo's session does not open the other biller's settings")
}

func TestScheduledSuspensionStartsAndEndsOnTime(t *testing.T) {
	e := newEnv(t)
	b := e.Manager()
	b.Get("/gestion/parametres")
	v := e.settingsValues(demo.BillerID)
	v.Set("suspension_mode", "scheduled")
	v.Set("suspension_from", "2026-11-26T11:00") // 10:00 UTC
	v.Set("suspension_until", "2026-11-26T12:30")
	v.Set("suspension_message", "Maintenance des factures jusqu'à 12h30.")
	require.Equal(t, http.StatusSeeOther, b.Post("/gestion/parametres", v).Status)

	citizen := e.Browser().LoginDemo()
	invoice := "/factures/" + idOf(water).String()
	at := func(utc time.Time) resp {
		e.Clock.Set(utc)
		p := citizen.Get(invoice)
		require.Equal(t, http.StatusOK, p.Status)
		return p
	}
	p := at(time.Date(2026, 11, 26, 9, 59, 59, 0, time.UTC))
	contains(t, p, "Payer la facture")
	p = at(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC))
	contains(t, p, "Maintenance des factures jusqu'à 12h30.")
	notContains(t, p, "Payer la facture")
	p = at(time.Date(2026, 11, 26, 11, 29, 59, 0, time.UTC))
	notContains(t, p, "Payer la facture")
	p = at(time.Date(2026, 11, 26, 11, 30, 0, 0, time.UTC))
	contains(t, p, "Payer la facture")
	notContains(t, p, "Maintenance des factures")
}

func TestSettingsShowAndCheckTheAmountBounds(t *testing.T) {
	e := newEnv(t)
	// PayFiP's legacy URL mode, where one payment stays below 10 000 €.
	full.Again(e.Env, ports.Config{PayFiPMode: domain.PayFiPURL}, nil)
	b := e.Manager()
	p := b.Get("/gestion/parametres")
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, "Montant minimum d'un paiement (€)", "Montant maximum d'un paiement (€)",
		"TIPI, mode URL", "de 1,00\u00a0€ à 9\u202f999,99\u00a0€")
	assert.Contains(t, p.Body, `id="min_amount" name="min_amount" type="text" value="1,00"`)
	assert.Contains(t, p.Body, `id="max_amount" name="max_amount" type="text" value="9999,99"`, "the stored 99 999,99 € is shown within the mode's limit")

	form := func(min, max string) url.Values {
		v := e.settingsValues(demo.BillerID)
		v.Set("min_amount", min)
		v.Set("max_amount", max)
		return v
	}
	p = b.Post("/gestion/parametres", form("1,00", "10 000,00"))
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, "Le montant maximum d'un paiement ne peut pas dépasser 9\u202f999,99\u00a0€, la limite de PayFiP (TIPI, mode URL).", `href="#max_amount"`)
	p = b.Post("/gestion/parametres", form("0,50", "100"))
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, "Le montant minimum d'un paiement doit être d'au moins 1,00\u00a0€", `href="#min_amount"`)
	p = b.Post("/gestion/parametres", form("beaucoup", "100"))
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, "Montant « beaucoup » invalide", `value="beaucoup"`)
	assert.Equal(t, "99999.99", e.demoBiller().MaxAmount.StringFixed(2), "nothing saved")

	p = b.Post("/gestion/parametres", form("5", "2 500,50"))
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	assert.Equal(t, "5.00", e.demoBiller().MinAmount.StringFixed(2))
	assert.Equal(t, "2500.50", e.demoBiller().MaxAmount.StringFixed(2))
	events, _, err := e.Store.AuditEvents(context.Background(), ports.AuditQuery{BillerID: demo.BillerID, Action: domain.AuditSettingsChanged})
	require.NoError(t, err)
	require.Len(t, events, 1)
	assert.Contains(t, events[0].Detail, "montant maximum d'un paiement : 99\u202f999,99\u00a0€ → 2\u202f500,50\u00a0€")
}
