package ports_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
)

func TestPaperlessRequest(t *testing.T) {
	e := newEnv(t)
	require.NoError(t, e.portal.Citizens().RequestPaperless(e.ctx, e.citizen))
	prof, err := e.portal.Citizens().Profile(e.ctx, e.citizen)
	require.NoError(t, err)
	assert.True(t, prof.Paperless)
	toService := e.mails.To(e.house.Biller.Email)
	require.Len(t, toService, 1, "the service is told")
	assert.Contains(t, toService[0].Subject, "Demande d'arrêt des factures papier")
	assert.Contains(t, toService[0].Text, e.house.Payer.ExternalRef)
	assert.Equal(t, "ref001@exemple.fr", toService[0].ReplyTo)
	msgs, err := e.store.Messages(e.ctx, e.biller(), 10)
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	assert.Equal(t, domain.MessagePaperless, msgs[0].Kind)

	require.NoError(t, e.portal.Citizens().RequestPaperless(e.ctx, e.citizen))
	assert.Len(t, e.mails.To(e.house.Biller.Email), 1, "asking twice sends nothing new")
}

func TestContactMessage(t *testing.T) {
	e := newEnv(t)
	err := e.portal.Citizens().Contact(e.ctx, e.citizen, "", "Bonjour")
	assert.Equal(t, "subject", domain.ErrorField(err))
	assert.Empty(t, e.mails.Mails())

	require.NoError(t, e.portal.Citizens().Contact(e.ctx, e.citizen, "Question sur ma facture\r\nBcc: pirate@exemple.fr", "Bonjour,\nje ne comprends pas le montant. <b>Merci</b>"))
	toService := e.mails.To(e.house.Biller.Email)
	require.Len(t, toService, 1)
	m := toService[0]
	assert.Equal(t, "[Portail des factures] Question sur ma facture Bcc: pirate@exemple.fr", m.Subject, "one line: no header injection")
	assert.Equal(t, "ref001@exemple.fr", m.ReplyTo, "the service's reply goes to the payer")
	assert.Contains(t, m.Text, e.house.Payer.Name)
	assert.Contains(t, m.Text, "je ne comprends pas le montant")
	assert.Contains(t, m.HTML, "&lt;b&gt;Merci&lt;/b&gt;", "the payer's words are escaped in HTML")
	msgs, err := e.store.Messages(e.ctx, e.biller(), 10)
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	assert.Equal(t, domain.MessageNew, msgs[0].State)
}

func TestContactMessageKeptWhenTheMailFails(t *testing.T) {
	e := newEnv(t)
	e.mails.FailNext(1, errors.New("connection refused"))
	require.NoError(t, e.portal.Citizens().Contact(e.ctx, e.citizen, "Objet", "Message"))
	msgs, err := e.store.Messages(e.ctx, e.biller(), 10)
	require.NoError(t, err)
	assert.Len(t, msgs, 1, "the message is stored for the back office even if the mail is lost")
}
