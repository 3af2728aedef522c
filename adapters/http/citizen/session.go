package citizen

import (
	"net/http"
	"time"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/ports"
)

// sessionCookie is the citizens' session cookie (kit.Site.CookieName
// adds __Host- over https).
const sessionCookie = "portail-session"

// sessionSecret returns the session cookie's value, or "".
func (s *Portal) sessionSecret(r *http.Request) string {
	return s.site.CookieValue(r, sessionCookie)
}

// authenticate returns the logged-in citizen of r, or an Unauthenticated
// error.
func (s *Portal) authenticate(r *http.Request) (*user, error) {
	secret := s.sessionSecret(r)
	if secret == "" {
		return nil, kit.ErrNoLogin
	}
	sess, c, err := s.portal.CitizenAccounts().Authenticate(r.Context(), secret)
	if err != nil {
		return nil, err
	}
	// A session opens only the portal of its own biller.
	if c.BillerID != kit.BillerID(r) {
		return nil, kit.ErrNoLogin
	}
	return &user{session: sess, citizen: c, secret: secret}, nil
}

// setSessionCookie gives the browser its session. HttpOnly keeps it from
// scripts; SameSite=Lax keeps it out of cross-site posts while a citizen
// coming back from the DGFiP's site (a top-level GET) is still known.
// "Se souvenir de moi" makes it persistent until the session expires;
// otherwise it lasts as long as the browser.
func (s *Portal) setSessionCookie(w http.ResponseWriter, secret string, sess ports.Session) {
	c := &http.Cookie{Name: sessionCookie, Value: secret, SameSite: http.SameSiteLaxMode}
	if sess.Persistent {
		c.Expires = sess.ExpiresAt.UTC()
		c.MaxAge = int(sess.ExpiresAt.Sub(s.clock.Now()) / time.Second)
		if c.MaxAge <= 0 {
			c.MaxAge = -1
		}
	}
	s.site.SetCookie(w, c)
}

func (s *Portal) clearSessionCookie(w http.ResponseWriter) {
	s.site.ClearCookie(w, sessionCookie, http.SameSiteLaxMode)
}
