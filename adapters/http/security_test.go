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
	b := e.Browser()
	for _, path := range []string{"/connexion", "/aide", "/nulle-part", "/healthz", "/static/portail.css"} {
		p := b.Get(path)
		csp := p.Header.Get("Content-Security-Policy")
		assert.Contains(t, csp, "default-src 'self'", path)
		assert.Contains(t, csp, "frame-ancestors 'none'", path)
		assert.NotContains(t, csp, "unsafe-inline", path)
		assert.Equal(t, "nosniff", p.Header.Get("X-Content-Type-Options"), path)
		assert.Equal(t, "strict-origin-when-cross-origin", p.Header.Get("Referrer-Policy"), path)
	}
	assert.Equal(t, "no-store", b.Get("/connexion").Header.Get("Cache-Control"))
	css := b.Get("/static/portail.css")
	assert.Equal(t, "no-cache", css.Header.Get("Cache-Control"))
	assert.Equal(t, "text/css; charset=utf-8", css.Header.Get("Content-Type"))
	url, err := e.server.site.Assets.URL("portail.css")
	require.NoError(t, err)
	assert.Equal(t, "public, max-age=31536000, immutable", b.Get(url).Header.Get("Cache-Control"))
	assert.Equal(t, http.StatusNotFound, b.Get("/static/absent.css").Status)
}

func TestNoInlineScriptOrStyle(t *testing.T) {
	e := newEnv(t)
	b := e.Browser().LoginDemo()
	for _, path := range []string{"/", "/factures", "/factures/" + idOf(water).String(), "/paiement", "/mes-informations", "/contact"} {
		p := b.Get(path)
		require.Equal(t, http.StatusOK, p.Status, path)
		assert.NotContains(t, p.Body, "<script>", path)
		assert.NotContains(t, p.Body, "<style", path)
		assert.NotContains(t, p.Body, " style=", path)
		assert.NotContains(t, p.Body, " onclick=", path)
	}
}

func TestHealthz(t *testing.T) {
	e := newEnv(t)
	p := e.Browser().Get("/healthz")
	assert.Equal(t, http.StatusOK, p.Status)
	assert.Equal(t, "ok\n", p.Body)
}

func TestCrossOriginFormsAreRefused(t *testing.T) {
	e := newEnv(t)
	b := e.Browser()
	b.Get("/connexion")
	form := url.Values{"email": {demo.Email}, "password": {demo.Password}, "jeton": {b.Token()}}
	p := b.PostRaw("/connexion", form, "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusForbidden, p.Status)
	contains(t, p, "ne provient pas du portail des factures")
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
	e := newEnv(t)
	b := e.Browser().LoginDemo()
	b.Get("/contact")
	form := url.Values{"subject": {"Question"}, "body": {"Bonjour"}}
	p := b.PostRaw("/contact", form)
	assert.Equal(t, http.StatusForbidden, p.Status, "without a token")
	contains(t, p, "Ce formulaire a expiré")
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
	e := newEnv(t)
	b := e.Browser()
	for _, path := range []string{"/", "/factures", "/factures/" + idOf(water).String(), "/paiement", "/mes-informations", "/contact"} {
		p := b.Get(path)
		assert.Equal(t, http.StatusSeeOther, p.Status, path)
		assert.True(t, strings.HasPrefix(p.Location(), "/connexion"), path)
	}
	p := b.PostRaw("/contact", url.Values{})
	assert.Equal(t, http.StatusSeeOther, p.Status)
}

func TestFrenchErrorPages(t *testing.T) {
	e := newEnv(t)
	p := e.Browser().Get("/nulle-part")
	assert.Equal(t, http.StatusNotFound, p.Status)
	contains(t, p, "Page introuvable", "Cette page n'existe pas", `lang="fr"`, "Se connecter")
	assert.Equal(t, http.StatusNotFound, e.Browser().PostRaw("/connexion/x", url.Values{}).Status)
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
	b := e.Browser()
	contains(t, b.Get("/aide"), "Activer mon compte", "Payer sa facture", "délai d'attente", "<title>Aide – Portail des factures")
	contains(t, b.Get("/mentions-legales"), "Mentions légales", "Données personnelles", "Cookies")
	a11y := b.Get("/accessibilite")
	contains(t, a11y, "Déclaration d'accessibilité", "en cours d'évaluation", "RGAA", "Défenseur des droits", "Ce qui a été fait")
	// Logged in, the footer pages show the menu and the biller's name.
	b.LoginDemo()
	b.Get("/")
	contains(t, b.Get("/aide"), "Se déconnecter", "<title>Aide – Portail des factures – Commune de Démoville</title>")
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
