package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	web "github.com/portail-factures/portail/adapters/http"
	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
	"github.com/portail-factures/portail/ports/portstest"
)

// TestConcurrentWrongStaffCurrentPasswordsOnPostgreSQL: a staff member's
// session on two portal instances sharing one PostgreSQL database. 100
// wrong current passwords sent at once on « Mon compte », half to each
// instance: 10 are checked (400), 90 refused before any check (429).
func TestConcurrentWrongStaffCurrentPasswordsOnPostgreSQL(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := t.Context()
	clock := portstest.NewFixedClock(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	_, err := demo.Seed(ctx, db, ports.PasswordHasher{Params: fastArgon2, Random: portstest.NewSeqRandom(8)}, clock.Now())
	require.NoError(t, err)
	portal, err := ports.NewPortal(ports.Deps{
		Store: db, Sessions: db, Mailer: &portstest.Mailbox{}, Gateway: &portstest.FakeGateway{},
		Clock: clock, Random: portstest.NewSeqRandom(7),
	}, ports.Config{PublicURL: "https://factures.demoville.fr", Argon2: fastArgon2, HashWait: time.Minute})
	require.NoError(t, err)
	var instances [2]*httptest.Server
	for i := range instances {
		srv, err := web.New(web.Config{Portal: portal, BillerID: demo.BillerID, PublicURL: "https://factures.demoville.fr",
			Clock: clock, Throttle: db})
		require.NoError(t, err)
		instances[i] = httptest.NewServer(srv)
		t.Cleanup(instances[i].Close)
	}
	// One session, the same on both instances (the jar ignores ports).
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(base, path string, form url.Values) *http.Request {
		r, err := http.NewRequest(http.MethodPost, base+path, strings.NewReader(form.Encode()))
		require.NoError(t, err)
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Origin", base)
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		return r
	}
	token := func(base, path string) string {
		res, err := c.Get(base + path)
		require.NoError(t, err)
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := formToken.FindStringSubmatch(string(page))
		require.NotNil(t, m, "no form token on %s", path)
		return m[1]
	}
	login := url.Values{"email": {demo.StaffEmail}, "password": {demo.StaffPassword},
		"jeton": {token(instances[0].URL, "/gestion/connexion")}}
	res, err := c.Do(post(instances[0].URL, "/gestion/connexion", login))
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)

	var reqs []*http.Request
	for _, ts := range instances {
		jeton := token(ts.URL, "/gestion/mon-compte")
		for range 50 {
			reqs = append(reqs, post(ts.URL, "/gestion/mon-compte/mot-de-passe", url.Values{"current_password": {"faux"},
				"password": {"un nouveau mot de passe"}, "confirm": {"un nouveau mot de passe"}, "jeton": {jeton}}))
		}
	}
	var (
		mu     sync.Mutex
		wg     sync.WaitGroup
		counts = map[int]int{}
		gate   = make(chan struct{})
	)
	for _, r := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			res, err := c.Do(r)
			if !assert.NoError(t, err) {
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			mu.Lock()
			counts[res.StatusCode]++
			mu.Unlock()
		}()
	}
	close(gate)
	wg.Wait()
	t.Logf("%d current passwords checked, %d refused", counts[http.StatusBadRequest], counts[http.StatusTooManyRequests])
	assert.Equal(t, map[int]int{http.StatusBadRequest: 10, http.StatusTooManyRequests: 90}, counts)
}
