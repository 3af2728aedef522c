package tipi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// Mode is the protocol the gateway speaks with the DGFiP.
type Mode string

// The two protocols (docs/payfip.md §2 and §3).
const (
	// ModePayFiP is the web service: SOAP creation of an operation and a
	// server-to-server status query. The default.
	ModePayFiP Mode = "payfip"
	// ModeTIPI is the legacy URL mode: every field in the payment page's
	// query string, an unauthenticated callback, no status query.
	ModeTIPI Mode = "tipi"
)

// Valid reports whether m is a known mode.
func (m Mode) Valid() bool { return m == ModePayFiP || m == ModeTIPI }

// The DGFiP's production addresses. Test, activation and production all
// use this host; the saisie letter chooses the environment (docs/payfip.md
// §1.1). The old tipi.budget.gouv.fr host stopped redirecting in June
// 2022, which is why every address is configurable.
const (
	DefaultSOAPURL = "https://www.payfip.gouv.fr/tpa/services/securite"
	DefaultPageURL = "https://www.payfip.gouv.fr/tpa/paiementws.web"
	DefaultTipiURL = "https://www.payfip.gouv.fr/tpa/paiement.web"
	// DefaultTimeout is EO's and HL's timeout for one SOAP call (§3.2).
	DefaultTimeout = 15 * time.Second
)

// defaultURLSaisie maps the portal's environments to the legacy URL
// mode's letters. T is test everywhere; the production letter is A in
// EO 1.82 and Connecthys but X or M elsewhere (docs/payfip.md §2.2, open
// question §5.1): confirm it with the DGFiP and set Config.URLSaisie.
var defaultURLSaisie = map[domain.Saisie]string{
	domain.SaisieTest:       "T",
	domain.SaisieActivation: "X",
	domain.SaisieProduction: "A",
}

// Config holds the gateway's settings. Only PublicURL is required.
type Config struct {
	Mode Mode // default ModePayFiP
	// SOAPURL is the web service's endpoint; the WSDL is never fetched
	// (docs/payfip.md §4.2.10).
	SOAPURL string
	// PageURL is the web-service payment page; "?idop=" is appended.
	PageURL string
	// TipiURL is the legacy URL mode's payment page.
	TipiURL string
	// PublicURL is the portal's address as the DGFiP reaches it; the
	// notification and return URLs are PublicURL + ports.PathPaymentNotify
	// and PublicURL + ports.PathPaymentReturn.
	PublicURL string
	// Timeout bounds one SOAP call. Default DefaultTimeout.
	Timeout time.Duration
	// HTTPClient makes the SOAP calls. Default: a client of its own.
	HTTPClient *http.Client
	// URLSaisie overrides the legacy URL mode's letters, for ModeTIPI.
	// Default T→"T", X→"X", W→"A" (EO 1.82); the production letter is
	// disputed (docs/payfip.md §2.2): confirm it with the DGFiP.
	URLSaisie map[domain.Saisie]string
}

// Gateway is ports.PaymentGateway over PayFiP. It is safe for concurrent
// use.
type Gateway struct {
	mode      Mode
	soapURL   string
	pageURL   string
	tipiURL   string
	notifyURL string
	returnURL string
	timeout   time.Duration
	client    *http.Client
	saisie    map[domain.Saisie]string
}

var _ ports.PaymentGateway = (*Gateway)(nil)

// New checks cfg, applies its defaults and returns the gateway.
func New(cfg Config) (*Gateway, error) {
	if cfg.Mode == "" {
		cfg.Mode = ModePayFiP
	}
	if !cfg.Mode.Valid() {
		return nil, fmt.Errorf("tipi: mode %q: want %q or %q", cfg.Mode, ModePayFiP, ModeTIPI)
	}
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&cfg.SOAPURL, DefaultSOAPURL)
	def(&cfg.PageURL, DefaultPageURL)
	def(&cfg.TipiURL, DefaultTipiURL)
	for name, u := range map[string]string{"SOAP URL": cfg.SOAPURL, "page URL": cfg.PageURL, "TIPI URL": cfg.TipiURL, "public URL": cfg.PublicURL} {
		if err := checkAbsolute(u); err != nil {
			return nil, fmt.Errorf("tipi: %s: %w", name, err)
		}
	}
	if strings.Contains(cfg.PageURL, "?") || strings.Contains(cfg.TipiURL, "?") {
		return nil, errors.New("tipi: the payment page URLs must not carry a query")
	}
	if cfg.Timeout < 0 {
		return nil, errors.New("tipi: negative timeout")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: cfg.Timeout}
	}
	saisie := make(map[domain.Saisie]string, len(defaultURLSaisie))
	for k, v := range defaultURLSaisie {
		saisie[k] = v
	}
	for k, v := range cfg.URLSaisie {
		if !k.Valid() {
			return nil, fmt.Errorf("tipi: URL saisie for unknown environment %q", k)
		}
		if len(v) != 1 || v[0] < 'A' || v[0] > 'Z' {
			return nil, fmt.Errorf("tipi: URL saisie %q for %s: want one capital letter", v, k)
		}
		saisie[k] = v
	}
	public := strings.TrimRight(cfg.PublicURL, "/")
	return &Gateway{
		mode: cfg.Mode, soapURL: cfg.SOAPURL, pageURL: cfg.PageURL, tipiURL: cfg.TipiURL,
		notifyURL: public + ports.PathPaymentNotify, returnURL: public + ports.PathPaymentReturn,
		timeout: cfg.Timeout, client: cfg.HTTPClient, saisie: saisie,
	}, nil
}

func checkAbsolute(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q: want an absolute http(s) URL", s)
	}
	return nil
}

// Mode returns the protocol the gateway speaks.
func (g *Gateway) Mode() Mode { return g.mode }

