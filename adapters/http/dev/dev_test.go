package dev_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	web "github.com/portail-factures/portail/adapters/http"
	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/adapters/http/webtest/full"
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
