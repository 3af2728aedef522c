package kit

import (
	"fmt"
	"net/http"
	"runtime/debug"
)

// Security headers of every response. The policy allows no inline script
// or style: the scripts and style sheets are files served from /static/.
// form-action is widened on the payment summary only (see summary in
// adapters/http/citizen/payment.go).
const (
	ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	// referrerPolicy keeps paths from leaking to other sites; the pages
	// whose address holds a link's secret use no-referrer (NoReferrer).
	referrerPolicy = "strict-origin-when-cross-origin"
)

// FailFunc answers an error met by a middleware, before any audience's
// handler ran: the caller picks the audience's renderer from the path.
type FailFunc func(w http.ResponseWriter, r *http.Request, err error)

// SecureHeaders sets the security headers on every response, before the
// handler runs so that error pages carry them too. Pages are personal or
// carry a form token: none may be stored by a cache (the static files
// override Cache-Control).
func (s *Site) SecureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("Referrer-Policy", referrerPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		if s.Secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// NoReferrer is for pages whose address carries a link's secret
// (?lien=…): no request they lead to may tell it to anyone.
func NoReferrer(w http.ResponseWriter) { w.Header().Set("Referrer-Policy", "no-referrer") }

// Recover turns a panic into ErrPanic through fail and an error log with
// the stack. http.ErrAbortHandler keeps its meaning.
func (s *Site) Recover(next http.Handler, fail FailFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.Log.ErrorContext(r.Context(), "panic while serving a page",
				"path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			fail(w, r, ErrPanic)
		}()
		next.ServeHTTP(w, r)
	})
}

// CrossOrigin refuses cross-origin writes (http.CrossOriginProtection)
// with ErrCrossOrigin through fail, trusting the site's own origin;
// bypass lists the patterns ("POST /path") that are cross-origin by
// nature.
func (s *Site) CrossOrigin(next http.Handler, fail FailFunc, bypass ...string) (http.Handler, error) {
	cop := http.NewCrossOriginProtection()
	if err := cop.AddTrustedOrigin(s.Origin); err != nil {
		return nil, fmt.Errorf("http: %w", err)
	}
	for _, p := range bypass {
		cop.AddInsecureBypassPattern(p)
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fail(w, r, ErrCrossOrigin)
	}))
	return cop.Handler(next), nil
}
