package http

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
	e.t.Helper()
	c := e.browser().loginDemo()
	c.get("/contact")
	p := c.post("/contact", url.Values{"subject": {subject}, "body": {body}})
	require.Equal(e.t, http.StatusSeeOther, p.status, p.body)
}

func TestMessagesScreens(t *testing.T) {
	e := newEnv(t)
	e.citizenMessage("Question sur ma facture d'eau", "Bonjour,\n\nPourquoi ce montant ?\n<script>alert(1)</script>")
	b := e.manager()
	p := b.get("/gestion/messages?etat=new")
	require.Equal(t, http.StatusOK, p.status)
	contains(t, p, "Messages 1 à 1 sur 1.", "Question sur ma facture d'eau", demo.Email, "Nouveau")
	m := messageLinkRE.FindStringSubmatch(p.body)
	require.NotNil(t, m)
	one := m[1]

	p = b.get(one)
	require.Equal(t, http.StatusOK, p.status)
	contains(t, p, "<p>Pourquoi ce montant ?</p>", "Camille Martin (DEMO-0001)", "Marquer comme traité", "<dt>État</dt><dd>Nouveau</dd>")
	notContains(t, p, "Nouveau le")
	assert.NotContains(t, p.body, "<script>alert(1)</script>", "the payer's text is escaped")

	p = b.post(one+"/etat", url.Values{"etat": {"handled"}})
	require.Equal(t, http.StatusSeeOther, p.status)
	p = b.get(p.location())
	contains(t, p, "Le message est marqué comme traité.", "Traité le 26/11/2026", "Remettre à traiter")
	contains(t, b.get("/gestion/messages?etat=new"), "Aucun message ne correspond.")
	contains(t, b.get("/gestion/messages?etat=handled"), "Messages 1 à 1 sur 1.")

	b.get(one)
	p = b.post(one+"/etat", url.Values{"etat": {"new"}})
	require.Equal(t, http.StatusSeeOther, p.status)
	p = b.get(p.location())
	contains(t, p, "Le message est de nouveau à traiter.", "<dt>État</dt><dd>Nouveau</dd>")
	notContains(t, p, "Nouveau le")
	b.get(one)
	assert.Equal(t, http.StatusBadRequest, b.post(one+"/etat", url.Values{"etat": {"lu"}}).status)

	events, _, err := e.store.AuditEvents(context.Background(), ports.AuditQuery{BillerID: demo.BillerID, Action: "message."})
	require.NoError(t, err)
	assert.Len(t, events, 2)
}

func TestMessagesScreensReaderAndOtherBiller(t *testing.T) {
	e := newEnv(t)
	e.otherBiller()
	e.citizenMessage("Question", "Bonjour")
	reader := e.reader()
	p := reader.get("/gestion/messages")
	one := messageLinkRE.FindStringSubmatch(p.body)[1]
	p = reader.get(one)
	require.Equal(t, http.StatusOK, p.status)
	notContains(t, p, "Marquer comme traité")
	p = reader.post(one+"/etat", url.Values{"etat": {"handled"}})
	assert.Equal(t, http.StatusForbidden, p.status)

	other := e.browser().onHost(otherHost).staffLogin("autre@autreville.test", otherPassword)
	contains(t, other.get("/gestion/messages"), "Aucun message ne correspond.")
	assert.Equal(t, http.StatusNotFound, other.get(one).status)
	other.get("/gestion/messages")
	assert.Equal(t, http.StatusNotFound, other.post(one+"/etat", url.Values{"etat": {"handled"}}).status)

	page, err := e.portal.BackOffice().Messages(context.Background(), ports.Actor{Kind: domain.ActorSystem, BillerID: demo.BillerID}, ports.MessageSearch{State: domain.MessageNew})
	require.NoError(t, err)
	assert.Equal(t, 1, page.Total, "still new")
}
