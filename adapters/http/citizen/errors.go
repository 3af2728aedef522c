package citizen

import (
	"net/http"

	"github.com/portail-factures/portail/adapters/http/kit"
)

// The citizens' portal's errors go through the kit's one pipeline
// (kit.Site.Fail) with citizenErrors, its renderer.

// Fail answers err with the citizens' pages: the error page, or the login
// page for a visitor without a valid session.
func (s *Portal) Fail(w http.ResponseWriter, r *http.Request, err error) {
	s.site.Fail(w, r, err, citizenErrors{s})
}

// Errors is the citizens' renderer, for the pages other packages draw in
// the citizens' layout (the demo's).
func (s *Portal) Errors() kit.Renderer { return citizenErrors{s} }

// citizenErrors renders the citizens' errors: the French error page, and
// the login page for a visitor without a valid session.
type citizenErrors struct{ s *Portal }

func (citizenErrors) Audience() string { return "" }

// Unauthenticated sends a visitor without a valid session to the login
// page, forgetting the cookie. After a GET the login page brings them
// back.
func (e citizenErrors) Unauthenticated(w http.ResponseWriter, r *http.Request, _ error) {
	_, err := r.Cookie(e.s.site.CookieName(sessionCookie))
	expired := err == nil
	if expired {
		e.s.clearSessionCookie(w)
	}
	kit.ToLogin(w, r, "/connexion", "/", expired, "message", flashSessionExpired)
}

// RenderError writes the error page; if even that fails, plain text.
func (e citizenErrors) RenderError(w http.ResponseWriter, r *http.Request, f kit.Failure) {
	p := kit.NewErrorPage(r, kit.Base{}, f)
	e.s.site.RenderError(w, r, f, "", func() error { return e.s.render(w, r, f.Status, pageError, p) })
}

// localPath keeps a return address within the site (kit.LocalPath).
func localPath(p string) string { return kit.LocalPath(p) }
