package tipi

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// DefaultSimulatorPath is where the portal mounts the simulator in demo
// mode.
const DefaultSimulatorPath = "/_dev/payfip"

// Timing rules the simulator follows (docs/payfip.md §3.9).
const (
	// operationTTL is how long an idOp may still start a payment.
	operationTTL = 15 * time.Minute
	// purgeAfter is when an idOp that never reached the payment step is
	// forgotten, as the DGFiP's nightly clean-up does; queries then get P1.
	purgeAfter = 24 * time.Hour
	// keepResults is how long the simulator keeps a result.
	keepResults = 30 * 24 * time.Hour
	// defaultNotifyTimeout bounds one server-to-server notification.
	defaultNotifyTimeout = 5 * time.Second
)

// NotifyMode says how the simulator notifies the portal of a result. It
// is a test hook: the real PayFiP notifies once, or not at all when the
// portal's domain is not yet allowed (§3.5).
type NotifyMode int

// The notification behaviours.
const (
	NotifyNormal NotifyMode = iota // one notification per result
	NotifyNever                    // none: the portal must poll (§4.2.3)
	NotifyTwice                    // two identical ones: the portal must be idempotent
)

// SimulatorConfig holds the simulator's settings; all are optional.
type SimulatorConfig struct {
	// BasePath is the path the simulator is mounted at, without a
	// trailing slash. Default DefaultSimulatorPath.
	BasePath string
	// Clock dates operations and results. Default ports.SystemClock.
	Clock ports.Clock
	// HTTPClient sends the notifications. Default: a client that follows
	// no redirect and gives up after NotifyTimeout.
	HTTPClient *http.Client
	// NotifyTimeout bounds one notification. Default 5 s.
	NotifyTimeout time.Duration
	// Logger records the notifications that failed. Default: discarded.
	Logger *slog.Logger
	// AllowedHosts are the hosts (host or host:port) the simulator
	// notifies and sends browsers back to. Default: only the host the
	// request came to, which is the portal's own when the simulator is
	// mounted on it. Unlike the DGFiP, a demo must not post to, or
	// redirect to, any address a stranger gives it.
	AllowedHosts []string
	// URLModeServerCall makes the legacy URL mode also post each result
	// to urlcl server to server (as the notify mode says), besides the
	// form the payer's browser posts there. The real service's browser
	// post is established; whether it also calls urlcl itself is not
	// (docs/payfip.md §2.3). Default off, so that the portal is exercised
	// on the one path known to exist: a portal that relied on a server
	// call would work against the simulator and fail against the DGFiP.
	// Turn it on to check that both arriving settles once.
	URLModeServerCall bool
}

// Simulator imitates the DGFiP's side of PayFiP for the demo: the SOAP
// web service and the payment pages of both modes, at the same paths
// under BasePath as on www.payfip.gouv.fr, so that the Gateway runs its
// production code against it. It keeps its operations in memory and is
// safe for concurrent use. It serves:
//
//	POST {BasePath}/tpa/services/securite      SOAP: creerPaiementSecurise, recupererDetailPaiementSecurise
//	GET  {BasePath}/tpa/paiementws.web?idop=…  web-service payment page
//	POST {BasePath}/tpa/paiementws.web         its buttons (form fields idop, action=pay|refuse|cancel)
//	GET  {BasePath}/tpa/paiement.web?numcli=…  legacy URL-mode payment page
//	POST {BasePath}/tpa/paiement.web           its buttons (the request fields, action); answers
//	                                           the result form the browser posts to urlcl
//	GET  {BasePath}/static/simulator.css       the pages' style sheet
type Simulator struct {
	base          string
	clock         ports.Clock
	client        *http.Client
	notifyTimeout time.Duration
	log           *slog.Logger
	mux           *http.ServeMux
	pages         map[string]*template.Template
	allowedHosts  map[string]bool
	urlServerCall bool

	mu      sync.Mutex
	ops     map[string]*Operation
	pending map[string]int
	notify  NotifyMode
	seq     int
}

// Operation is what the simulator knows of one idOp. The result fields
// are empty until the payer chose a button.
type Operation struct {
	ID        string // idOp
	CreatedAt time.Time
	// The fields of creerPaiementSecurise, as received.
	Exer, Mel, Montant, Numcli, Objet, Refdet, Saisie string
	URLNotif, URLRedirect                             string
	// The result: resultrans P, R or A, numauto when paid, and the
	// dattrans/heurtrans of the choice.
	Resultrans, Numauto, Dattrans, Heurtrans string
}

//go:embed simulator
var simulatorFiles embed.FS

