package backoffice_test

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
	e.T.Helper()
	p, err := e.Store.PayerByRef(context.Background(), demo.BillerID, ref)
	require.NoError(e.T, err)
	return p.ID
}

func TestAccountsScreens(t *testing.T) {
	e := newEnv(t)
	b := e.Manager()
	p := b.Get("/gestion/redevables")
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, "Redevables 1 à 2 sur 2.", "DEMO-0001", "Camille Martin", "Activé", "DEMO-0002", "Pas de compte")
	p = b.Get("/gestion/redevables?q=" + url.QueryEscape(demo.NewcomerEmail))
	contains(t, p, "Redevables 1 à 1 sur 1.", "Dominique Bernard")
	notContains(t, p, "Camille Martin")

	newcomer := "/gestion/redevables/" + e.demoPayer("DEMO-0002").String()
	p = b.Get(newcomer)
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, "Dominique Bernard (DEMO-0002)", "Pas de compte", "2026-020-002060", "Envoyer le lien d'activation")
	p = b.Post(newcomer+"/activation", nil)
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	assert.Equal(t, newcomer+"?ok=activation", p.Location())
	p = b.Get(p.Location())
	contains(t, p, "Le lien d'activation est envoyé au redevable.", "En attente d'activation", "Envoyé le 26/11/2026 à 10h00")
	assert.Equal(t, 1, e.MailsTo(demo.NewcomerEmail))
	assert.Contains(t, e.LinkTo(demo.NewcomerEmail), "/mot-de-passe?lien=")

	active := "/gestion/redevables/" + e.demoPayer("DEMO-0001").String()
	p = b.Get(active)
	contains(t, p, "Camille Martin (DEMO-0001)", "Activé", "Dernière connexion")
	notContains(t, p, "Envoyer le lien d'activation")
	p = b.Post(active+"/activation", nil)
	assert.Equal(t, http.StatusConflict, p.Status)
	contains(t, p, "Le compte de ce redevable est déjà activé")

	events, _, err := e.Store.AuditEvents(context.Background(), ports.AuditQuery{BillerID: demo.BillerID, Action: domain.AuditActivationResent})
	require.NoError(t, err)
	require.Len(t, events, 1)
	assert.Equal(t, demo.StaffEmail, events[0].ActorLabel)
}

func TestAccountsScreensReaderAndOtherBiller(t *testing.T) {
	e := newEnv(t)
	e.otherBiller()
	newcomer := "/gestion/redevables/" + e.demoPayer("DEMO-0002").String()
	reader := e.Reader()
	p := reader.Get(newcomer)
	require.Equal(t, http.StatusOK, p.Status)
	notContains(t, p, "Envoyer le lien d'activation")
	p = reader.Post(newcomer+"/activation", nil)
	assert.Equal(t, http.StatusForbidden, p.Status)
	assert.Zero(t, e.MailsTo(demo.NewcomerEmail))

	other := e.Browser().OnHost(otherHost).StaffLogin("autre@autreville.test", otherPassword)
	p = other.Get("/gestion/redevables")
	contains(t, p, "AUTRE-0001")
	notContains(t, p, "DEMO-0001", "Camille Martin")
	p = other.Get(newcomer)
	assert.Equal(t, http.StatusNotFound, p.Status, "another biller's payer")
	notContains(t, p, "Dominique Bernard")
	other.Get("/gestion/redevables")
	p = other.Post(newcomer+"/activation", nil)
	assert.Equal(t, http.StatusNotFound, p.Status)
	assert.Zero(t, e.MailsTo(demo.NewcomerEmail))
	p = other.Get("/gestion/redevables/pas-un-id")
	assert.Equal(t, http.StatusNotFound, p.Status)
}
