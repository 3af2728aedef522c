// Package full serves the whole portal (adapters/http) in the test
// environment of adapters/http/webtest, for the tests of the audience
// packages (api, backoffice, citizen, dev).
package full

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	web "github.com/portail-factures/portail/adapters/http"
	"github.com/portail-factures/portail/adapters/http/api/apitest"
	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/adapters/memory"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
	"github.com/portail-factures/portail/ports/portstest"
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
		h, err := web.New(config(e, change))
		if err != nil {
			return nil, err
		}
		return apitest.Check(e.T, h), nil
	}, core...)
}

// config is New's Config over e, changed by change.
func config(e *webtest.Env, change []func(*web.Config)) web.Config {
	cfg := web.Config{Portal: e.Portal, BillerID: demo.BillerID, PublicURL: webtest.PublicURL, Clock: e.Clock, Dev: e.Dev()}
	for _, c := range change {
		c(&cfg)
	}
	return cfg
}

// Again serves the whole portal anew in e, over a new core: core's
// settings (with the environment's address, fast hashing and inline
// mails) over store (nil: e's own), for a PayFiP mode or a store that
// fails on demand. e.Portal and e.TS become the new ones.
func Again(e *webtest.Env, core ports.Config, store ports.Store, change ...func(*web.Config)) {
	e.T.Helper()
	if store == nil {
		store = e.Store
	}
	core.PublicURL, core.Argon2, core.MailInline = webtest.PublicURL, webtest.FastArgon2, true
	p, err := ports.NewPortal(ports.Deps{Store: store, Sessions: e.Store, Mailer: e.Mails, Gateway: e.Gateway,
		Clock: e.Clock, Random: portstest.NewSeqRandom(3)}, core)
	require.NoError(e.T, err)
	e.Portal = p
	h, err := web.New(config(e, change))
	require.NoError(e.T, err)
	e.TS = httptest.NewServer(apitest.Check(e.T, h))
	e.T.Cleanup(e.TS.Close)
}

// LimitBackends are the two ways the web kit counts, as changes to New's
// Config: token buckets in memory (the demo) and a ports.Throttle
// (PostgreSQL in production; its memory twin here, cmd/portal runs the
// same tests on PostgreSQL).
var LimitBackends = map[string]func(*web.Config){
	"memory buckets": func(*web.Config) {},
	"ports.Throttle": func(c *web.Config) { c.Throttle = memory.NewThrottle() },
}
