package http

import (
	"crypto/rand"
	"net/http"
	"time"

	"github.com/portail-factures/portail/ports"
)

// tokenField is the hidden field carrying a form token.
const tokenField = "jeton"

// Cookie names. Over https they take the __Host- prefix, which browsers
// accept only with Secure, Path=/ and no Domain: a neighbouring subdomain
// cannot plant or overwrite them (cookie tossing).
func (s *Server) sessionCookieName() string {
	if s.secure {
		return "__Host-portail-session"
	}
	return "portail-session"
}

func (s *Server) formCookieName() string {
	if s.secure {
		return "__Host-portail-formulaire"
	}
	return "portail-formulaire"
}

// sessionSecret returns the session cookie's value, or "".
func (s *Server) sessionSecret(r *http.Request) string {
	c, err := r.Cookie(s.sessionCookieName())
	if err != nil {
		return ""
	}
	return c.Value
}

// authenticate returns the logged-in citizen of r, or an Unauthenticated
// error.
func (s *Server) authenticate(r *http.Request) (*user, error) {
	secret := s.sessionSecret(r)
	if secret == "" {
		return nil, errNoLogin
	}
	sess, c, err := s.portal.CitizenAccounts().Authenticate(r.Context(), secret)
	if err != nil {
		return nil, err
	}
	// A session opens only the portal of its own biller.
	if c.BillerID != billerID(r) {
		return nil, errNoLogin
	}
	return &user{session: sess, citizen: c, secret: secret}, nil
}

// setSessionCookie gives the browser its session. HttpOnly keeps it from
// scripts; SameSite=Lax keeps it out of cross-site posts while a citizen
// coming back from the DGFiP's site (a top-level GET) is still known.
// "Se souvenir de moi" makes it persistent until the session expires;
// otherwise it lasts as long as the browser.
func (s *Server) setSessionCookie(w http.ResponseWriter, secret string, sess ports.Session) {
	c := &http.Cookie{
		Name: s.sessionCookieName(), Value: secret, Path: "/",
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	}
	if sess.Persistent {
		c.Expires = sess.ExpiresAt.UTC()
		c.MaxAge = int(sess.ExpiresAt.Sub(s.clock.Now()) / time.Second)
		if c.MaxAge <= 0 {
			c.MaxAge = -1
		}
	}
	http.SetCookie(w, c)
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: s.sessionCookieName(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
}

// Forms filled before login (login, activation, forgotten password,
// password link, email confirmation) have no session to hold a token.
// They use a double-submit cookie: a random token is set in an HttpOnly
// cookie and repeated in a hidden field, and a POST must bring both,
// equal. A forging site can make the browser send the cookie but can
// neither read it nor set it (HttpOnly, SameSite=Lax, and the __Host-
// prefix over https), so it cannot fill in the field. A random token is
// enough here: a signed one would add a key to manage and protects only
// against cookie injection, which the prefix already prevents.
// http.CrossOriginProtection stands in front of it anyway.

// formToken returns the browser's double-submit token, setting the
// cookie when the browser has none yet.
func (s *Server) formToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(s.formCookieName()); err == nil && validFormToken(c.Value) {
		return c.Value
	}
	token := rand.Text()
	http.SetCookie(w, &http.Cookie{
		Name: s.formCookieName(), Value: token, Path: "/",
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
	// Later renders of this request (an error page) reuse it.
	r.AddCookie(&http.Cookie{Name: s.formCookieName(), Value: token})
	return token
}

// validFormToken accepts what rand.Text makes: 26 base32 characters.
func validFormToken(t string) bool {
	if len(t) != 26 {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= 'A' && c <= 'Z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// anonymous serves a form filled before login: a POST must carry the
// double-submit token.
func (s *Server) anonymous(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		if r.Method == http.MethodPost {
			c, err := r.Cookie(s.formCookieName())
			if err != nil || !sameToken(r.PostForm.Get(tokenField), c.Value) {
				return errFormToken
			}
		}
		return h(w, r)
	})
}
