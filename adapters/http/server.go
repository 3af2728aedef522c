package http

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/adapters/http/api"
	"github.com/portail-factures/portail/adapters/http/backoffice"
	"github.com/portail-factures/portail/adapters/http/citizen"
	"github.com/portail-factures/portail/adapters/http/dev"
	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/ports"
)

// Config is what the portal's web server needs.
type Config struct {
	Portal *ports.Portal
	// BillerID is the biller served on a host that no biller names in its
	// host names (a single-biller instance, the demo); Nil: such a host
	// gets a 404.
	BillerID uuid.UUID
	// PublicURL is the portal's address as citizens reach it; with https
	// every cookie is Secure (and __Host- prefixed).
	PublicURL string
	Logger    *slog.Logger
	// Clock drives the rate limiters and the dates shown; default
	// ports.SystemClock{}.
	Clock ports.Clock
	// Limits are the rate limits; zero fields take
	// ports.DefaultRateLimits.
	Limits ports.RateLimits
	// ClientIP returns the client's address, for the limits and the
	// audit log. Default: the host of r.RemoteAddr. Behind a reverse
	// proxy, give one that reads the proxy's header, and only from the
	// proxy (kit.ClientIPFromHeader).
	ClientIP func(*http.Request) string
	// Dev is nil outside demo mode: then nothing under /_dev/ exists.
	Dev *dev.Config
	// Throttle, when set, keeps the rate limits in a store every portal
	// instance shares (PostgreSQL); otherwise each process counts alone.
	Throttle ports.Throttle
	// PaymentPages are the URLs of the payment pages the browser is sent
	// to (PayFiP's); their origins are allowed as form targets on the
	// summary page. Empty: any https origin.
	PaymentPages []string
	// TrustRequestID keeps the X-Request-Id of each request, when valid,
	// as its id: only behind a trusted reverse proxy (the one that gives
	// ClientIP its header), which sets or passes it. Otherwise every
	// request gets an id drawn here.
	TrustRequestID bool
	// Requests, when set, is told of every request served (the metrics).
	Requests RequestObserver
}

// Server is the portal's http.Handler.
type Server struct {
	site       *kit.Site
	portal     *ports.Portal
	log        *slog.Logger
	clock      ports.Clock
	dev        *dev.Dev
	citizen    *citizen.Portal
	limits     *kit.Limiters
	api        *api.API
	backOffice *backoffice.BackOffice
	handler    http.Handler
	// trustRequestID and requests are Config's (requests.go).
	trustRequestID bool
	requests       RequestObserver
}

// New checks cfg, parses every page template and builds the routes.
func New(cfg Config) (*Server, error) {
	if cfg.Logger != nil {
		// Every line logged for a request carries its id.
		cfg.Logger = slog.New(ports.LogRequestIDs(cfg.Logger.Handler()))
	}
	site, err := kit.NewSite(kit.SiteConfig{
		Portal: cfg.Portal, BillerID: cfg.BillerID, PublicURL: cfg.PublicURL, Logger: cfg.Logger, Clock: cfg.Clock,
		Limits: cfg.Limits, ClientIP: cfg.ClientIP, Throttle: cfg.Throttle, Dev: cfg.Dev != nil,
	})
	if err != nil {
		return nil, err
	}
	s := &Server{
		site: site, portal: site.Portal, log: site.Log, clock: site.Clock, limits: site.Limits,
		api:            api.New(site),
		trustRequestID: cfg.TrustRequestID, requests: cfg.Requests,
	}
	if s.citizen, err = citizen.New(site, cfg.PaymentPages); err != nil {
		return nil, err
	}
	if s.backOffice, err = backoffice.New(site); err != nil {
		return nil, err
	}
	if cfg.Dev != nil {
		look := dev.Look{Layout: citizen.Layout, Fill: s.citizen.FillBase, Errors: s.citizen.Errors()}
		if s.dev, err = dev.New(site, *cfg.Dev, look); err != nil {
			return nil, err
		}
	}
	if s.handler, err = s.routes(); err != nil {
		return nil, err
	}
	return s, nil
}

// ServeHTTP serves the portal.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// routes registers every page on a ServeMux and wraps it in the
// middleware every response goes through: the request's id, access log
// and metrics (track, requests.go), compression (kit.Compress), security
// headers, recovery, then cross-origin protection.
func (s *Server) routes() (http.Handler, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /static/", s.site.Assets)

	// The citizens' portal.
	s.citizen.Routes(mux)

	// The billing service's back office and the billing software's API.
	s.backOffice.Routes(mux)
	s.api.Routes(mux)

	if s.dev != nil {
		s.dev.Routes(mux)
	}
	// Everything else, /_dev/ outside demo mode included, is a French 404.
	// A logged-in visitor sees the citizens' menu on it.
	mux.Handle("/", s.citizen.Public(func(http.ResponseWriter, *http.Request) error { return kit.ErrNotFound }))

	// The payment callbacks are cross-origin by nature (citizen.CallbackRoutes).
	h, err := s.site.CrossOrigin(noteRoute(mux), s.fail, citizen.CallbackRoutes...)
	if err != nil {
		return nil, err
	}
	c, err := kit.Compress(s.site.SecureHeaders(s.site.Recover(s.site.WithBiller(h, s.fail), s.fail)))
	if err != nil {
		return nil, err
	}
	return s.track(c), nil
}

// healthz is the liveness probe: the process serves. It stays 200 while
// the database is down (restarting the process would not help); /readyz
// says whether to send traffic here.
func healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok\n"))
}

// readyTimeout bounds the readiness checks: a database that takes longer
// to answer a ping is not ready.
const readyTimeout = 2 * time.Second

// readyz is the readiness probe, for load balancers: 200 "ready" when the
// store answers with its migrations current and the mail sender runs;
// otherwise 503 with a short reason (ports.NotReady), the detail logged.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.portal.Ready(ctx); err != nil {
		reason := "not ready"
		var nr *ports.NotReady
		if errors.As(err, &nr) {
			reason = nr.Reason
		}
		s.log.WarnContext(ctx, "not ready", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("not ready: " + reason + "\n"))
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}
