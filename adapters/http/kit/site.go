// Package kit is the web kit every audience of the portal shares: the
// citizens' portal, the back office, the billing software's API and the
// demo's pages. A Site holds what they share (the use cases, logger,
// clock, public address, static files, rate limiters); the kit gives them
// one handler signature (HandlerFunc, adapted once by Site.Handle), one
// error pipeline (Site.Fail, with a Renderer per audience), the
// middleware every response goes through, cookies and form tokens,
// templates parsed per page over a layout, form helpers, downloads and
// the rate limiters' mechanism (the policy is ports.RateLimits).
//
// The shared partials (templates/partials.html) and the static files
// (static/) live here; each audience keeps its own layout and pages
// beside its code.
package kit

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/ports"
)

// SiteConfig is what NewSite needs: the fields of adapters/http's
// Config that every audience shares, with the same meaning and defaults
// (a nil Logger discards, a nil Clock is ports.SystemClock{}, zero
// Limits are ports.DefaultRateLimits, a nil ClientIP reads
// r.RemoteAddr, a nil Throttle counts in memory). Dev is set in demo
// mode.
type SiteConfig struct {
	Portal    *ports.Portal
	BillerID  uuid.UUID
	PublicURL string
	Logger    *slog.Logger
	Clock     ports.Clock
	Limits    ports.RateLimits
	ClientIP  func(*http.Request) string
	Throttle  ports.Throttle
	Dev       bool
}

// Site is what every audience shares.
type Site struct {
	Portal *ports.Portal
	Log    *slog.Logger
	Clock  ports.Clock
	// Secure is set when the public URL is https.
	Secure bool
	// Origin is scheme://host of the public URL.
	Origin string
	Dev    bool
	Assets *Assets
	Limits *Limiters
	// fallback is the biller of hosts no biller claims.
	fallback uuid.UUID
}

// NewSite checks cfg and builds the shared parts.
func NewSite(cfg SiteConfig) (*Site, error) {
	if cfg.Portal == nil {
		return nil, errors.New("http: Config.Portal is required")
	}
	u, err := url.Parse(cfg.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("http: public URL %q: want an absolute http(s) URL", cfg.PublicURL)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = ports.SystemClock{}
	}
	s := &Site{
		Portal: cfg.Portal, Log: cfg.Logger, Clock: cfg.Clock, Dev: cfg.Dev, fallback: cfg.BillerID,
		Secure: u.Scheme == "https", Origin: u.Scheme + "://" + u.Host,
	}
	if s.Limits, err = NewLimiters(cfg.Limits, cfg.ClientIP, cfg.Throttle, cfg.Clock, cfg.Logger); err != nil {
		return nil, err
	}
	if s.Assets, err = LoadAssets(); err != nil {
		return nil, err
	}
	return s, nil
}
