package http

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/memory"
	"github.com/portail-factures/portail/ports/demo"
)

func TestFailedLoginsArePerAddress(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Limits.LoginFailures = Rate{Events: 3, Per: 15 * time.Minute} })
	b := e.browser()
	b.get("/connexion")
	for range 3 {
		assert.Equal(t, http.StatusUnauthorized, b.post("/connexion", url.Values{"email": {demo.Email}, "password": {"faux"}}).status)
	}
	p := b.post("/connexion", url.Values{"email": {demo.Email}, "password": {demo.Password}})
	assert.Equal(t, http.StatusTooManyRequests, p.status, "even the right password waits")
	contains(t, p, "Trop de demandes", "veuillez patienter 5 minutes")
	assert.Equal(t, "301", p.header.Get("Retry-After"))

	// Another address from the same connection is not troubled.
	b.get("/connexion")
	assert.Equal(t, http.StatusUnauthorized, b.post("/connexion", url.Values{"email": {"autre@demo.fr"}, "password": {"faux"}}).status)

	// One token comes back every five minutes.
	e.clock.Advance(5 * time.Minute)
	b.login(demo.Email, demo.Password, false)
}

func TestAuthRequestsArePerIP(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Limits.AuthPerIP = Rate{Events: 2, Per: time.Minute} })
	b := e.browser()
	b.get("/mot-de-passe-oublie")
	for i := range 2 {
		p := b.post("/mot-de-passe-oublie", url.Values{"email": {fmt.Sprintf("x%d@demo.fr", i)}})
		assert.Equal(t, http.StatusSeeOther, p.status)
	}
	p := b.post("/mot-de-passe-oublie", url.Values{"email": {"x9@demo.fr"}})
	assert.Equal(t, http.StatusTooManyRequests, p.status)
	contains(t, p, "Trop de demandes ont été faites en peu de temps")
}

func TestMailsArePerAddress(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.get("/activation")
	for range 5 {
		require.Equal(t, http.StatusSeeOther, b.post("/activation", url.Values{"email": {demo.NewcomerEmail}}).status)
	}
	assert.Equal(t, http.StatusTooManyRequests, b.post("/activation", url.Values{"email": {demo.NewcomerEmail}}).status)
	assert.Equal(t, http.StatusTooManyRequests, b.post("/mot-de-passe-oublie", url.Values{"email": {" Nouveau@Demo.fr "}}).status,
		"activation and reset share the address's limit")
	assert.Equal(t, 5, e.mailsTo(demo.NewcomerEmail))
}

func TestContactIsLimitedPerAccount(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Limits.ContactPerAccount = Rate{Events: 1, Per: time.Hour} })
	b := e.browser().loginDemo()
	b.get("/contact")
	assert.Equal(t, http.StatusSeeOther, b.post("/contact", url.Values{"subject": {"Un"}, "body": {"Un"}}).status)
	p := b.post("/contact", url.Values{"subject": {"Deux"}, "body": {"Deux"}})
	assert.Equal(t, http.StatusTooManyRequests, p.status)
	contains(t, p, "Trop de demandes")
}

func TestWrongCurrentPasswordsAreCounted(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Limits.LoginFailures = Rate{Events: 2, Per: time.Hour} })
	b := e.browser().loginDemo()
	b.get("/mes-informations")
	form := url.Values{"current_password": {"faux"}, "password": {"encore-meilleur"}, "confirm": {"encore-meilleur"}}
	assert.Equal(t, http.StatusBadRequest, b.post("/mes-informations/mot-de-passe", form).status)
	assert.Equal(t, http.StatusBadRequest, b.post("/mes-informations/mot-de-passe", form).status)
	assert.Equal(t, http.StatusTooManyRequests, b.post("/mes-informations/mot-de-passe", form).status)
}

