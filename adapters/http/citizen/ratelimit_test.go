package citizen_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	web "github.com/portail-factures/portail/adapters/http"
	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/adapters/http/webtest/full"
	"github.com/portail-factures/portail/adapters/memory"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

func TestFailedLoginsArePerAddress(t *testing.T) {
	e := full.New(t, func(c *web.Config) { c.Limits.LoginFailures = ports.Rate{Events: 3, Per: 15 * time.Minute} })
	b := e.Browser()
	b.Get("/connexion")
	for range 3 {
		assert.Equal(t, http.StatusUnauthorized, b.Post("/connexion", url.Values{"email": {demo.Email}, "password": {"faux"}}).Status)
	}
	p := b.Post("/connexion", url.Values{"email": {demo.Email}, "password": {demo.Password}})
	assert.Equal(t, http.StatusTooManyRequests, p.Status, "even the right password waits")
	webtest.Contains(t, p, "Trop de demandes", "veuillez patienter 5 minutes")
	assert.Equal(t, "301", p.Header.Get("Retry-After"))

	// Another address from the same connection is not troubled.
	b.Get("/connexion")
	assert.Equal(t, http.StatusUnauthorized, b.Post("/connexion", url.Values{"email": {"autre@demo.fr"}, "password": {"faux"}}).Status)

	// One token comes back every five minutes.
	e.Clock.Advance(5 * time.Minute)
	b.Login(demo.Email, demo.Password, false)
}

func TestAuthRequestsArePerIP(t *testing.T) {
	e := full.New(t, func(c *web.Config) { c.Limits.AuthPerIP = ports.Rate{Events: 2, Per: time.Minute} })
	b := e.Browser()
	b.Get("/mot-de-passe-oublie")
	for i := range 2 {
		p := b.Post("/mot-de-passe-oublie", url.Values{"email": {fmt.Sprintf("x%d@demo.fr", i)}})
		assert.Equal(t, http.StatusSeeOther, p.Status)
	}
	p := b.Post("/mot-de-passe-oublie", url.Values{"email": {"x9@demo.fr"}})
	assert.Equal(t, http.StatusTooManyRequests, p.Status)
	webtest.Contains(t, p, "Trop de demandes ont été faites en peu de temps")
}

func TestMailsArePerAddress(t *testing.T) {
	e := full.New(t)
	b := e.Browser()
	b.Get("/activation")
	for range 5 {
		require.Equal(t, http.StatusSeeOther, b.Post("/activation", url.Values{"email": {demo.NewcomerEmail}}).Status)
	}
	assert.Equal(t, http.StatusTooManyRequests, b.Post("/activation", url.Values{"email": {demo.NewcomerEmail}}).Status)
	assert.Equal(t, http.StatusTooManyRequests, b.Post("/mot-de-passe-oublie", url.Values{"email": {" Nouveau@Demo.fr "}}).Status,
		"activation and reset share the address's limit")
	assert.Equal(t, 5, e.MailsTo(demo.NewcomerEmail))
}

func TestContactIsLimitedPerAccount(t *testing.T) {
	e := full.New(t, func(c *web.Config) { c.Limits.ContactPerAccount = ports.Rate{Events: 1, Per: time.Hour} })
	b := e.Browser().LoginDemo()
	b.Get("/contact")
	assert.Equal(t, http.StatusSeeOther, b.Post("/contact", url.Values{"subject": {"Un"}, "body": {"Un"}}).Status)
	p := b.Post("/contact", url.Values{"subject": {"Deux"}, "body": {"Deux"}})
	assert.Equal(t, http.StatusTooManyRequests, p.Status)
	webtest.Contains(t, p, "Trop de demandes")
}

func TestWrongCurrentPasswordsAreCounted(t *testing.T) {
	e := full.New(t, func(c *web.Config) { c.Limits.LoginFailures = ports.Rate{Events: 2, Per: time.Hour} })
	b := e.Browser().LoginDemo()
	b.Get("/mes-informations")
	form := url.Values{"current_password": {"faux"}, "password": {"encore-meilleur"}, "confirm": {"encore-meilleur"}}
	assert.Equal(t, http.StatusBadRequest, b.Post("/mes-informations/mot-de-passe", form).Status)
	assert.Equal(t, http.StatusBadRequest, b.Post("/mes-informations/mot-de-passe", form).Status)
	assert.Equal(t, http.StatusTooManyRequests, b.Post("/mes-informations/mot-de-passe", form).Status)
}

func TestDefaultLimitsSpareAFamily(t *testing.T) {
	l, err := ports.RateLimits{}.WithDefaults()
	require.NoError(t, err)
	assert.Equal(t, ports.Rate{Events: 10, Per: 15 * time.Minute}, l.LoginFailures)
	assert.Equal(t, ports.Rate{Events: 60, Per: time.Minute}, l.AuthPerIP)
	assert.Equal(t, ports.Rate{Events: 5, Per: time.Hour}, l.MailsPerAddress)
	assert.Equal(t, ports.Rate{Events: 10, Per: time.Hour}, l.ContactPerAccount)
	_, err = ports.RateLimits{AuthPerIP: ports.Rate{Events: -1, Per: time.Minute}}.WithDefaults()
	assert.Error(t, err)
}

// TestInstancesSharingAThrottleShareTheLimit: two portal instances behind
// a load balancer count failed logins together when they share a
// throttle store (PostgreSQL in production).
func TestInstancesSharingAThrottleShareTheLimit(t *testing.T) {
	var cfg web.Config
	e := full.New(t, func(c *web.Config) {
		c.Throttle = memory.NewThrottle()
		c.Limits.LoginFailures = ports.Rate{Events: 3, Per: 15 * time.Minute}
		cfg = *c
	})
	other, err := web.New(cfg)
	require.NoError(t, err)
	second := *e
	second.TS = httptest.NewServer(other)
	t.Cleanup(second.TS.Close)

	first, next := e.Browser(), second.Browser()
	first.Get("/connexion")
	next.Get("/connexion")
	for _, b := range []*webtest.Browser{first, next, first} {
		assert.Equal(t, http.StatusUnauthorized, b.Post("/connexion", url.Values{"email": {demo.Email}, "password": {"faux"}}).Status)
	}
	p := next.Post("/connexion", url.Values{"email": {demo.Email}, "password": {demo.Password}})
	assert.Equal(t, http.StatusTooManyRequests, p.Status, "the other instance knows of the three failures")
	webtest.Contains(t, p, "Trop de demandes")
}
