package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/postgres/pgtest"
)

// pgProxy forwards TCP connections to the test PostgreSQL until cut:
// the portal behind it then sees its database go down, as when the
// server stops, while the other tests keep theirs.
type pgProxy struct {
	ln     net.Listener
	target func() (net.Conn, error)
	mu     sync.Mutex
	conns  []net.Conn
}

// newPGProxy returns a proxy to the database of raw and the URL that
// reaches it through the proxy.
func newPGProxy(t *testing.T, raw string) (*pgProxy, string) {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	q := u.Query()
	host, port := q.Get("host"), q.Get("port")
	if port == "" {
		port = "5432"
	}
	var target func() (net.Conn, error)
	switch {
	case strings.HasPrefix(host, "/"): // the throwaway server's Unix socket
		target = func() (net.Conn, error) { return net.Dial("unix", host+"/.s.PGSQL."+port) }
	default:
		addr := u.Host
		if u.Port() == "" {
			addr = net.JoinHostPort(u.Hostname(), "5432")
		}
		target = func() (net.Conn, error) { return net.Dial("tcp", addr) }
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &pgProxy{ln: ln, target: target}
	go p.serve()
	t.Cleanup(p.cut)
	q.Del("host")
	q.Del("port")
	u.Host = ln.Addr().String()
	u.RawQuery = q.Encode()
	return p, u.String()
}

func (p *pgProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := p.target()
		if err != nil {
			_ = c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(s, c); _ = s.Close() }()
		go func() { _, _ = io.Copy(c, s); _ = c.Close() }()
	}
}

// cut closes the listener and every connection: nothing answers any more.
func (p *pgProxy) cut() {
	_ = p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}

func TestReadyzFailsWhilePostgreSQLIsDownAndHealthzDoesNot(t *testing.T) {
	proxy, through := newPGProxy(t, pgtest.NewURL(t))
	clearEnv(t)
	m := NewMain()
	m.Stdout, m.Stderr = io.Discard, io.Discard
	require.NoError(t, m.ParseArgs([]string{"serve", "--database-url", through}))
	m.Logger = slog.New(slog.DiscardHandler)
	h, err := m.buildHandler(context.Background())
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close() })
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	get := func(path string) (int, string) {
		t.Helper()
		res, err := http.Get(ts.URL + path)
		require.NoError(t, err)
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res.StatusCode, string(body)
	}

	st, body := get("/readyz")
	assert.Equal(t, http.StatusOK, st, body)
	st, _ = get("/healthz")
	assert.Equal(t, http.StatusOK, st)

	proxy.cut()
	st, body = get("/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, st, "PostgreSQL is down")
	assert.Equal(t, "not ready: database unreachable\n", body)
	st, body = get("/healthz")
	assert.Equal(t, http.StatusOK, st, "the process still serves")
	assert.Equal(t, "ok\n", body)
}
