package http

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

// serveWithHashSlots serves the portal with n password-hashing slots, a
// hash waiting at most wait for one, and login limits that fifty logins
// of one address at once do not reach.
func serveWithHashSlots(t *testing.T, n int, wait time.Duration) *webtest.Env {
	return webtest.Serve(t, func(w *webtest.Env) (http.Handler, error) {
		lots := ports.Rate{Events: 1000, Per: time.Minute}
		return New(Config{
			Portal: w.Portal, BillerID: demo.BillerID, PublicURL: webtest.PublicURL, Clock: w.Clock,
			Limits: ports.RateLimits{LoginFailures: lots, AuthPerIP: lots},
		})
	}, func(c *ports.Config) { c.HashSlots, c.HashWait = n, wait })
}

// loginRequests are n logins of the demo citizen from browser b, which
// holds the login form's cookie and token.
func loginRequests(t *testing.T, e *webtest.Env, b *webtest.Browser) func(int) *http.Request {
	b.Get("/connexion")
	form := url.Values{"email": {demo.Email}, "password": {demo.Password}, "jeton": {b.Token()}}.Encode()
	return func(int) *http.Request {
		req, err := http.NewRequest(http.MethodPost, e.TS.URL+"/connexion", strings.NewReader(form))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return req
	}
}

func TestFiftyLoginsAtOnceHashTwoAtATime(t *testing.T) {
	// The wait is long: only the queue's bound refuses anyone.
	e := serveWithHashSlots(t, 2, time.Minute)
	b := e.Browser()
	counts, bodies, _ := webtest.Parallel(t, b.C, 50, loginRequests(t, e, b))
	// Two run, 2×16 wait (ports.HashQueuePerSlot); the others are told at
	// once to try again, never held in memory.
	assert.Equal(t, 50, counts[http.StatusSeeOther]+counts[http.StatusServiceUnavailable], counts)
	assert.GreaterOrEqual(t, counts[http.StatusSeeOther], 2+2*ports.HashQueuePerSlot, counts)
	if counts[http.StatusServiceUnavailable] > 0 {
		busy := webtest.Resp{Status: http.StatusServiceUnavailable, Body: bodies[http.StatusServiceUnavailable]}
		webtest.Contains(t, busy, "Le service est très sollicité : réessayez dans un instant.")
	}
	slots := e.Portal.HashSlots()
	assert.Equal(t, 2, slots.Size())
	assert.LessOrEqual(t, slots.Peak(), 2, "never more hashes at once than slots")
	assert.Positive(t, slots.Peak())
}

func TestLoginWhenEveryHashSlotIsTaken(t *testing.T) {
	e := serveWithHashSlots(t, 1, time.Millisecond)
	release, err := e.Portal.HashSlots().Acquire(context.Background())
	require.NoError(t, err)
	b := e.Browser()
	counts, bodies, headers := webtest.Parallel(t, b.C, 3, loginRequests(t, e, b))
	assert.Equal(t, map[int]int{http.StatusServiceUnavailable: 3}, counts)
	page := webtest.Resp{Status: http.StatusServiceUnavailable, Body: bodies[http.StatusServiceUnavailable]}
	webtest.Contains(t, page, "Le service est très sollicité : réessayez dans un instant.", `name="password"`)
	assert.Equal(t, "1", headers[http.StatusServiceUnavailable].Get("Retry-After"))

	// The back office's login says the same.
	staff := e.Browser()
	staff.Get("/gestion/connexion")
	p := staff.Post("/gestion/connexion", url.Values{"email": {demo.StaffEmail}, "password": {demo.StaffPassword}})
	assert.Equal(t, http.StatusServiceUnavailable, p.Status)
	assert.Equal(t, "1", p.Header.Get("Retry-After"))
	webtest.Contains(t, p, "Le service est très sollicité : réessayez dans un instant.")

	// Once a slot is free, the same login goes through.
	release()
	b.Login(demo.Email, demo.Password, false)
}