func TestDefaultLimitsSpareAFamily(t *testing.T) {
	l, err := Limits{}.withDefaults()
	require.NoError(t, err)
	assert.Equal(t, Rate{Events: 10, Per: 15 * time.Minute}, l.LoginFailures)
	assert.Equal(t, Rate{Events: 60, Per: time.Minute}, l.AuthPerIP)
	assert.Equal(t, Rate{Events: 5, Per: time.Hour}, l.MailsPerAddress)
	assert.Equal(t, Rate{Events: 10, Per: time.Hour}, l.ContactPerAccount)
	_, err = Limits{AuthPerIP: Rate{Events: -1, Per: time.Minute}}.withDefaults()
	assert.Error(t, err)
}

func TestLimiterMemoryIsBounded(t *testing.T) {
	m := newMemoryLimiter(Rate{Events: 1, Per: time.Minute}, 100)
	now := time.Now()
	for i := range 1000 {
		ok, _ := m.Allow(context.Background(), fmt.Sprint("ip-", i), now.Add(time.Duration(i)*time.Millisecond))
		require.True(t, ok)
	}
	assert.LessOrEqual(t, m.size(), 100)
	ok, wait := m.Allow(context.Background(), "ip-999", now.Add(time.Second))
	assert.False(t, ok, "a recent key is kept")
	assert.Greater(t, wait, 50*time.Second)
	// Idle keys are dropped first.
	later := now.Add(2 * time.Minute)
	ok, _ = m.Allow(context.Background(), "new", later)
	assert.True(t, ok)
	assert.LessOrEqual(t, m.size(), 100)
}

func TestRemoteIPGroupsIPv6ByPrefix(t *testing.T) {
	r := &http.Request{RemoteAddr: "[2001:db8:1:2:3:4:5:6]:4242"}
	assert.Equal(t, "2001:db8:1:2::/64", remoteIP(r))
	r.RemoteAddr = "192.0.2.7:80"
	assert.Equal(t, "192.0.2.7", remoteIP(r))
	r.RemoteAddr = "[::ffff:192.0.2.7]:80"
	assert.Equal(t, "192.0.2.7", remoteIP(r))
}

func TestClientIPFromHeader(t *testing.T) {
	get := ClientIPFromHeader("X-Forwarded-For")
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.0.0.2:4567"
	assert.Equal(t, "10.0.0.2", get(r), "no header: the connection")
	r.Header.Add("X-Forwarded-For", "6.6.6.6, 203.0.113.7")
	assert.Equal(t, "203.0.113.7", get(r), "the address the proxy added, not the client's claim")
	r.Header.Set("X-Forwarded-For", "2001:db8:1:2:3:4:5:6")
	assert.Equal(t, "2001:db8:1:2::/64", get(r))
	r.Header.Set("X-Forwarded-For", "n'importe quoi")
	assert.Equal(t, "10.0.0.2", get(r))
	real := ClientIPFromHeader("X-Real-IP")
	r.Header.Set("X-Real-IP", "198.51.100.4")
	assert.Equal(t, "198.51.100.4", real(r))
}

// TestInstancesSharingAThrottleShareTheLimit: two portal instances behind
// a load balancer count failed logins together when they share a
// throttle store (PostgreSQL in production).
func TestInstancesSharingAThrottleShareTheLimit(t *testing.T) {
	var cfg Config
	e := newEnv(t, func(c *Config) {
		c.Throttle = memory.NewThrottle()
		c.Limits.LoginFailures = Rate{Events: 3, Per: 15 * time.Minute}
		cfg = *c
	})
	other, err := New(cfg)
	require.NoError(t, err)
	second := *e
	second.ts = httptest.NewServer(other)
	t.Cleanup(second.ts.Close)

	first, next := e.browser(), second.browser()
	first.get("/connexion")
	next.get("/connexion")
	for _, b := range []*browser{first, next, first} {
		assert.Equal(t, http.StatusUnauthorized, b.post("/connexion", url.Values{"email": {demo.Email}, "password": {"faux"}}).status)
	}
	p := next.post("/connexion", url.Values{"email": {demo.Email}, "password": {demo.Password}})
	assert.Equal(t, http.StatusTooManyRequests, p.status, "the other instance knows of the three failures")
	contains(t, p, "Trop de demandes")
}
