package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
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

var formToken = regexp.MustCompile(`name="jeton" value="([^"]+)"`)

// TestConcurrentWrongPasswordsOnPostgreSQL: two portal instances share
// one PostgreSQL database, and its throttle. 100 wrong passwords sent at
// once, half to each instance, for one citizen and for one staff member:
// at most the limit (10) are checked, the rest are refused before any
// check with « Trop de demandes ».
func TestConcurrentWrongPasswordsOnPostgreSQL(t *testing.T) {
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
	limits := ports.DefaultRateLimits
	limits.AuthPerIP = ports.Rate{Events: 1000, Per: time.Minute}
	var instances [2]*httptest.Server
	for i := range instances {
		srv, err := web.New(web.Config{Portal: portal, BillerID: demo.BillerID, PublicURL: "https://factures.demoville.fr",
			Clock: clock, Limits: limits, Throttle: db})
		require.NoError(t, err)
		instances[i] = httptest.NewServer(srv)
		t.Cleanup(instances[i].Close)
	}
	for _, who := range []struct{ page, email string }{{"/connexion", demo.Email}, {"/gestion/connexion", demo.StaffEmail}} {
		t.Run(who.page, func(t *testing.T) {
			var reqs []*http.Request
			var clients []*http.Client
			for _, ts := range instances {
				jar, err := cookiejar.New(nil)
				require.NoError(t, err)
				c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
				res, err := c.Get(ts.URL + who.page)
				require.NoError(t, err)
				page, _ := io.ReadAll(res.Body)
				res.Body.Close()
				m := formToken.FindStringSubmatch(string(page))
				require.NotNil(t, m, "no form token on %s", who.page)
				for range 50 {
					form := url.Values{"email": {who.email}, "password": {"faux"}, "jeton": {m[1]}}
					r, err := http.NewRequest(http.MethodPost, ts.URL+who.page, strings.NewReader(form.Encode()))
					require.NoError(t, err)
					r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					r.Header.Set("Origin", ts.URL)
					r.Header.Set("Sec-Fetch-Site", "same-origin")
					reqs, clients = append(reqs, r), append(clients, c)
				}
			}
			var (
				mu      sync.Mutex
				wg      sync.WaitGroup
				counts  = map[int]int{}
				tooMany string
				gate    = make(chan struct{})
			)
			for i, r := range reqs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-gate
					res, err := clients[i].Do(r)
					if !assert.NoError(t, err) {
						return
					}
					body, _ := io.ReadAll(res.Body)
					res.Body.Close()
					mu.Lock()
					defer mu.Unlock()
					counts[res.StatusCode]++
					if res.StatusCode == http.StatusTooManyRequests {
						tooMany = string(body)
					}
				}()
			}
			close(gate)
			wg.Wait()
			t.Logf("%s: %d passwords checked, %d refused", who.page, counts[http.StatusUnauthorized], counts[http.StatusTooManyRequests])
			assert.Equal(t, map[int]int{http.StatusUnauthorized: 10, http.StatusTooManyRequests: 90}, counts)
			assert.Contains(t, tooMany, "Trop de demandes")
		})
	}
}
