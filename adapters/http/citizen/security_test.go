package citizen_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/adapters/http/webtest/full"
	"github.com/portail-factures/portail/ports/demo"
)

func TestNoInlineScriptOrStyle(t *testing.T) {
	e := full.New(t)
	b := e.Browser().LoginDemo()
	for _, path := range []string{"/", "/factures", "/factures/" + webtest.IDOf(webtest.Water).String(), "/paiement", "/mes-informations", "/contact"} {
		p := b.Get(path)
		require.Equal(t, http.StatusOK, p.Status, path)
		assert.NotContains(t, p.Body, "<script>", path)
		assert.NotContains(t, p.Body, "<style", path)
		assert.NotContains(t, p.Body, " style=", path)
		assert.NotContains(t, p.Body, " onclick=", path)
	}
}

func TestCrossOriginFormsAreRefused(t *testing.T) {
	e := full.New(t)
	b := e.Browser()
	b.Get("/connexion")
	form := url.Values{"email": {demo.Email}, "password": {demo.Password}, "jeton": {b.Token()}}
	p := b.PostRaw("/connexion", form, "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusForbidden, p.Status)
	webtest.Contains(t, p, "ne provient pas du portail des factures")
	p = b.PostRaw("/connexion", form, "Origin", "http://evil.example")
	assert.Equal(t, http.StatusForbidden, p.Status)

	// Logged in, too.
	b.LoginDemo()
	b.Get("/contact")
	p = b.PostRaw("/contact", url.Values{"subject": {"x"}, "body": {"y"}, "jeton": {b.Token()}}, "Origin", "http://evil.example")
	assert.Equal(t, http.StatusForbidden, p.Status)
	assert.Equal(t, 0, e.MailsTo(demo.ServiceEmail))
}

func TestFormTokenIsRequired(t *testing.T) {
	e := full.New(t)
	b := e.Browser().LoginDemo()
	b.Get("/contact")
	form := url.Values{"subject": {"Question"}, "body": {"Bonjour"}}
	p := b.PostRaw("/contact", form)
	assert.Equal(t, http.StatusForbidden, p.Status, "without a token")
	webtest.Contains(t, p, "Ce formulaire a expiré")
	form.Set("jeton", "faux-jeton")
	assert.Equal(t, http.StatusForbidden, b.PostRaw("/contact", form).Status, "with a wrong token")
	assert.Equal(t, http.StatusForbidden, b.PostRaw("/deconnexion", url.Values{}).Status)
	assert.Equal(t, 0, e.MailsTo(demo.ServiceEmail))

	// Before login: the double-submit token.
	anon := e.Browser()
	p = anon.PostRaw("/connexion", url.Values{"email": {demo.Email}, "password": {demo.Password}})
	assert.Equal(t, http.StatusForbidden, p.Status, "no cookie, no field")
	anon.Get("/connexion")
	p = anon.PostRaw("/connexion", url.Values{"email": {demo.Email}, "password": {demo.Password}, "jeton": {"AAAAAAAAAAAAAAAAAAAAAAAAAA"}})
	assert.Equal(t, http.StatusForbidden, p.Status, "a field that differs from the cookie")
	p = anon.PostRaw("/activation", url.Values{"email": {demo.NewcomerEmail}})
	assert.Equal(t, http.StatusForbidden, p.Status)
	assert.Equal(t, 0, e.MailsTo(demo.NewcomerEmail))
}

func TestPrivatePagesNeedLogin(t *testing.T) {
	e := full.New(t)
	b := e.Browser()
	for _, path := range []string{"/", "/factures", "/factures/" + webtest.IDOf(webtest.Water).String(), "/paiement", "/mes-informations", "/contact"} {
		p := b.Get(path)
		assert.Equal(t, http.StatusSeeOther, p.Status, path)
		assert.True(t, strings.HasPrefix(p.Location(), "/connexion"), path)
	}
	p := b.PostRaw("/contact", url.Values{})
	assert.Equal(t, http.StatusSeeOther, p.Status)
}

func TestFooterPages(t *testing.T) {
	e := full.New(t)
	b := e.Browser()
	webtest.Contains(t, b.Get("/aide"), "Activer mon compte", "Payer sa facture", "délai d'attente", "<title>Aide – Portail des factures")
	webtest.Contains(t, b.Get("/mentions-legales"), "Mentions légales", "Données personnelles", "Cookies")
	a11y := b.Get("/accessibilite")
	webtest.Contains(t, a11y, "Déclaration d'accessibilité", "en cours d'évaluation", "RGAA", "Défenseur des droits", "Ce qui a été fait")
	// Logged in, the footer pages show the menu and the biller's name.
	b.LoginDemo()
	b.Get("/")
	webtest.Contains(t, b.Get("/aide"), "Se déconnecter", "<title>Aide – Portail des factures – Commune de Démoville</title>")
}

func TestLocalPathKeepsVisitorsOnTheSite(t *testing.T) {
	for in, want := range map[string]string{
		"/factures?onglet=reglees": "/factures?onglet=reglees",
		"":                         "/",
		"https://evil.example/":    "/",
		"//evil.example/":          "/",
		"/\\evil.example/":         "/",
		"/\t/evil.example/":        "/",
		"/\n/evil.example/":        "/",
		"factures":                 "/",
	} {
		assert.Equal(t, want, kit.LocalPath(in), "%q", in)
	}
}
