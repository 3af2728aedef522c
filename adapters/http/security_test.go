package http

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports/demo"
)

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	for _, path := range []string{"/connexion", "/aide", "/nulle-part", "/healthz", "/static/portail.css"} {
		p := b.get(path)
		csp := p.header.Get("Content-Security-Policy")
		assert.Contains(t, csp, "default-src 'self'", path)
		assert.Contains(t, csp, "frame-ancestors 'none'", path)
		assert.NotContains(t, csp, "unsafe-inline", path)
		assert.Equal(t, "nosniff", p.header.Get("X-Content-Type-Options"), path)
		assert.Equal(t, "strict-origin-when-cross-origin", p.header.Get("Referrer-Policy"), path)
	}
	assert.Equal(t, "no-store", b.get("/connexion").header.Get("Cache-Control"))
	css := b.get("/static/portail.css")
	assert.Equal(t, "no-cache", css.header.Get("Cache-Control"))
	assert.Equal(t, "text/css; charset=utf-8", css.header.Get("Content-Type"))
	url, err := e.server.site.Assets.URL("portail.css")
	require.NoError(t, err)
	assert.Equal(t, "public, max-age=31536000, immutable", b.get(url).header.Get("Cache-Control"))
	assert.Equal(t, http.StatusNotFound, b.get("/static/absent.css").status)
}

func TestNoInlineScriptOrStyle(t *testing.T) {
	e := newEnv(t)
	b := e.browser().loginDemo()
	for _, path := range []string{"/", "/factures", "/factures/" + idOf(water).String(), "/paiement", "/mes-informations", "/contact"} {
		p := b.get(path)
		require.Equal(t, http.StatusOK, p.status, path)
		assert.NotContains(t, p.body, "<script>", path)
		assert.NotContains(t, p.body, "<style", path)
		assert.NotContains(t, p.body, " style=", path)
		assert.NotContains(t, p.body, " onclick=", path)
	}
}

func TestHealthz(t *testing.T) {
	e := newEnv(t)
	p := e.browser().get("/healthz")
	assert.Equal(t, http.StatusOK, p.status)
	assert.Equal(t, "ok\n", p.body)
}

func TestCrossOriginFormsAreRefused(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.get("/connexion")
	form := url.Values{"email": {demo.Email}, "password": {demo.Password}, "jeton": {b.token()}}
	p := b.postRaw("/connexion", form, "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusForbidden, p.status)
	contains(t, p, "ne provient pas du portail des factures")
	p = b.postRaw("/connexion", form, "Origin", "http://evil.example")
	assert.Equal(t, http.StatusForbidden, p.status)

	// Logged in, too.
	b.loginDemo()
	b.get("/contact")
	p = b.postRaw("/contact", url.Values{"subject": {"x"}, "body": {"y"}, "jeton": {b.token()}}, "Origin", "http://evil.example")
	assert.Equal(t, http.StatusForbidden, p.status)
	assert.Equal(t, 0, e.mailsTo(demo.ServiceEmail))
}

func TestFormTokenIsRequired(t *testing.T) {
	e := newEnv(t)
	b := e.browser().loginDemo()
	b.get("/contact")
	form := url.Values{"subject": {"Question"}, "body": {"Bonjour"}}
	p := b.postRaw("/contact", form)
	assert.Equal(t, http.StatusForbidden, p.status, "without a token")
	contains(t, p, "Ce formulaire a expiré")
	form.Set("jeton", "faux-jeton")
	assert.Equal(t, http.StatusForbidden, b.postRaw("/contact", form).status, "with a wrong token")
	assert.Equal(t, http.StatusForbidden, b.postRaw("/deconnexion", url.Values{}).status)
	assert.Equal(t, 0, e.mailsTo(demo.ServiceEmail))

	// Before login: the double-submit token.
	anon := e.browser()
	p = anon.postRaw("/connexion", url.Values{"email": {demo.Email}, "password": {demo.Password}})
	assert.Equal(t, http.StatusForbidden, p.status, "no cookie, no field")
	anon.get("/connexion")
	p = anon.postRaw("/connexion", url.Values{"email": {demo.Email}, "password": {demo.Password}, "jeton": {"AAAAAAAAAAAAAAAAAAAAAAAAAA"}})
	assert.Equal(t, http.StatusForbidden, p.status, "a field that differs from the cookie")
	p = anon.postRaw("/activation", url.Values{"email": {demo.NewcomerEmail}})
	assert.Equal(t, http.StatusForbidden, p.status)
	assert.Equal(t, 0, e.mailsTo(demo.NewcomerEmail))
}

func TestPrivatePagesNeedLogin(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	for _, path := range []string{"/", "/factures", "/factures/" + idOf(water).String(), "/paiement", "/mes-informations", "/contact"} {
		p := b.get(path)
		assert.Equal(t, http.StatusSeeOther, p.status, path)
		assert.True(t, strings.HasPrefix(p.location(), "/connexion"), path)
	}
	p := b.postRaw("/contact", url.Values{})
	assert.Equal(t, http.StatusSeeOther, p.status)
}

func TestFrenchErrorPages(t *testing.T) {
	e := newEnv(t)
	p := e.browser().get("/nulle-part")
	assert.Equal(t, http.StatusNotFound, p.status)
	contains(t, p, "Page introuvable", "Cette page n'existe pas", `lang="fr"`, "Se connecter")
	assert.Equal(t, http.StatusNotFound, e.browser().postRaw("/connexion/x", url.Values{}).status)
}

func TestPanicGivesTheFrench500Page(t *testing.T) {
	var logs bytes.Buffer
	e := newEnv(t, func(c *Config) { c.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	h := e.server.site.SecureHeaders(e.server.site.Recover(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("boum")
	}), e.server.fail))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/x", nil))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Contains(t, rec.Body.String(), "Une erreur inattendue s")
	assert.NotContains(t, rec.Body.String(), "boum")
	assert.Contains(t, logs.String(), "level=ERROR")
	assert.Contains(t, logs.String(), "boum")
}

func TestFooterPages(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	contains(t, b.get("/aide"), "Activer mon compte", "Payer sa facture", "délai d'attente", "<title>Aide – Portail des factures")
	contains(t, b.get("/mentions-legales"), "Mentions légales", "Données personnelles", "Cookies")
	a11y := b.get("/accessibilite")
	contains(t, a11y, "Déclaration d'accessibilité", "en cours d'évaluation", "RGAA", "Défenseur des droits", "Ce qui a été fait")
	// Logged in, the footer pages show the menu and the biller's name.
	b.loginDemo()
	b.get("/")
	contains(t, b.get("/aide"), "Se déconnecter", "<title>Aide – Portail des factures – Commune de Démoville</title>")
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
		assert.Equal(t, want, localPath(in), "%q", in)
	}
}

func TestInternalErrorsAreLoggedAndShownGenerically(t *testing.T) {
	var logs bytes.Buffer
	e := newEnv(t, func(c *Config) { c.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	rec := httptest.NewRecorder()
	e.server.fail(rec, httptest.NewRequest(http.MethodGet, "/factures", nil), domain.WrapInternal(errors.New("disk on fire")))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Contains(t, rec.Body.String(), "Une erreur inattendue s")
	assert.NotContains(t, rec.Body.String(), "disk on fire")
	assert.Contains(t, logs.String(), "level=ERROR")
	assert.Contains(t, logs.String(), "disk on fire")

	logs.Reset()
	rec = httptest.NewRecorder()
	e.server.fail(rec, httptest.NewRequest(http.MethodGet, "/x", nil), domain.ErrNotFound)
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Empty(t, logs.String(), "only Internal and Unavailable are logged")
}