// PayFiPMode returns the gateway's protocol as the core knows it, for
// ports.Config.PayFiPMode: PayFiP's limits depend on it.
func (g *Gateway) PayFiPMode() domain.PayFiPMode {
	if g.mode == ModeTIPI {
		return domain.PayFiPURL
	}
	return domain.PayFiPWebService
}

// PageURL returns the payment page browsers are sent to in the gateway's
// mode, so that the web portal can allow it as a form target.
func (g *Gateway) PageURL() string {
	if g.mode == ModeTIPI {
		return g.tipiURL
	}
	return g.pageURL
}

// Start creates the attempt at PayFiP. Every field is checked before any
// network call, so a bad request gets a domain Invalid error and never
// reaches the DGFiP.
func (g *Gateway) Start(ctx context.Context, r ports.PaymentRequest) (ports.Checkout, error) {
	f, err := checkRequest(r, g.PayFiPMode())
	if err != nil {
		return ports.Checkout{}, err
	}
	if site := strings.TrimRight(r.SiteURL, "/"); site != "" {
		u, err := url.Parse(site)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return ports.Checkout{}, domain.WrapInternal(fmt.Errorf("tipi: site URL %q is not an absolute URL", r.SiteURL))
		}
		f.Notify, f.Return = site+ports.PathPaymentNotify, site+ports.PathPaymentReturn
	}
	if g.mode == ModeTIPI {
		return g.startURL(f), nil
	}
	return g.startWS(ctx, f)
}

// Status asks PayFiP for the attempt's result. The legacy URL mode has
// no such query and returns ports.ErrNoStatusQuery, and so does the web
// service for an attempt without an operation id (one begun in URL mode
// before the mode was changed): the portal then lets it expire.
func (g *Gateway) Status(ctx context.Context, p domain.Payment) (domain.Report, error) {
	if g.mode == ModeTIPI || p.OperationID == "" {
		return domain.Report{}, ports.ErrNoStatusQuery
	}
	return g.statusWS(ctx, p.OperationID)
}

// ReadNotification reads a callback or a browser return; see
// readOperation and readCallback.
func (g *Gateway) ReadNotification(_ context.Context, params url.Values) (ports.Notification, error) {
	if g.mode == ModeTIPI {
		return readCallback(params, g.urlSaisie)
	}
	return readOperation(params)
}

// urlSaisie reads the saisie letter a legacy URL-mode callback echoes
// back into the portal's environment: the reverse of the letters the
// gateway sends. T is test whatever the configuration; the production
// letter wins when it is also the activation one. An unknown letter gives
// "" (not known).
func (g *Gateway) urlSaisie(letter string) domain.Saisie {
	letter = strings.ToUpper(strings.TrimSpace(letter))
	if letter == "T" {
		return domain.SaisieTest
	}
	for _, s := range []domain.Saisie{domain.SaisieProduction, domain.SaisieActivation, domain.SaisieTest} {
		if g.saisie[s] == letter {
			return s
		}
	}
	return ""
}

// wsSaisie reads the saisie the web service echoes (T, X or W, §3.6);
// anything else gives "" (not known).
func wsSaisie(v string) domain.Saisie {
	s := domain.Saisie(strings.ToUpper(strings.TrimSpace(v)))
	if !s.Valid() {
		return ""
	}
	return s
}

// request holds the fields PayFiP gets, checked and written as it wants
// them.
type request struct {
	Exer    string
	Mel     string
	Montant string
	Numcli  string
	Objet   string
	Refdet  string
	Saisie  domain.Saisie
	// Notify and Return are the callback addresses on the biller's
	// portal; empty: the gateway's own (callbacks).
	Notify, Return string
}

// callbacks returns the notification and return addresses of f.
func (g *Gateway) callbacks(f request) (notify, ret string) {
	if f.Notify == "" {
		return g.notifyURL, g.returnURL
	}
	return f.Notify, f.Return
}

// checkRequest checks every field against what PayFiP accepts in mode
// (docs/payfip.md §3.3) and writes it in PayFiP's format: the amount
// within PayFiP's limits, mel in ASCII, objet cut for the mode.
func checkRequest(r ports.PaymentRequest, mode domain.PayFiPMode) (request, error) {
	if !domain.ValidNumcli(r.Numcli) {
		return request{}, domain.Errorf(domain.Invalid, "L'identifiant collectivité PayFiP du service de facturation est invalide : il doit comporter 6 chiffres.")
	}
	if !r.Saisie.Valid() {
		return request{}, domain.Errorf(domain.Invalid, "Le mode de saisie PayFiP du service de facturation est invalide.")
	}
	if r.Year < 1 || r.Year > 9999 {
		return request{}, domain.Errorf(domain.Invalid, "L'exercice du paiement est invalide.")
	}
	if err := domain.CheckRefdet(r.Refdet); err != nil {
		return request{}, err
	}
	mel, err := domain.PayFiPEmail(r.Email)
	if err != nil {
		return request{}, err
	}
	cents, err := toPayFiPCents(r.Amount, mode)
	if err != nil {
		return request{}, err
	}
	return request{
		Exer: strconv.Itoa(r.Year), Mel: mel, Montant: cents, Numcli: r.Numcli,
		Objet: objetFor(r.Object, mode), Refdet: r.Refdet, Saisie: r.Saisie,
	}, nil
}

// msgUnavailable is what a citizen reads when the DGFiP cannot be reached
// or answers something the portal cannot use.
const msgUnavailable = "Le service de paiement de la DGFiP est momentanément indisponible. Veuillez réessayer dans quelques minutes."

func unavailable(err error) error {
	return &domain.Error{Code: domain.Unavailable, Message: msgUnavailable, Err: err}
}
