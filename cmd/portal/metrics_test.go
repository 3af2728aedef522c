package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/metrics"
	"github.com/portail-factures/portail/adapters/metrics/metricstest"
	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports/demo"
)

// startWithMetrics runs `portal serve args…` with its public listener and
// its metrics' listener on fresh loopback ports, the public URL the
// public listener's (the simulator's pages and callbacks are served
// there); it returns the running Main and both base URLs.
func startWithMetrics(t *testing.T, args ...string) (m *Main, public, metricsURL string, logs *syncBuffer) {
	t.Helper()
	clearEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	mln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	public = "http://" + ln.Addr().String()
	logs = &syncBuffer{}
	m = NewMain()
	m.Stdout, m.Stderr = io.Discard, logs
	require.NoError(t, m.ParseArgs(append([]string{"serve", "--public-url", public}, args...)))
	m.Listener, m.MetricsListener = ln, mln
	m.Serving = make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	stop := sync.OnceValue(func() error { cancel(); return waitRun(t, done) })
	t.Cleanup(func() {
		assert.NoError(t, stop())
		assert.NoError(t, m.Close())
	})
	select {
	case <-m.Serving:
	case err := <-done:
		t.Fatalf("portal serve stopped before serving: %v", err)
	}
	return m, public, "http://" + mln.Addr().String(), logs
}

// payAtTheSimulator pays the demo citizen's first payable invoice at the
// simulator served by the portal, as a browser does, the notification
// and the return going through the portal's public port.
func payAtTheSimulator(t *testing.T, m *Main, public string) {
	t.Helper()
	ctx := context.Background()
	secret, _, err := m.portal.CitizenAccounts().Login(ctx, demo.BillerID, demo.Email, demo.Password, false, "")
	require.NoError(t, err)
	_, c, err := m.portal.CitizenAccounts().Authenticate(ctx, secret)
	require.NoError(t, err)
	sel, err := m.portal.Citizens().PayableInvoices(ctx, c)
	require.NoError(t, err)
	require.NotEmpty(t, sel.Invoices)
	pay, co, err := m.portal.Citizens().StartPayment(ctx, c, []uuid.UUID{sel.Invoices[0].ID})
	require.NoError(t, err)

	browser := &http.Client{Timeout: client.Timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.Get(co.RedirectURL)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)
	u, err := url.Parse(co.RedirectURL)
	require.NoError(t, err)
	resp, err = browser.PostForm(public+u.Path, url.Values{"idop": {u.Query().Get("idop")}, "action": {"pay"}})
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	back := resp.Header.Get("Location")
	require.True(t, strings.HasPrefix(back, public), back)
	resp, err = browser.Get(back)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())

	got, err := m.portal.Citizens().Payment(ctx, c, pay.ID)
	require.NoError(t, err)
	require.Equal(t, domain.PaymentPaid, got.State)
}

func TestTheMetricsCountRequestsAndAPaymentAndAreNeverOnThePublicPort(t *testing.T) {
	for _, store := range []string{"memory", "postgresql"} {
		t.Run(store, func(t *testing.T) {
			var args []string
			if store == "postgresql" {
				args = []string{"--database-url", pgtest.NewEmptyURL(t), "--demo", "true"}
			}
			m, public, metricsURL, _ := startWithMetrics(t, args...)
			for _, path := range []string{"/healthz", "/healthz", "/nulle-part", metrics.Path} {
				resp, err := client.Get(public + path)
				require.NoError(t, err)
				require.NoError(t, resp.Body.Close())
				if path == metrics.Path {
					assert.Equal(t, http.StatusNotFound, resp.StatusCode, "the public port does not serve the metrics")
				}
			}
			payAtTheSimulator(t, m, public)

			fams := metricstest.Scrape(t, metricsURL+metrics.Path)
			want := func(v float64, fam string, labels ...string) {
				t.Helper()
				got, ok := fams.Value(fam, labels...)
				if assert.True(t, ok, "no %s%v", fam, labels) {
					assert.Equal(t, v, got, "%s%v", fam, labels)
				}
			}
			want(2, "portal_http_requests_total", "route", "GET /healthz", "status", "200")
			want(2, "portal_http_requests_total", "route", "/", "status", "404") // /nulle-part and /metrics
			want(2, "portal_http_request_duration_seconds", "route", "GET /healthz")
			want(1, "portal_http_requests_total", "route", "POST /paiement/notification", "status", "200")
			want(1, "portal_payments_total", "event", "started")
			want(1, "portal_payments_total", "event", "settled")
			want(0, "portal_payments_total", "event", "refused")
			want(1, "portal_backlog_up")
			want(0, "portal_reconciler_lag_seconds") // nothing live any more
			_, ok := fams.Value("portal_outbox_mails", "state", "failed")
			assert.True(t, ok, "the outbox's counts")
			assert.Contains(t, fams, "go_goroutines")
			_, pool := fams.Value("go_sql_open_connections", "db_name", "portal")
			assert.Equal(t, store == "postgresql", pool, "the pool's statistics, on PostgreSQL")
		})
	}
}

func TestAJobsSuccessIsItsLastSuccessTime(t *testing.T) {
	clearEnv(t)
	m := NewMain()
	require.NoError(t, m.ParseArgs([]string{"serve"}))
	m.Config.Metrics.Addr = "127.0.0.1:0" // on; not served here
	m.Logger = discard()
	require.NoError(t, m.buildMetrics(openedStore{}, nil))
	ok := m.countSuccess("reminders", func(context.Context) (int, error) { return 3, nil })
	failing := m.countSuccess("notices", func(context.Context) (int, error) { return 0, assert.AnError })
	_, _ = ok(context.Background())
	_, _ = failing(context.Background())
	m.jobSucceeded("mail sender")

	srv := httptest.NewServer(m.metrics.Handler())
	t.Cleanup(srv.Close)
	fams := metricstest.Scrape(t, srv.URL+metrics.Path)
	at, found := fams.Value("portal_job_last_success_timestamp_seconds", "task", "reminders")
	assert.True(t, found)
	assert.Positive(t, at)
	_, found = fams.Value("portal_job_last_success_timestamp_seconds", "task", "mail sender")
	assert.True(t, found)
	_, found = fams.Value("portal_job_last_success_timestamp_seconds", "task", "notices")
	assert.False(t, found, "a failed run is no success")
}
