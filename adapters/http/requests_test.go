package http

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// drawnID is the shape of an id the portal draws.
var drawnID = regexp.MustCompile(`^[A-Z2-7]{16}$`)

// getWithID sends GET path with the X-Request-Id header id ("" for none).
func (e *env) getWithID(path, id string) (status int, h http.Header, body string) {
	req, err := http.NewRequest(http.MethodGet, e.TS.URL+path, nil)
	require.NoError(e.T, err)
	if id != "" {
		req.Header.Set(RequestIDHeader, id)
	}
	p := e.Browser().Do(req)
	return p.Status, p.Header, p.Body
}

func TestEveryResponseCarriesARequestID(t *testing.T) {
	e := newEnv(t)
	_, h1, _ := e.getWithID("/healthz", "")
	_, h2, _ := e.getWithID("/healthz", "")
	assert.Regexp(t, drawnID, h1.Get(RequestIDHeader))
	assert.NotEqual(t, h1.Get(RequestIDHeader), h2.Get(RequestIDHeader), "one id per request")
	_, h3, _ := e.getWithID("/static/portail.css", "")
	assert.Regexp(t, drawnID, h3.Get(RequestIDHeader), "static files too")
}

func TestTheProxysRequestIDIsKeptOnlyFromATrustedProxyAndWhenWellFormed(t *testing.T) {
	trusted := newEnv(t, func(c *Config) { c.TrustRequestID = true })
	untrusted := newEnv(t)
	for _, tt := range []struct {
		name string
		e    *env
		sent string
		kept bool
	}{
		{"trusted proxy, a UUID", trusted, "0b6f7c1e-3a52-4d7c-9a0e-6c1b2d3e4f5a", true},
		{"trusted proxy, hex with dots and colons", trusted, "req:01.ab_CD", true},
		{"trusted proxy, spaces and markup", trusted, "a b<script>", false},
		{"trusted proxy, too long", trusted, strings.Repeat("a", 65), false},
		{"no trusted proxy", untrusted, "0b6f7c1e-3a52-4d7c-9a0e-6c1b2d3e4f5a", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, h, _ := tt.e.getWithID("/healthz", tt.sent)
			got := h.Get(RequestIDHeader)
			if tt.kept {
				assert.Equal(t, tt.sent, got)
			} else {
				assert.Regexp(t, drawnID, got, "replaced by one drawn here")
			}
		})
	}
}

func TestErrorPagesShowTheRequestIDForSupport(t *testing.T) {
	e := newEnv(t)
	status, h, body := e.getWithID("/nulle-part", "")
	assert.Equal(t, http.StatusNotFound, status)
	id := h.Get(RequestIDHeader)
	require.Regexp(t, drawnID, id)
	assert.Contains(t, body, "Si le problème persiste, communiquez ce code au service : <strong class=\"code-demande\">"+id+"</strong>")

	p := e.Manager().Get("/gestion/factures/pas-une-facture")
	assert.Equal(t, http.StatusNotFound, p.Status)
	assert.Contains(t, p.Body, "communiquez ce code au service : <strong class=\"code-demande\">"+p.Header.Get(RequestIDHeader)+"</strong>", "the back office's too")
}

// logLines is a JSON log, its lines parsed.
type logLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// with returns the lines whose msg is msg.
func (l *logLines) with(t *testing.T, msg string) []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.buf.String()), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), line)
		if m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

type seenRequest struct {
	route  string
	status int
}

type requestsSeen struct {
	mu   sync.Mutex
	seen []seenRequest
}

func (r *requestsSeen) ObserveRequest(route string, status int, _ time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, seenRequest{route, status})
}

func TestOneAccessLogLinePerRequestWithTheRouteNeverThePath(t *testing.T) {
	logs := &logLines{}
	seen := &requestsSeen{}
	e := newEnv(t, func(c *Config) {
		c.Logger = slog.New(slog.NewJSONHandler(logs, nil))
		c.Requests = seen
	})
	_, h, _ := e.getWithID("/healthz", "")
	const secret = "SecretDuLien123"
	e.getWithID("/activation?lien="+secret, "")
	e.getWithID("/factures/"+secret, "")

	lines := logs.with(t, "request")
	require.Len(t, lines, 3, "one line per request")
	first := lines[0]
	assert.Equal(t, "GET", first["method"])
	assert.Equal(t, "GET /healthz", first["route"])
	assert.Equal(t, float64(200), first["status"])
	assert.Equal(t, float64(3), first["bytes"], "ok\\n")
	assert.Contains(t, first, "duration")
	assert.Equal(t, h.Get(RequestIDHeader), first["request_id"])
	assert.NotContains(t, first, "path")
	assert.Equal(t, "GET /factures/{id}", lines[2]["route"], "the pattern, not the invoice")
	assert.NotContains(t, logs.buf.String(), secret, "neither a query's secret nor a path's")

	status := func(line map[string]any) int { return int(line["status"].(float64)) }
	assert.Equal(t, []seenRequest{{"GET /healthz", 200}, {lines[1]["route"].(string), status(lines[1])}, {"GET /factures/{id}", status(lines[2])}}, seen.seen)
}

func TestEveryLineOfARequestCarriesItsID(t *testing.T) {
	logs := &logLines{}
	e := newEnv(t, func(c *Config) { c.Logger = slog.New(slog.NewJSONHandler(logs, nil)) })
	// A panic's error line and the access-log line of the same request.
	h := e.server.track(e.server.site.Recover(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boum") }), e.server.fail))
	rec := newRecorder()
	h.ServeHTTP(rec, mustGet(t, "/x"))
	id := rec.Header().Get(RequestIDHeader)
	require.Regexp(t, drawnID, id)
	panics := logs.with(t, "panic while serving a page")
	require.Len(t, panics, 1)
	assert.Equal(t, id, panics[0]["request_id"])
	assert.Equal(t, id, logs.with(t, "request")[0]["request_id"])
	assert.Contains(t, rec.Body.String(), id, "shown on the 500 page")
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func mustGet(t *testing.T, path string) *http.Request {
	t.Helper()
	return httptest.NewRequest(http.MethodGet, path, nil)
}
