package backoffice_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	web "github.com/portail-factures/portail/adapters/http"
	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/adapters/http/webtest/full"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

// staffPasswordForm is a « Mon compte » password change posted with b's
// form token.
func staffPasswordForm(t *testing.T, b *browser, current string) *http.Request {
	form := url.Values{"current_password": {current}, "password": {"un nouveau mot de passe"},
		"confirm": {"un nouveau mot de passe"}, "jeton": {b.Token()}}
	r, err := http.NewRequest(http.MethodPost, b.E.TS.URL+"/gestion/mon-compte/mot-de-passe", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", b.E.TS.URL)
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	return r
}

// TestConcurrentWrongCurrentPasswordsOfStaff: a staff session, borrowed
// or not, is no way to guess the member's password. 100 wrong current
// passwords sent at once on « Mon compte » have at most
// LoginFailures.Events of them checked (400, « Le mot de passe actuel est
// incorrect. »); the others are refused before any check (429).
func TestConcurrentWrongCurrentPasswordsOfStaff(t *testing.T) {
	for name, backend := range full.LimitBackends {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, backend)
			b := e.Manager()
			b.Get("/gestion/mon-compte")
			counts, bodies, headers := webtest.Parallel(t, b.C, 100, func(int) *http.Request {
				return staffPasswordForm(t, b, "faux")
			})
			t.Logf("checked %d, refused %d (all answers: %v)", counts[http.StatusBadRequest], counts[http.StatusTooManyRequests], counts)
			assert.Equal(t, ports.DefaultRateLimits.LoginFailures.Events, counts[http.StatusBadRequest], "current passwords checked")
			assert.Equal(t, 100-ports.DefaultRateLimits.LoginFailures.Events, counts[http.StatusTooManyRequests])
			assert.Contains(t, bodies[http.StatusBadRequest], "Le mot de passe actuel est incorrect.")
			assert.Contains(t, bodies[http.StatusTooManyRequests], "Trop de demandes")
			assert.NotEmpty(t, headers[http.StatusTooManyRequests].Get("Retry-After"))

			// Even the right password is refused until the limit ends.
			p := b.Do(staffPasswordForm(t, b, demo.StaffPassword))
			assert.Equal(t, http.StatusTooManyRequests, p.Status)
			e.Browser().StaffLogin(demo.StaffEmail, demo.StaffPassword)
		})
	}
}

// TestStaffPasswordChangesAreNotFailures: the check reserved before the
// current password is read is given back when it was right, or when the
// form was refused for another reason, so that only wrong current
// passwords count.
func TestStaffPasswordChangesAreNotFailures(t *testing.T) {
	e := newEnv(t, func(c *web.Config) { c.Limits.LoginFailures = ports.Rate{Events: 2, Per: time.Hour} })
	b := e.Reader()
	b.Get("/gestion/mon-compte")
	short := url.Values{"current_password": {demo.ReaderPassword}, "password": {"court"}, "confirm": {"court"}}
	for range 3 {
		assert.Equal(t, http.StatusBadRequest, b.Post("/gestion/mon-compte/mot-de-passe", short).Status)
	}
	password := demo.ReaderPassword
	for _, next := range []string{"un nouveau mot de passe", "encore un autre mot de passe", "et un troisième mot de passe"} {
		p := b.Post("/gestion/mon-compte/mot-de-passe", url.Values{"current_password": {password}, "password": {next}, "confirm": {next}})
		require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
		password = next
		b.Get("/gestion/mon-compte")
	}
	wrong := url.Values{"current_password": {"faux"}, "password": {"un nouveau mot de passe"}, "confirm": {"un nouveau mot de passe"}}
	assert.Equal(t, http.StatusBadRequest, b.Post("/gestion/mon-compte/mot-de-passe", wrong).Status)
	assert.Equal(t, http.StatusBadRequest, b.Post("/gestion/mon-compte/mot-de-passe", wrong).Status)
	p := b.Post("/gestion/mon-compte/mot-de-passe", wrong)
	assert.Equal(t, http.StatusTooManyRequests, p.Status)
	contains(t, p, "Trop de demandes")
}
