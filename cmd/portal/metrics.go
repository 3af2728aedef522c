package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/portail-factures/portail/adapters/metrics"
	"github.com/portail-factures/portail/ports"
)

// metricsOn reports whether the metrics are served: metrics.addr is set,
// or a test gave their listener.
func (m *Main) metricsOn() bool {
	return m.Config.Metrics.Addr != "" || m.MetricsListener != nil
}

// buildMetrics makes the operators' metrics when they are on: the
// backlog read through the portal's use case at each scrape (m.portal,
// set once the portal is built), PostgreSQL's pool statistics when the
// store is PostgreSQL.
func (m *Main) buildMetrics(opened openedStore, clock ports.Clock) error {
	if !m.metricsOn() {
		return nil
	}
	mx, err := metrics.New(metrics.Config{
		Backlog: func(ctx context.Context) (ports.Backlog, error) { return m.portal.Operator().Backlog(ctx) },
		Clock:   clock, DB: opened.Pool, Logger: m.Logger,
	})
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	m.metrics = mx
	return nil
}

// serveMetrics serves the metrics on their own listener until Close:
// never on the public port, so that only the operators' network reaches
// them.
func (m *Main) serveMetrics() error {
	if m.metrics == nil {
		return nil
	}
	ln := m.MetricsListener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", m.Config.Metrics.Addr); err != nil {
			return fmt.Errorf("cannot listen on %s (metrics.addr): %w", m.Config.Metrics.Addr, err)
		}
	}
	srv := &http.Server{
		Handler:           m.metrics.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelError),
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			m.Logger.Error("metrics server stopped", "err", err)
		}
	}()
	m.Logger.Info("metrics", "url", "http://"+ln.Addr().String()+metrics.Path)
	m.onClose(func() error {
		err := srv.Close()
		<-served
		return err
	})
	return nil
}

// countSuccess wraps a job so that each run without error is recorded
// as the job's last success, when the metrics are on.
func (m *Main) countSuccess(task string, fn func(context.Context) (int, error)) func(context.Context) (int, error) {
	if m.metrics == nil {
		return fn
	}
	return func(ctx context.Context) (int, error) {
		n, err := fn(ctx)
		if err == nil {
			m.jobSucceeded(task)
		}
		return n, err
	}
}

// jobSucceeded records that task just ran without error.
func (m *Main) jobSucceeded(task string) {
	if m.metrics != nil {
		m.metrics.JobSucceeded(task, ports.SystemClock{}.Now())
	}
}
