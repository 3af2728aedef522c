package http

import (
	"net/http"
	"net/url"

	"github.com/portail-factures/portail/adapters/http/api"
	"github.com/portail-factures/portail/adapters/http/kit"
)

// The citizens' portal's errors go through the kit's one pipeline
// (kit.Site.Fail) with citizenErrors, its renderer.

// fail answers err for the audience of r: JSON on the API's paths (the
// middleware's errors included), the citizens' error page otherwise.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if api.IsAPI(r) { // machine clients get JSON, even from the middleware
		s.api.Fail(w, r, err)
		return
	}
	s.site.Fail(w, r, err, citizenErrors{s})
}

// citizenErrors renders the citizens' errors: the French error page, and
// the login page for a visitor without a valid session.
type citizenErrors struct{ s *Server }

func (citizenErrors) Audience() string { return "" }

// Unauthenticated sends a visitor without a valid session to the login
// page, forgetting the cookie. After a GET the login page brings them
// back.
func (e citizenErrors) Unauthenticated(w http.ResponseWriter, r *http.Request, _ error) {
	s := e.s
	q := url.Values{}
	if hasCookie(r, s.site.CookieName(sessionCookie)) {
		s.clearSessionCookie(w)
		q.Set("message", flashSessionExpired)
	}
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		q.Set("suite", r.URL.RequestURI())
	}
	target := "/connexion"
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func hasCookie(r *http.Request, name string) bool {
	_, err := r.Cookie(name)
	return err == nil
}

// errorPage is the French page of every error.
type errorPage struct {
	kit.Base
	Status  int
	Message string
}

// RenderError writes the error page; if even that fails, plain text.
func (e citizenErrors) RenderError(w http.ResponseWriter, r *http.Request, f kit.Failure) {
	p := &errorPage{Base: kit.Base{Title: kit.Title(f.Status)}, Status: f.Status, Message: f.Message}
	e.s.site.RenderError(w, r, f, "", func() error { return e.s.render(w, r, f.Status, pageError, p) })
}

// localPath keeps a return address within the site (kit.LocalPath).
func localPath(p string) string { return kit.LocalPath(p) }
