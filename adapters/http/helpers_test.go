package http

import (
	"net/http"
	"testing"

	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/ports/demo"
)

// The package's tests run the portal in adapters/http/webtest's
// environment; these names keep them short.

// env is webtest's environment with this package's Server, for the tests
// that reach inside it.
type env struct {
	*webtest.Env
	server *Server
}

// newEnv starts a portal; change may adjust its Config.
func newEnv(t *testing.T, change ...func(*Config)) *env {
	t.Helper()
	e := &env{}
	e.Env = webtest.Serve(t, func(w *webtest.Env) (http.Handler, error) {
		cfg := Config{Portal: w.Portal, BillerID: demo.BillerID, PublicURL: webtest.PublicURL, Clock: w.Clock, Dev: w.Dev()}
		for _, c := range change {
			c(&cfg)
		}
		var err error
		e.server, err = New(cfg)
		return e.server, err
	})
	return e
}

const publicURL = webtest.PublicURL

var (
	start      = webtest.Start
	fastArgon2 = webtest.FastArgon2
	contains   = webtest.Contains
)
