package http

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/adapters/memory"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

// switchableStore is the memory store whose readiness a test sets.
type switchableStore struct {
	*memory.Store
	err error
}

func (s *switchableStore) Ready(context.Context) error { return s.err }

func TestReadyzSaysWhetherToSendTraffic(t *testing.T) {
	store := &switchableStore{Store: memory.New()}
	clock := portstest.NewFixedClock(start)
	p, err := ports.NewPortal(ports.Deps{Store: store, Sessions: store, Mailer: memory.NewMailbox(clock, 0),
		Gateway: &portstest.FakeGateway{}, Clock: clock}, ports.Config{PublicURL: publicURL, Argon2: fastArgon2})
	require.NoError(t, err)
	srv, err := New(Config{Portal: p, PublicURL: publicURL, Clock: clock}) // no biller: every other page is a 404
	require.NoError(t, err)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	get := func(path string) (int, string) {
		t.Helper()
		e := &webtest.Env{T: t, TS: ts}
		r := e.Browser().Get(path)
		assert.Equal(t, "no-store", r.Header.Get("Cache-Control"), path)
		return r.Status, r.Body
	}

	st, body := get("/readyz")
	assert.Equal(t, http.StatusOK, st)
	assert.Equal(t, "ready\n", body)

	store.err = errors.New("dial tcp 10.0.0.7:5432: connect: connection refused")
	st, body = get("/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, st, "the database is down")
	assert.Equal(t, "not ready: database unreachable\n", body, "a short reason, not the driver's message")
	st, body = get("/healthz")
	assert.Equal(t, http.StatusOK, st, "the process is alive all the same")
	assert.Equal(t, "ok\n", body)

	store.err = ports.ErrSchemaNotCurrent
	st, body = get("/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, st)
	assert.Equal(t, "not ready: database migrations not current\n", body)

	store.err = nil
	p.WatchMailSender(time.Minute)
	st, _ = get("/readyz")
	assert.Equal(t, http.StatusOK, st, "the sender just started")
	clock.Advance(3 * time.Minute)
	st, _ = get("/readyz")
	assert.Equal(t, http.StatusOK, st, "three intervals are tolerated")
	clock.Advance(time.Second)
	st, body = get("/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, st, "the sender has not run for over three intervals")
	assert.Equal(t, "not ready: mail sender stalled\n", body)
	_, err = p.Jobs().DeliverMails(context.Background())
	require.NoError(t, err)
	st, _ = get("/readyz")
	assert.Equal(t, http.StatusOK, st, "it ran again")
	st, _ = get("/healthz")
	assert.Equal(t, http.StatusOK, st)
}
