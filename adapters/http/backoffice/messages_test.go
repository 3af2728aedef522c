package backoffice_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

var messageLinkRE = regexp.MustCompile(`href="(/gestion/messages/[0-9a-f-]{36})"`)

// citizenMessage sends a contact message from the demo payer.
func (e *env) citizenMessage(subject, body string) {
	e.T.Helper()
	c := e.Browser().LoginDemo()
	c.Get("/contact")
	p := c.Post("/contact", url.Values{"subject": {subject}, "body": {body}})
	require.Equal(e.T, http.StatusSeeOther, p.Status, p.Body)
}

func TestMessagesScreens(t *testing.T) {
	e := newEnv(t)
	e.citizenMessage("Question sur ma facture d'eau", "Bonjour,\n\nPourquoi ce montant ?\n<script>alert(1)</script>")
	b := e.Manager()
	p := b.Get("/gestion/messages?etat=new")
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, "Messages 1 à 1 sur 1.", "Question sur ma facture d'eau", demo.Email, "Nouveau")
	m := messageLinkRE.FindStringSubmatch(p.Body)
	require.NotNil(t, m)
	one := m[1]

	p = b.Get(one)
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, "<p>Pourquoi ce montant ?</p>", "Camille Martin (DEMO-0001)", "Marquer comme traité", "<dt>État</dt><dd>Nouveau</dd>")
	notContains(t, p, "Nouveau le")
	assert.NotContains(t, p.Body, "<script>alert(1)</script>", "the payer's text is escaped")

	p = b.Post(one+"/etat", url.Values{"etat": {"handled"}})
	require.Equal(t, http.StatusSeeOther, p.Status)
	p = b.Get(p.Location())
	contains(t, p, "Le message est marqué comme traité.", "Traité le 26/11/2026", "Remettre à traiter")
	contains(t, b.Get("/gestion/messages?etat=new"), "Aucun message ne correspond.")
	contains(t, b.Get("/gestion/messages?etat=handled"), "Messages 1 à 1 sur 1.")

	b.Get(one)
	p = b.Post(one+"/etat", url.Values{"etat": {"new"}})
	require.Equal(t, http.StatusSeeOther, p.Status)
	p = b.Get(p.Location())
	contains(t, p, "Le message est de nouveau à traiter.", "<dt>État</dt><dd>Nouveau</dd>")
	notContains(t, p, "Nouveau le")
	b.Get(one)
	assert.Equal(t, http.StatusBadRequest, b.Post(one+"/etat", url.Values{"etat": {"lu"}}).Status)

	events, _, err := e.Store.AuditEvents(context.Background(), ports.AuditQuery{BillerID: demo.BillerID, Action: "message."})
	require.NoError(t, err)
	assert.Len(t, events, 2)
}

func TestMessagesScreensReaderAndOtherBiller(t *testing.T) {
	e := newEnv(t)
	e.otherBiller()
	e.citizenMessage("Question", "Bonjour")
	reader := e.Reader()
	p := reader.Get("/gestion/messages")
	one := messageLinkRE.FindStringSubmatch(p.Body)[1]
	p = reader.Get(one)
	require.Equal(t, http.StatusOK, p.Status)
	notContains(t, p, "Marquer comme traité")
	p = reader.Post(one+"/etat", url.Values{"etat": {"handled"}})
	assert.Equal(t, http.StatusForbidden, p.Status)

	other := e.Browser().OnHost(otherHost).StaffLogin("autre@autreville.test", otherPassword)
	contains(t, other.Get("/gestion/messages"), "Aucun message ne correspond.")
	assert.Equal(t, http.StatusNotFound, other.Get(one).Status)
	other.Get("/gestion/messages")
	assert.Equal(t, http.StatusNotFound, other.Post(one+"/etat", url.Values{"etat": {"handled"}}).Status)

	page, err := e.Portal.BackOffice().Messages(context.Background(), ports.Actor{Kind: domain.ActorSystem, BillerID: demo.BillerID}, ports.MessageSearch{State: domain.MessageNew})
	require.NoError(t, err)
	assert.Equal(t, 1, page.Total, "still new")
}
