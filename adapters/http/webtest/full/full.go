// Package full serves the whole portal (adapters/http) in the test
// environment of adapters/http/webtest, for the tests of the audience
// packages (api, dev, citizen, and the next ones).
package full

import (
	"net/http"
	"testing"

	web "github.com/portail-factures/portail/adapters/http"
	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

// New starts the portal with the demo biller, the demo's extras under
// /_dev/ and the fixed clock; change may adjust its Config.
func New(t *testing.T, change ...func(*web.Config)) *webtest.Env {
	t.Helper()
	return serve(t, change)
}

// NewURLMode is New with a core that speaks PayFiP's legacy URL mode,
// where one payment stays below 10 000 €.
func NewURLMode(t *testing.T, change ...func(*web.Config)) *webtest.Env {
	t.Helper()
	return serve(t, change, func(c *ports.Config) { c.PayFiPMode = domain.PayFiPURL })
}

func serve(t *testing.T, change []func(*web.Config), core ...func(*ports.Config)) *webtest.Env {
	t.Helper()
	return webtest.Serve(t, func(e *webtest.Env) (http.Handler, error) {
		cfg := web.Config{Portal: e.Portal, BillerID: demo.BillerID, PublicURL: webtest.PublicURL, Clock: e.Clock, Dev: e.Dev()}
		for _, c := range change {
			c(&cfg)
		}
		return web.New(cfg)
	}, core...)
}
