package http

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
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

func TestHealthz(t *testing.T) {
	e := newEnv(t)
	p := e.Browser().Get("/healthz")
	assert.Equal(t, http.StatusOK, p.Status)
	assert.Equal(t, "ok\n", p.Body)
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
