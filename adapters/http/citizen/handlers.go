package citizen

import (
	"context"
	"net/http"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/ports"
)

// The citizens' portal's handlers: every one is a kit.HandlerFunc (the
// logged-in citizen, when there is one, is in the request's context:
// userFrom), adapted by the kit with citizenErrors.

// handle adapts a handler that returns an error: the error becomes a page
// through the kit's pipeline, once, here.
func (s *Portal) handle(h kit.HandlerFunc) http.Handler {
	return s.site.Handle(h, citizenErrors{s})
}

// user is the logged-in citizen of a request.
type user struct {
	session ports.Session
	citizen ports.Citizen
	secret  string // the cookie's value, for Logout and ChangePassword
}

type ctxKey int

const userKey ctxKey = 0

func withUser(r *http.Request, u *user) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), userKey, u))
}

func userFrom(r *http.Request) *user {
	u, _ := r.Context().Value(userKey).(*user)
	return u
}

// private serves a page of the logged-in citizen (userFrom finds them).
// Without a valid session the request goes to the login page
// (citizenErrors does it); every POST must carry the session's form token
// (kit.Site.Private).
func (s *Portal) private(h kit.HandlerFunc) http.Handler {
	return s.site.Private(func(r *http.Request) (kit.Visitor, error) {
		u, err := s.authenticate(r)
		if err != nil {
			return kit.Visitor{}, err
		}
		return kit.Visitor{Request: withUser(r, u), Token: u.session.CSRFToken, Errors: citizenErrors{s}}, nil
	}, citizenErrors{s}, kit.ParseForm, h)
}

// Public serves a page anyone may see; when the visitor is logged in the
// page shows the menu (the portal's 404 is one, in adapters/http).
func (s *Portal) Public(h kit.HandlerFunc) http.Handler {
	inner := s.handle(h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, err := s.authenticate(r); err == nil {
			r = withUser(r, u)
		}
		inner.ServeHTTP(w, r)
	})
}

// anonymous serves a form filled before login: a POST must carry the
// double-submit token.
func (s *Portal) anonymous(h kit.HandlerFunc) http.Handler {
	return s.site.Anonymous(h, citizenErrors{s})
}
