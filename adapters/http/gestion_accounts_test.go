package http

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

// demoPayer is the id of a demo payer by reference.
func (e *env) demoPayer(ref string) uuid.UUID {
	e.t.Helper()
	p, err := e.store.PayerByRef(context.Background(), demo.BillerID, ref)
	require.NoError(e.t, err)
	return p.ID
}

func TestAccountsScreens(t *testing.T) {
	e := newEnv(t)
	b := e.manager()
	p := b.get("/gestion/redevables")
	require.Equal(t, http.StatusOK, p.status)
	contains(t, p, "Redevables 1 à 2 sur 2.", "DEMO-0001", "Camille Martin", "Activé", "DEMO-0002", "Pas de compte")
	p = b.get("/gestion/redevables?q=" + url.QueryEscape(demo.NewcomerEmail))
	contains(t, p, "Redevables 1 à 1 sur 1.", "Dominique Bernard")
	notContains(t, p, "Camille Martin")

	newcomer := "/gestion/redevables/" + e.demoPayer("DEMO-0002").String()
	p = b.get(newcomer)
	require.Equal(t, http.StatusOK, p.status)
	contains(t, p, "Dominique Bernard (DEMO-0002)", "Pas de compte", "2026-020-002060", "Envoyer le lien d'activation")
	p = b.post(newcomer+"/activation", nil)
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	assert.Equal(t, newcomer+"?ok=activation", p.location())
	p = b.get(p.location())
	contains(t, p, "Le lien d'activation est envoyé au redevable.", "En attente d'activation", "Envoyé le 26/11/2026 à 10h00")
	assert.Equal(t, 1, e.mailsTo(demo.NewcomerEmail))
	assert.Contains(t, e.linkTo(demo.NewcomerEmail), "/mot-de-passe?lien=")

	active := "/gestion/redevables/" + e.demoPayer("DEMO-0001").String()
	p = b.get(active)
	contains(t, p, "Camille Martin (DEMO-0001)", "Activé", "Dernière connexion")
	notContains(t, p, "Envoyer le lien d'activation")
	p = b.post(active+"/activation", nil)
	assert.Equal(t, http.StatusConflict, p.status)
	contains(t, p, "Le compte de ce redevable est déjà activé")

	events, _, err := e.store.AuditEvents(context.Background(), ports.AuditQuery{BillerID: demo.BillerID, Action: domain.AuditActivationResent})
	require.NoError(t, err)
	require.Len(t, events, 1)
	assert.Equal(t, demo.StaffEmail, events[0].ActorLabel)
}

func TestAccountsScreensReaderAndOtherBiller(t *testing.T) {
	e := newEnv(t)
	e.otherBiller()
	newcomer := "/gestion/redevables/" + e.demoPayer("DEMO-0002").String()
	reader := e.reader()
	p := reader.get(newcomer)
	require.Equal(t, http.StatusOK, p.status)
	notContains(t, p, "Envoyer le lien d'activation")
	p = reader.post(newcomer+"/activation", nil)
	assert.Equal(t, http.StatusForbidden, p.status)
	assert.Zero(t, e.mailsTo(demo.NewcomerEmail))

	other := e.browser().onHost(otherHost).staffLogin("autre@autreville.test", otherPassword)
	p = other.get("/gestion/redevables")
	contains(t, p, "AUTRE-0001")
	notContains(t, p, "DEMO-0001", "Camille Martin")
	p = other.get(newcomer)
	assert.Equal(t, http.StatusNotFound, p.status, "another biller's payer")
	notContains(t, p, "Dominique Bernard")
	other.get("/gestion/redevables")
	p = other.post(newcomer+"/activation", nil)
	assert.Equal(t, http.StatusNotFound, p.status)
	assert.Zero(t, e.mailsTo(demo.NewcomerEmail))
	p = other.get("/gestion/redevables/pas-un-id")
	assert.Equal(t, http.StatusNotFound, p.status)
}
