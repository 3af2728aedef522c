package http

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/http"
	"runtime/debug"

	"github.com/portail-factures/portail/ports"
)

// Security headers of every response. The policy allows no inline script
// or style: the one script and the one style sheet are files served from
// /static/. form-action is widened on the payment summary only (see
// summary in payment.go).
const (
	contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	// referrerPolicy keeps paths from leaking to other sites; the pages
	// whose address holds a link's secret use no-referrer (noReferrer).
	referrerPolicy = "strict-origin-when-cross-origin"
)

// secureHeaders sets the security headers on every response, before the
// handler runs so that error pages carry them too. Pages are personal or
// carry a form token: none may be stored by a cache (the static files
// override Cache-Control).
func (s *Server) secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("Referrer-Policy", referrerPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		if s.secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// noReferrer is for pages whose address carries a link's secret
// (?lien=…): no request they lead to may tell it to anyone.
func noReferrer(w http.ResponseWriter) { w.Header().Set("Referrer-Policy", "no-referrer") }

// recover turns a panic into the French error page and an error log with
// the stack. http.ErrAbortHandler keeps its meaning.
func (s *Server) recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.ErrorContext(r.Context(), "panic while serving a page",
				"path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			s.fail(w, r, errPanic)
		}()
		next.ServeHTTP(w, r)
	})
}

// handle adapts a handler that returns an error: the error becomes a page
// through fail, once, here.
func (s *Server) handle(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			if err := parseForm(w, r); err != nil {
				s.fail(w, r, err)
				return
			}
		}
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
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

// private serves a page of the logged-in citizen. Without a valid session
// the request goes to the login page (fail does it). Every POST must carry
// the session's form token, compared in constant time: with
// http.CrossOriginProtection this is the second wall against cross-site
// request forgery.
func (s *Server) private(h func(http.ResponseWriter, *http.Request, *user) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := s.authenticate(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		r = withUser(r, u)
		if r.Method == http.MethodPost {
			if err := parseForm(w, r); err != nil {
				s.fail(w, r, err)
				return
			}
			if !sameToken(r.PostForm.Get(tokenField), u.session.CSRFToken) {
				s.fail(w, r, errFormToken)
				return
			}
		}
		if err := h(w, r, u); err != nil {
			s.fail(w, r, err)
		}
	})
}

// public serves a page anyone may see; when the visitor is logged in the
// page shows the menu.
func (s *Server) public(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, err := s.authenticate(r); err == nil {
			r = withUser(r, u)
		}
		if r.Method == http.MethodPost {
			if err := parseForm(w, r); err != nil {
				s.fail(w, r, err)
				return
			}
		}
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// maxFormBytes bounds a form's body: the longest, a contact message, is
// 5 000 characters.
const maxFormBytes = 64 << 10

// parseForm reads the query and the body (once) into r.Form and
// r.PostForm.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	if r.PostForm != nil {
		return nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return errBadRequest
	}
	return nil
}

// sameToken compares a form token in constant time; an empty one never
// matches.
func sameToken(got, want string) bool {
	return got != "" && want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
