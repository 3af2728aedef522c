package citizen_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	web "github.com/portail-factures/portail/adapters/http"
	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/adapters/http/webtest/full"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
	"github.com/portail-factures/portail/ports/portstest"
)

// loginForm is a login POST with b's form token, from the address ip.
func loginForm(t *testing.T, b *webtest.Browser, path, email, password, ip string) *http.Request {
	form := url.Values{"email": {email}, "password": {password}, "jeton": {b.Token()}}
	r, err := http.NewRequest(http.MethodPost, b.E.TS.URL+path, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", b.E.TS.URL)
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	r.Header.Set("X-Real-IP", ip)
	return r
}

// TestConcurrentWrongPasswordsAreCheckedAtMostTheLimit: 100 wrong
// passwords sent at once for one account, from one address or from 100,
// have at most LoginFailures.Events passwords checked (401); the others
// are refused before any check (429, « Trop de demandes »). Citizens and
// staff alike.
func TestConcurrentWrongPasswordsAreCheckedAtMostTheLimit(t *testing.T) {
	for name, backend := range full.LimitBackends {
		for _, who := range []struct{ name, page, email string }{
			{"citizen", "/connexion", demo.Email},
			{"staff", "/gestion/connexion", demo.StaffEmail},
		} {
			for _, addresses := range []int{1, 100} {
				t.Run(fmt.Sprintf("%s/%s/%d addresses", name, who.name, addresses), func(t *testing.T) {
					e := full.New(t, backend, func(c *web.Config) {
						c.ClientIP = kit.ClientIPFromHeader("X-Real-IP")
						c.Limits.AuthPerIP = ports.Rate{Events: 1000, Per: time.Minute}
					})
					b := e.Browser()
					b.Get(who.page)
					counts, bodies, headers := webtest.Parallel(t, b.C, 100, func(i int) *http.Request {
						return loginForm(t, b, who.page, who.email, "faux", fmt.Sprintf("192.0.2.%d", i%addresses+1))
					})
					t.Logf("checked %d, refused %d", counts[http.StatusUnauthorized], counts[http.StatusTooManyRequests])
					assert.Equal(t, ports.DefaultRateLimits.LoginFailures.Events, counts[http.StatusUnauthorized], "passwords checked")
					assert.Equal(t, 100-ports.DefaultRateLimits.LoginFailures.Events, counts[http.StatusTooManyRequests])
					assert.Contains(t, bodies[http.StatusTooManyRequests], "Trop de demandes")
					assert.NotEmpty(t, headers[http.StatusTooManyRequests].Get("Retry-After"))
				})
			}
		}
	}
}

// TestASuccessfulLoginIsNotAFailure: the attempt reserved before the
// check is given back when the password was right, so logging in often
// never locks anyone out.
func TestASuccessfulLoginIsNotAFailure(t *testing.T) {
	for name, backend := range full.LimitBackends {
		t.Run(name, func(t *testing.T) {
			e := full.New(t, backend, func(c *web.Config) { c.Limits.LoginFailures = ports.Rate{Events: 2, Per: 15 * time.Minute} })
			for range 5 {
				e.Browser().Login(demo.Email, demo.Password, false)
				e.Browser().StaffLogin(demo.StaffEmail, demo.StaffPassword)
			}
			b := e.Browser()
			b.Get("/connexion")
			for range 2 {
				assert.Equal(t, http.StatusUnauthorized, b.Post("/connexion", url.Values{"email": {demo.Email}, "password": {"faux"}}).Status)
			}
			assert.Equal(t, http.StatusTooManyRequests, b.Post("/connexion", url.Values{"email": {demo.Email}, "password": {demo.Password}}).Status,
				"two failures still fill the limit")
		})
	}
}

// gatedGateway is the fake gateway whose status queries wait until want
// notifications have been read, so that they overlap; it counts them.
type gatedGateway struct {
	*portstest.FakeGateway
	mu       sync.Mutex
	reads    int
	want     int
	open     chan struct{}
	statuses atomic.Int32
}

func (g *gatedGateway) ReadNotification(ctx context.Context, params url.Values) (ports.Notification, error) {
	g.mu.Lock()
	if g.reads++; g.reads == g.want {
		close(g.open)
	}
	g.mu.Unlock()
	return g.FakeGateway.ReadNotification(ctx, params)
}

func (g *gatedGateway) Status(ctx context.Context, p domain.Payment) (domain.Report, error) {
	g.statuses.Add(1)
	<-g.open
	return g.FakeGateway.Status(ctx, p)
}

// TestNotificationsAreLimitedPerAddress: 100 notifications of one idOp
// sent at once from one address: 60 are handled (the default limit per
// minute), the rest get 429 with Retry-After before anything is read,
// and the ones handled share the status queries to PayFiP. Another
// address is not troubled; the return page counts with the notification.
func TestNotificationsAreLimitedPerAddress(t *testing.T) {
	for name, backend := range full.LimitBackends {
		t.Run(name, func(t *testing.T) { testNotificationsLimit(t, backend, name == "memory buckets") })
	}
}

func testNotificationsLimit(t *testing.T, backend func(*web.Config), buckets bool) {
	var cfg web.Config
	e := full.New(t, backend, func(c *web.Config) {
		c.ClientIP = kit.ClientIPFromHeader("X-Real-IP")
		cfg = *c
	})
	e.StartPaying()
	e.Gateway.SetOutcome("op-1", domain.OutcomePaid)
	limit := ports.DefaultRateLimits.PaymentCallbacks.Events
	gw := &gatedGateway{FakeGateway: e.Gateway, want: limit, open: make(chan struct{})}
	p, err := ports.NewPortal(ports.Deps{
		Store: e.Store, Sessions: e.Store, Mailer: e.Mails, Gateway: gw, Clock: e.Clock, Random: portstest.NewSeqRandom(5),
	}, ports.Config{PublicURL: webtest.PublicURL, Argon2: webtest.FastArgon2, MailInline: true})
	require.NoError(t, err)
	cfg.Portal = p
	srv, err := web.New(cfg)
	require.NoError(t, err)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)

	notification := func(ip string) *http.Request {
		r, err := http.NewRequest(http.MethodPost, ts.URL+ports.PathPaymentNotify, strings.NewReader("idop=op-1"))
		require.NoError(t, err)
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("X-Real-IP", ip)
		return r
	}
	counts, bodies, headers := webtest.Parallel(t, http.DefaultClient, 100, func(int) *http.Request { return notification("192.0.2.7") })
	t.Logf("accepted %d, refused %d, status queries %d", counts[http.StatusOK], counts[http.StatusTooManyRequests], gw.statuses.Load())
	assert.Equal(t, map[int]int{http.StatusOK: limit, http.StatusTooManyRequests: 100 - limit}, counts)
	assert.Contains(t, bodies[http.StatusTooManyRequests], "Trop de demandes")
	assert.Equal(t, "text/plain; charset=utf-8", headers[http.StatusTooManyRequests].Get("Content-Type"))
	if buckets {
		assert.Equal(t, "2", headers[http.StatusTooManyRequests].Get("Retry-After"), "one notification more a second")
	} else {
		assert.NotEmpty(t, headers[http.StatusTooManyRequests].Get("Retry-After"), "the next minute")
	}
	assert.Less(t, int(gw.statuses.Load()), limit, "the notifications handled together share their status queries")

	res, err := http.DefaultClient.Do(notification("198.51.100.1"))
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode, "another address is not troubled")

	r, err := http.NewRequest(http.MethodGet, ts.URL+ports.PathPaymentReturn+"?idop=op-1", nil)
	require.NoError(t, err)
	r.Header.Set("X-Real-IP", "192.0.2.7")
	res, err = http.DefaultClient.Do(r)
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, http.StatusTooManyRequests, res.StatusCode)
	assert.Contains(t, string(body), "Trop de demandes")
	assert.Contains(t, string(body), "<html")
}
