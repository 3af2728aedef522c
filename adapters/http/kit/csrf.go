package kit

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
)

// TokenField is the hidden field carrying a form token.
const TokenField = "jeton"

// CookieName is the name of the cookie name: over https it takes the
// __Host- prefix, which browsers accept only with Secure, Path=/ and no
// Domain, so that a neighbouring subdomain cannot plant or overwrite it
// (cookie tossing).
func (s *Site) CookieName(name string) string {
	if s.Secure {
		return "__Host-" + name
	}
	return name
}

// CookieValue returns the value of the cookie name (CookieName applied),
// or "".
func (s *Site) CookieValue(r *http.Request, name string) string {
	c, err := r.Cookie(s.CookieName(name))
	if err != nil {
		return ""
	}
	return c.Value
}

// SetCookie sets the HttpOnly cookie name (CookieName applied) for the
// whole site, Secure over https. maxAge 0 leaves it to the browser's
// session; MaxAge -1 deletes it.
func (s *Site) SetCookie(w http.ResponseWriter, c *http.Cookie) {
	c.Name = s.CookieName(c.Name)
	c.Path = "/"
	c.HttpOnly = true
	c.Secure = s.Secure
	http.SetCookie(w, c)
}

// ClearCookie deletes the cookie name.
func (s *Site) ClearCookie(w http.ResponseWriter, name string, sameSite http.SameSite) {
	s.SetCookie(w, &http.Cookie{Name: name, Value: "", MaxAge: -1, SameSite: sameSite})
}

// Forms filled before login (login, activation, forgotten password,
// password link, email confirmation, the back office's login) have no
// session to hold a token. They use a double-submit cookie: a random
// token is set in an HttpOnly cookie and repeated in a hidden field, and
// a POST must bring both, equal. A forging site can make the browser send
// the cookie but can neither read it nor set it (HttpOnly, SameSite=Lax,
// and the __Host- prefix over https), so it cannot fill in the field. A
// random token is enough here: a signed one would add a key to manage and
// protects only against cookie injection, which the prefix already
// prevents. http.CrossOriginProtection stands in front of it anyway.

// formCookie is the double-submit cookie's name, before CookieName.
const formCookie = "portail-formulaire"

// FormToken returns the browser's double-submit token, setting the
// cookie when the browser has none yet.
func (s *Site) FormToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(s.CookieName(formCookie)); err == nil && validFormToken(c.Value) {
		return c.Value
	}
	token := rand.Text()
	s.SetCookie(w, &http.Cookie{Name: formCookie, Value: token, SameSite: http.SameSiteLaxMode})
	// Later renders of this request (an error page) reuse it.
	r.AddCookie(&http.Cookie{Name: s.CookieName(formCookie), Value: token})
	return token
}

// CheckFormToken checks a POST before login: its form (parsed) must
// carry the double-submit token of its cookie; ErrFormToken otherwise.
func (s *Site) CheckFormToken(r *http.Request) error {
	if r.Method != http.MethodPost {
		return nil
	}
	c, err := r.Cookie(s.CookieName(formCookie))
	if err != nil || !SameToken(r.PostForm.Get(TokenField), c.Value) {
		return ErrFormToken
	}
	return nil
}

// CheckSessionToken checks a POST of a logged-in visitor: its form
// (parsed) must carry the session's token; ErrFormToken otherwise.
func CheckSessionToken(r *http.Request, want string) error {
	if r.Method != http.MethodPost || SameToken(r.PostForm.Get(TokenField), want) {
		return nil
	}
	return ErrFormToken
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

// SameToken compares a form token in constant time; an empty one never
// matches. got may be masked (MaskToken, what pages carry) or plain (a
// form rendered before masking shipped).
func SameToken(got, want string) bool {
	if got == "" || want == "" {
		return false
	}
	plain := subtle.ConstantTimeCompare([]byte(got), []byte(want))
	masked := 0
	if u, ok := unmaskToken(got); ok {
		masked = subtle.ConstantTimeCompare(u, []byte(want))
	}
	return plain|masked == 1
}

// MaskToken returns token masked with a fresh one-time pad: the pad then
// the token XOR the pad, in base64url. Every response thus carries
// different bytes for the same secret, so a compressed page's length
// tells nothing about it (BREACH, in ARCHITECTURE.md); SameToken unmasks.
func MaskToken(token string) string {
	b := make([]byte, 2*len(token))
	pad, x := b[:len(token)], b[len(token):]
	_, _ = rand.Read(pad) // never fails (crypto/rand)
	for i := range x {
		x[i] = token[i] ^ pad[i]
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// unmaskToken undoes MaskToken; ok is false for what MaskToken cannot
// have made.
func unmaskToken(masked string) ([]byte, bool) {
	b, err := base64.RawURLEncoding.DecodeString(masked)
	if err != nil || len(b) == 0 || len(b)%2 != 0 {
		return nil, false
	}
	n := len(b) / 2
	out := make([]byte, n)
	for i := range out {
		out[i] = b[n+i] ^ b[i]
	}
	return out, true
}
