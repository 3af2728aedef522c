package backoffice_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

func TestCloseAccountFromPayerPage(t *testing.T) {
	e := newEnv(t)
	active := "/gestion/redevables/" + e.demoPayer("DEMO-0001").String()
	newcomer := "/gestion/redevables/" + e.demoPayer("DEMO-0002").String()

	reader := e.Reader()
	notContains(t, reader.Get(active), "Clore le compte")
	assert.Equal(t, http.StatusForbidden, reader.Post(active+"/clore", url.Values{"confirmation": {"oui"}}).Status)

	b := e.Manager()
	notContains(t, b.Get(newcomer), "Clore le compte")
	p := b.Get(active)
	contains(t, p, "Clore le compte", `action="`+active+`/clore"`)

	p = b.Post(active+"/clore", nil)
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	contains(t, p, "Clore le compte de Camille Martin (DEMO-0001) ?", demo.Email, "effacées 12 mois après la clôture",
		`name="confirmation" value="oui"`, "Annuler")
	a, err := e.Store.AccountByPayer(context.Background(), e.demoPayer("DEMO-0001"))
	require.NoError(t, err, "nothing changes before the confirmation")
	assert.True(t, a.Active())

	p = b.Post(active+"/clore", url.Values{"confirmation": {"oui"}})
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	p = b.Get(p.Location())
	contains(t, p, "Le compte du redevable est clos", "Pas de compte", "Compte clos", "données du compte effacées à la fin de la durée de conservation")
	notContains(t, p, `action="`+active+`/clore"`)
	assert.Equal(t, 1, e.MailsTo(demo.Email))

	p = b.Post(active+"/clore", url.Values{"confirmation": {"oui"}})
	assert.Equal(t, http.StatusConflict, p.Status)
	contains(t, p, ports.ErrNoAccountToClose.Message)

	events, _, err := e.Store.AuditEvents(context.Background(), ports.AuditQuery{BillerID: demo.BillerID, Action: domain.AuditAccountClosed})
	require.NoError(t, err)
	require.Len(t, events, 1)
	assert.Equal(t, demo.StaffEmail, events[0].ActorLabel)
}

func TestRetentionSettingScreen(t *testing.T) {
	e := newEnv(t)
	manager := e.Manager()
	p := manager.Get("/gestion/parametres")
	contains(t, p, "Conservation des comptes clos", `id="retention_months" name="retention_months" type="number" value="12"`)
	v := e.settingsValues(demo.BillerID)
	v.Set("retention_months", "24")
	p = manager.Post("/gestion/parametres", v)
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, "Seul un administrateur peut modifier la durée de conservation des comptes clos.")

	admin := e.Browser().StaffLogin(demo.AdminEmail, demo.AdminPassword)
	admin.Get("/gestion/parametres")
	for bad, message := range map[string]string{
		"0":     "entre 1 et 60 mois",
		"61":    "entre 1 et 60 mois",
		"un an": "Saisissez un nombre entier de mois.",
	} {
		v.Set("retention_months", bad)
		p = admin.Post("/gestion/parametres", v)
		assert.Equal(t, http.StatusBadRequest, p.Status, bad)
		contains(t, p, message, `href="#retention_months"`)
	}
	v.Set("retention_months", "24")
	p = admin.Post("/gestion/parametres", v)
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	assert.Equal(t, 24, e.demoBiller().RetentionMonths)
	events, _, err := e.Store.AuditEvents(context.Background(), ports.AuditQuery{BillerID: demo.BillerID, Action: domain.AuditSettingsChanged})
	require.NoError(t, err)
	require.Len(t, events, 1)
	assert.Contains(t, events[0].Detail, "conservation des comptes clos : 12 mois → 24 mois")
	assert.Equal(t, demo.AdminEmail, events[0].ActorLabel)
}
