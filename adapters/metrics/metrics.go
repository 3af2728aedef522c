// Package metrics is the operators' Prometheus adapter: it counts the
// HTTP requests and the payments as they happen, reads the backlog
// (reconciler lag, outbox) from the store at each scrape, keeps the
// background jobs' last success, and serves all of it, with the database
// pool's and the Go runtime's figures, on /metrics for a listener of its
// own (metrics.addr), never the public one.
//
// The core knows nothing of Prometheus: Metrics implements
// ports.PaymentObserver, and the web server's RequestObserver by its
// method set alone (an adapter imports no other adapter).
package metrics

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/portail-factures/portail/ports"
)

// Path is where the metrics are served.
const Path = "/metrics"

// DefaultBacklogTimeout bounds the store's reads of one scrape: a
// database too slow to answer them leaves the backlog's figures out
// (portal_backlog_up 0) rather than hanging the scrape.
const DefaultBacklogTimeout = 2 * time.Second

// unmatchedRoute is the route label of a request no pattern matched.
const unmatchedRoute = "unmatched"

// Config is what the metrics need.
type Config struct {
	// Backlog reads the work waiting in the store (ports.Operator.Backlog);
	// nil: no backlog figures.
	Backlog func(context.Context) (ports.Backlog, error)
	// BacklogTimeout bounds Backlog at each scrape; default
	// DefaultBacklogTimeout.
	BacklogTimeout time.Duration
	// Clock tells the reconciler's lag; default ports.SystemClock{}.
	Clock ports.Clock
	// DB, when set, is the PostgreSQL pool whose statistics are shown
	// (go_sql_*{db_name="portal"}).
	DB     *sql.DB
	Logger *slog.Logger
}

// Metrics is the registry of the portal's figures.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	payments *prometheus.CounterVec
	jobs     *prometheus.GaugeVec
	log      *slog.Logger
}

// New registers every figure.
func New(cfg Config) (*Metrics, error) {
	if cfg.Clock == nil {
		cfg.Clock = ports.SystemClock{}
	}
	if cfg.BacklogTimeout <= 0 {
		cfg.BacklogTimeout = DefaultBacklogTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		log:      cfg.Logger,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "portal_http_requests_total",
			Help: "HTTP requests served, by route (the ServeMux pattern, \"unmatched\" when none) and status.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "portal_http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, by route.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		payments: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "portal_payments_total",
			Help: "Payment attempts started and ended, by event: started, settled, refused, abandoned, expired, failed, rejected, test; double counts the invoices paid twice (refunds to make).",
		}, []string{"event"}),
		jobs: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "portal_job_last_success_timestamp_seconds",
			Help: "When this process last ran a background job without error (Unix time), by task.",
		}, []string{"task"}),
	}
	// Every payment event from the start, at zero: rate() needs them.
	for _, c := range ports.PaymentCounts {
		m.payments.WithLabelValues(string(c))
	}
	cs := []prometheus.Collector{
		m.requests, m.latency, m.payments, m.jobs,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	}
	if cfg.Backlog != nil {
		cs = append(cs, newBacklogCollector(cfg))
	}
	if cfg.DB != nil {
		cs = append(cs, collectors.NewDBStatsCollector(cfg.DB, "portal"))
	}
	for _, c := range cs {
		if err := m.registry.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Handler serves the figures on Path, and a 404 elsewhere.
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET "+Path, promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(m.log.Handler(), slog.LevelError),
		ErrorHandling: promhttp.ContinueOnError,
	}))
	return mux
}

// ObserveRequest counts a request served (adapters/http's
// RequestObserver).
func (m *Metrics) ObserveRequest(route string, status int, took time.Duration) {
	if route == "" {
		route = unmatchedRoute
	}
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(took.Seconds())
}

// CountPayment counts a payment's event (ports.PaymentObserver).
func (m *Metrics) CountPayment(_ context.Context, c ports.PaymentCount) {
	m.payments.WithLabelValues(string(c)).Inc()
}

// JobSucceeded records that the job task ran without error at at.
func (m *Metrics) JobSucceeded(task string, at time.Time) {
	m.jobs.WithLabelValues(task).Set(float64(at.UnixNano()) / 1e9)
}

// backlogCollector reads the backlog at each scrape.
type backlogCollector struct {
	read    func(context.Context) (ports.Backlog, error)
	timeout time.Duration
	clock   ports.Clock
	log     *slog.Logger
	// mu makes concurrent scrapes wait for one read each, in turn,
	// rather than pile reads on the database.
	mu sync.Mutex

	up, lag, outbox *prometheus.Desc
}

func newBacklogCollector(cfg Config) *backlogCollector {
	return &backlogCollector{
		read: cfg.Backlog, timeout: cfg.BacklogTimeout, clock: cfg.Clock, log: cfg.Logger,
		up: prometheus.NewDesc("portal_backlog_up",
			"1 when the store answered the backlog's reads of this scrape, 0 otherwise (the backlog's figures are then missing).", nil, nil),
		lag: prometheus.NewDesc("portal_reconciler_lag_seconds",
			"Age of the oldest payment attempt still live (created or in progress); 0 when none. It grows past the lock duration when the reconciler is stuck.", nil, nil),
		outbox: prometheus.NewDesc("portal_outbox_mails",
			"Mails in the outbox, by state: pending (waiting to be sent or retried), failed (given up).", []string{"state"}, nil),
	}
}

func (c *backlogCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.up
	ch <- c.lag
	ch <- c.outbox
}

func (c *backlogCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	b, err := c.read(ctx)
	if err != nil {
		c.log.Warn("metrics: backlog not read", "err", err)
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	lag := 0.0
	if !b.OldestLive.IsZero() {
		lag = max(0, c.clock.Now().Sub(b.OldestLive).Seconds())
	}
	ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, lag)
	ch <- prometheus.MustNewConstMetric(c.outbox, prometheus.GaugeValue, float64(b.Outbox.Pending), "pending")
	ch <- prometheus.MustNewConstMetric(c.outbox, prometheus.GaugeValue, float64(b.Outbox.Failed), "failed")
}
