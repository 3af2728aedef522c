package metrics_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/metrics"
	"github.com/portail-factures/portail/adapters/metrics/metricstest"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

// value is the value of fam's series with labels, failing the test when
// there is none.
func value(t *testing.T, fams metricstest.Families, fam string, labels ...string) float64 {
	t.Helper()
	v, ok := fams.Value(fam, labels...)
	require.True(t, ok, "no %s%v", fam, labels)
	return v
}

func TestTheFiguresAsAScrapeReadsThem(t *testing.T) {
	clock := portstest.NewFixedClock(portstest.Epoch)
	m, err := metrics.New(metrics.Config{
		Clock: clock,
		Backlog: func(context.Context) (ports.Backlog, error) {
			return ports.Backlog{OldestLive: portstest.Epoch.Add(-90 * time.Second), Outbox: ports.OutboxCounts{Pending: 3, Failed: 2}}, nil
		},
	})
	require.NoError(t, err)
	m.ObserveRequest("GET /factures/{id}", 200, 30*time.Millisecond)
	m.ObserveRequest("GET /factures/{id}", 200, 40*time.Millisecond)
	m.ObserveRequest("", 404, time.Millisecond)
	m.CountPayment(context.Background(), ports.PaymentStarted)
	m.JobSucceeded("reminders", portstest.Epoch)
	srv := httptest.NewServer(m.Handler())
	t.Cleanup(srv.Close)

	fams := metricstest.Scrape(t, srv.URL+metrics.Path)
	assert.Equal(t, 2.0, value(t, fams, "portal_http_requests_total", "route", "GET /factures/{id}", "status", "200"))
	assert.Equal(t, 1.0, value(t, fams, "portal_http_requests_total", "route", "unmatched", "status", "404"))
	assert.Equal(t, 2.0, value(t, fams, "portal_http_request_duration_seconds", "route", "GET /factures/{id}"))
	assert.Equal(t, 1.0, value(t, fams, "portal_payments_total", "event", "started"))
	assert.Equal(t, 0.0, value(t, fams, "portal_payments_total", "event", "double"), "every event is there from the start")
	assert.InDelta(t, float64(portstest.Epoch.UnixMilli())/1e3, value(t, fams, "portal_job_last_success_timestamp_seconds", "task", "reminders"), 1e-3)
	assert.Equal(t, 1.0, value(t, fams, "portal_backlog_up"))
	assert.Equal(t, 90.0, value(t, fams, "portal_reconciler_lag_seconds"))
	assert.Equal(t, 3.0, value(t, fams, "portal_outbox_mails", "state", "pending"))
	assert.Equal(t, 2.0, value(t, fams, "portal_outbox_mails", "state", "failed"))
	assert.Contains(t, fams, "go_goroutines", "the Go runtime")
	assert.Contains(t, fams, "process_resident_memory_bytes", "the process")

	resp, err := http.Get(srv.URL + "/")
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "nothing else is served")
}

func TestASlowOrFailingStoreLeavesTheBacklogOutNotTheScrape(t *testing.T) {
	for name, read := range map[string]func(context.Context) (ports.Backlog, error){
		"failing": func(context.Context) (ports.Backlog, error) { return ports.Backlog{}, errors.New("connection refused") },
		"slow": func(ctx context.Context) (ports.Backlog, error) {
			<-ctx.Done() // answers only when the scrape's timeout ends
			return ports.Backlog{}, ctx.Err()
		},
	} {
		t.Run(name, func(t *testing.T) {
			m, err := metrics.New(metrics.Config{Backlog: read, BacklogTimeout: 50 * time.Millisecond})
			require.NoError(t, err)
			srv := httptest.NewServer(m.Handler())
			t.Cleanup(srv.Close)
			fams := metricstest.Scrape(t, srv.URL+metrics.Path)
			assert.Equal(t, 0.0, value(t, fams, "portal_backlog_up"))
			assert.NotContains(t, fams, "portal_reconciler_lag_seconds")
			assert.Contains(t, fams, "portal_payments_total")
		})
	}
}
