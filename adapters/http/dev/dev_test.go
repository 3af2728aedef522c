package dev_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	web "github.com/portail-factures/portail/adapters/http"
	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/adapters/http/webtest/full"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

func TestDevPagesExistOnlyInDemoMode(t *testing.T) {
	e := full.New(t, func(c *web.Config) { c.Dev = nil })
	b := e.Browser()
	for _, path := range []string{"/_dev/mail", "/_dev/payfip/tpa/paiementws.web"} {
		assert.Equal(t, http.StatusNotFound, b.Get(path).Status, path)
	}
	webtest.NotContains(t, b.Get("/connexion"), "/_dev/mail")
}

func TestDevMailPage(t *testing.T) {
	e := full.New(t)
	b := e.Browser()
	b.Get("/activation")
	b.Post("/activation", url.Values{"email": {demo.NewcomerEmail}})
	e.Clock.Advance(time.Minute)
	b.Get("/mot-de-passe-oublie")
	b.Post("/mot-de-passe-oublie", url.Values{"email": {demo.Email}})

	p := b.Get("/_dev/mail")
	require.Equal(t, http.StatusOK, p.Status)
	assert.Equal(t, "no-referrer", p.Header.Get("Referrer-Policy"))
	assert.Equal(t, 2, strings.Count(p.Body, "<article"))
	webtest.Contains(t, p, "À :", "Objet :", "26/11/2026 à 10h01", "26/11/2026 à 10h00")
	assert.Less(t, strings.Index(p.Body, demo.Email), strings.Index(p.Body, demo.NewcomerEmail), "newest first")
	assert.Regexp(t, `<a href="http://portail.test/mot-de-passe\?lien=[A-Za-z0-9_%-]+">http://portail.test/mot-de-passe\?lien=`, p.Body)

	assert.Equal(t, "simulateur", b.Get("/_dev/payfip/tpa/paiementws.web?idop=1").Body)
	assert.Equal(t, []string{"/_dev/payfip/tpa/paiementws.web"}, e.PayFiP, "mounted without StripPrefix")
}

// TestDevMailPageTemplate: the page has the citizens' frame, like every
// page (the template check of adapters/http's TestEveryPageTemplateParsesAndRenders).
func TestDevMailPageTemplate(t *testing.T) {
	e := full.New(t)
	p := e.Browser().Get("/_dev/mail")
	require.Equal(t, http.StatusOK, p.Status)
	assert.Contains(t, p.Body, `<html lang="fr">`)
	assert.Contains(t, p.Body, `<main id="contenu"`)
	assert.Equal(t, 1, strings.Count(p.Body, "<h1"), "one h1 per page")
}

func TestDevMailPageShowsAttachmentsAndUnsubscribe(t *testing.T) {
	e := full.New(t)
	pdf := []byte("%PDF-1.7\n\x00\xff reçu\n")
	require.NoError(t, e.Mails.Send(t.Context(), ports.Mail{
		To: demo.Email, Subject: "Votre reçu", Text: "Bonjour,\n",
		Unsubscribe: "http://portail.test/desabonnement/jeton",
		Attachments: []ports.Attachment{{Name: "recu-PF2026-0001.pdf", ContentType: "application/pdf", Data: pdf}},
	}))
	b := e.Browser()
	p := b.Get("/_dev/mail")
	require.Equal(t, http.StatusOK, p.Status)
	webtest.Contains(t, p, "Pièces jointes", "recu-PF2026-0001.pdf", fmt.Sprintf("(application/pdf, %d octets)", len(pdf)),
		`<a href="http://portail.test/desabonnement/jeton">`)
	m := regexp.MustCompile(`href="(/_dev/mail/\d+/pieces/1)"`).FindStringSubmatch(p.Body)
	require.NotNil(t, m, "a link to the attachment")

	f := b.Get(m[1])
	require.Equal(t, http.StatusOK, f.Status)
	assert.Equal(t, string(pdf), f.Body)
	assert.Equal(t, "application/pdf", f.Header.Get("Content-Type"))
	assert.Equal(t, `attachment; filename=recu-PF2026-0001.pdf`, f.Header.Get("Content-Disposition"))
	assert.Equal(t, "sandbox", f.Header.Get("Content-Security-Policy"))

	for _, path := range []string{strings.Replace(m[1], "/pieces/1", "/pieces/2", 1), strings.Replace(m[1], "/pieces/1", "/pieces/0", 1),
		"/_dev/mail/999/pieces/1", "/_dev/mail/x/pieces/1"} {
		assert.Equal(t, http.StatusNotFound, b.Get(path).Status, path)
	}
}