// NewSimulator returns a simulator with no operation.
func NewSimulator(cfg SimulatorConfig) *Simulator {
	base := "/" + strings.Trim(cfg.BasePath, "/")
	if cfg.BasePath == "" {
		base = DefaultSimulatorPath
	}
	if cfg.Clock == nil {
		cfg.Clock = ports.SystemClock{}
	}
	if cfg.NotifyTimeout <= 0 {
		cfg.NotifyTimeout = defaultNotifyTimeout
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{
			Timeout:       cfg.NotifyTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Simulator{
		base: strings.TrimRight(base, "/"), clock: cfg.Clock, client: cfg.HTTPClient,
		notifyTimeout: cfg.NotifyTimeout, log: cfg.Logger, pages: mustParsePages(),
		ops: make(map[string]*Operation), pending: make(map[string]int), urlServerCall: cfg.URLModeServerCall,
	}
	if len(cfg.AllowedHosts) > 0 {
		s.allowedHosts = make(map[string]bool, len(cfg.AllowedHosts))
		for _, h := range cfg.AllowedHosts {
			s.allowedHosts[strings.ToLower(h)] = true
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+s.base+"/tpa/services/securite", s.serveSOAP)
	mux.HandleFunc("GET "+s.base+"/tpa/paiementws.web", s.showOperation)
	mux.HandleFunc("POST "+s.base+"/tpa/paiementws.web", s.finishOperation)
	mux.HandleFunc("GET "+s.base+"/tpa/paiement.web", s.showURLMode)
	mux.HandleFunc("POST "+s.base+"/tpa/paiement.web", s.finishURLMode)
	mux.Handle("GET "+s.base+"/static/", http.StripPrefix(s.base+"/static/", http.FileServerFS(mustSub(simulatorFiles, "simulator/static"))))
	s.mux = mux
	return s
}

// ServeHTTP serves the simulator's paths.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	s.mux.ServeHTTP(w, r)
}

// GatewayConfig returns a gateway configuration that talks to this
// simulator, mounted on the server reached at publicURL, which is also
// the portal's own address.
func (s *Simulator) GatewayConfig(publicURL string, mode Mode) Config {
	root := strings.TrimRight(publicURL, "/") + s.base
	return Config{
		Mode: mode, PublicURL: publicURL,
		SOAPURL: root + "/tpa/services/securite", PageURL: root + "/tpa/paiementws.web", TipiURL: root + "/tpa/paiement.web",
	}
}

// allowed reports whether the simulator may post or redirect to target,
// an absolute http(s) URL, for request r.
func (s *Simulator) allowed(r *http.Request, target string) bool {
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false
	}
	host := strings.ToLower(u.Host)
	if s.allowedHosts != nil {
		return s.allowedHosts[host]
	}
	return host == strings.ToLower(r.Host)
}

// SetNotify is a test hook: it chooses how the next results are notified.
func (s *Simulator) SetNotify(m NotifyMode) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notify = m
}

// PendingFor is a test hook: the next n status queries for idOp answer
// P5 (result not known yet) even when a result exists.
func (s *Simulator) PendingFor(idOp string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending[idOp] = n
}

// Operation is a test hook: it returns what the simulator knows of idOp.
func (s *Simulator) Operation(idOp string) (Operation, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	op, ok := s.ops[idOp]
	if !ok {
		return Operation{}, false
	}
	return *op, true
}

// newResult dates a result with the clock in Paris time and gives a paid
// one an authorisation number. The caller holds s.mu.
func (s *Simulator) newResult(op *Operation, code string) {
	now := s.clock.Now().In(domain.Paris)
	op.Resultrans, op.Numauto = code, ""
	if code == "P" {
		s.seq++
		op.Numauto = fmt.Sprintf("SIM%06d", s.seq)
	}
	op.Dattrans, op.Heurtrans = now.Format("02012006"), now.Format("1504")
}

// send posts form to target server to server, once, twice or never as
// the notify mode says. A failure is logged: the portal must catch up by
// polling, as with the real service.
func (s *Simulator) send(ctx context.Context, mode NotifyMode, target string, form url.Values) {
	times := map[NotifyMode]int{NotifyNormal: 1, NotifyNever: 0, NotifyTwice: 2}[mode]
	for i := 0; i < times; i++ {
		s.post(ctx, target, form)
	}
}

func (s *Simulator) post(ctx context.Context, target string, form url.Values) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.notifyTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		s.log.WarnContext(ctx, "payfip simulator: notification not sent", "url", target, "err", err)
		return
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.client.Do(req)
	if err != nil {
		s.log.WarnContext(ctx, "payfip simulator: notification failed", "url", target, "err", err)
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if resp.StatusCode >= 300 {
		s.log.WarnContext(ctx, "payfip simulator: notification refused", "url", target, "status", resp.StatusCode)
	}
}
