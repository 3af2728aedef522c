package main

// The legacy URL mode end to end, as the payer's browser lives it: the
// web portal, the real gateway in URL mode and the DGFiP simulator on one
// loopback server. The result reaches the portal the way the DGFiP sends
// it, in a form the browser posts to urlcl (docs/payfip.md §2.3).

import (
	"html"
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

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	web "github.com/portail-factures/portail/adapters/http"
	"github.com/portail-factures/portail/adapters/http/dev"
	"github.com/portail-factures/portail/adapters/memory"
	"github.com/portail-factures/portail/adapters/tipi"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
	"github.com/portail-factures/portail/ports/portstest"
)

var (
	postForm    = regexp.MustCompile(`(?s)<form method="post" action="([^"]+)"[^>]*>(.*?)</form>`)
	hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

// pageForms reads the POST forms of page: their actions, in order, and
// each one's hidden fields.
func pageForms(page string) (actions []string, fields map[string]url.Values) {
	fields = map[string]url.Values{}
	for _, m := range postForm.FindAllStringSubmatch(page, -1) {
		action := html.UnescapeString(m[1])
		v := url.Values{}
		for _, f := range hiddenInput.FindAllStringSubmatch(m[2], -1) {
			v.Add(f[1], html.UnescapeString(f[2]))
		}
		actions, fields[action] = append(actions, action), v
	}
	return actions, fields
}

// formTo is the hidden fields of page's form posted to action.
func formTo(t *testing.T, page, action string) url.Values {
	t.Helper()
	_, forms := pageForms(page)
	v, ok := forms[action]
	require.True(t, ok, "no form to %s in %s", action, page)
	return v
}

// onlyForm is the page's one form: its action and hidden fields.
func onlyForm(t *testing.T, page string) (string, url.Values) {
	t.Helper()
	actions, forms := pageForms(page)
	require.Len(t, actions, 1, page)
	return actions[0], forms[actions[0]]
}

// navigator is a browser with cookies that follows no redirect by itself
// and sends what a browser sends when it navigates.
type navigator struct {
	t *testing.T
	c *http.Client
}

func (n navigator) do(method, target string, form url.Values, origin string) (int, http.Header, string) {
	n.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r, err := http.NewRequest(method, target, body)
	require.NoError(n.t, err)
	r.Header.Set("Accept", "text/html,application/xhtml+xml")
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Origin", origin)
	}
	res, err := n.c.Do(r)
	require.NoError(n.t, err)
	defer res.Body.Close()
	page, err := io.ReadAll(res.Body)
	require.NoError(n.t, err)
	return res.StatusCode, res.Header, string(page)
}

// TestURLModeResultPostedByTheBrowser: a citizen pays in the legacy URL
// mode. The simulator answers the payer's choice with a page whose form
// the browser posts to urlcl; the portal records the result and sends the
// browser on (303) to its return page, which says the payment awaits the
// service's confirmation, as every URL-mode result does. With the
// simulator's server-to-server call on too, both arrivals settle once.
func TestURLModeResultPostedByTheBrowser(t *testing.T) {
	for _, serverCall := range []bool{false, true} {
		name := "browser only"
		if serverCall {
			name = "browser and server call"
		}
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			clock := portstest.NewFixedClock(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
			store, mails := memory.New(), &portstest.Mailbox{}
			mux := http.NewServeMux()
			srv := httptest.NewServer(mux)
			t.Cleanup(srv.Close)
			sim := tipi.NewSimulator(tipi.SimulatorConfig{Clock: clock, URLModeServerCall: serverCall})
			gw, err := tipi.New(sim.GatewayConfig(srv.URL, tipi.ModeTIPI))
			require.NoError(t, err)
			portal, err := ports.NewPortal(ports.Deps{
				Store: store, Sessions: store, Mailer: mails, Gateway: gw, Clock: clock, Random: portstest.NewSeqRandom(7),
			}, ports.Config{PublicURL: srv.URL, Argon2: fastArgon2, MailInline: true})
			require.NoError(t, err)
			_, err = demo.Seed(ctx, store, ports.PasswordHasher{Params: fastArgon2, Random: portstest.NewSeqRandom(8)}, clock.Now())
			require.NoError(t, err)
			site, err := web.New(web.Config{Portal: portal, BillerID: demo.BillerID, PublicURL: srv.URL, Clock: clock,
				Dev: &dev.Config{PayFiP: sim}})
			require.NoError(t, err)
			var (
				mu      sync.Mutex
				accepts []string // the Accept header of each call of urlcl
			)
			mux.HandleFunc(ports.PathPaymentNotify, func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				accepts = append(accepts, r.Header.Get("Accept"))
				mu.Unlock()
				site.ServeHTTP(w, r)
			})
			mux.Handle("/", site)

			jar, err := cookiejar.New(nil)
			require.NoError(t, err)
			b := navigator{t: t, c: &http.Client{Jar: jar, Timeout: 10 * time.Second,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}

			// Log in, then « Payer la facture sur le portail PayFiP ».
			_, _, page := b.do(http.MethodGet, srv.URL+"/connexion", nil, "")
			login := formTo(t, page, "/connexion")
			login.Set("email", demo.Email)
			login.Set("password", demo.Password)
			status, _, page := b.do(http.MethodPost, srv.URL+"/connexion", login, srv.URL)
			require.Equal(t, http.StatusSeeOther, status, page)
			water := uuid.NewSHA1(demo.BillerID, []byte("2026-020-002059"))
			status, _, page = b.do(http.MethodGet, srv.URL+"/paiement/recapitulatif?facture="+water.String(), nil, "")
			require.Equal(t, http.StatusOK, status, page)
			start := formTo(t, page, "/paiement")
			start.Set("facture", water.String())
			status, header, page := b.do(http.MethodPost, srv.URL+"/paiement", start, srv.URL)
			require.Equal(t, http.StatusSeeOther, status, page)
			payPage := header.Get("Location")
			require.True(t, strings.HasPrefix(payPage, srv.URL+"/_dev/payfip/tpa/paiement.web?"), payPage)

			// At the DGFiP's page: « Payer par carte bancaire ».
			status, _, page = b.do(http.MethodGet, payPage, nil, "")
			require.Equal(t, http.StatusOK, status, page)
			action, choice := onlyForm(t, page)
			choice.Set("action", "pay")
			status, _, page = b.do(http.MethodPost, srv.URL+action, choice, srv.URL)
			require.Equal(t, http.StatusOK, status, "the result page, not a redirect")
			require.Contains(t, page, "Retourner sur le site du service")
			urlcl, result := onlyForm(t, page)
			require.Equal(t, srv.URL+ports.PathPaymentNotify, urlcl)
			require.Equal(t, "P", result.Get("resultrans"))

			// « Retourner sur le site du service »: the browser posts the
			// result to urlcl and lands on the return page.
			status, header, page = b.do(http.MethodPost, urlcl, result, srv.URL)
			require.Equal(t, http.StatusSeeOther, status, page)
			back := header.Get("Location")
			assert.Equal(t, ports.PathPaymentReturn+"?refdet="+url.QueryEscape(result.Get("refdet")), back)
			status, _, page = b.do(http.MethodGet, srv.URL+back, nil, "")
			require.Equal(t, http.StatusOK, status, page)
			assert.Contains(t, page, domain.StatusAwaitingConfirmation)
			assert.Contains(t, page, "Le service de facturation doit encore confirmer la réception de votre paiement.")

			mu.Lock()
			calls := append([]string(nil), accepts...)
			mu.Unlock()
			if serverCall {
				require.Len(t, calls, 2, "the simulator's call, then the browser's")
				assert.NotContains(t, calls[0], "text/html")
			} else {
				require.Len(t, calls, 1, "only the browser posts to urlcl")
			}
			assert.Contains(t, calls[len(calls)-1], "text/html")

			pay, err := store.PaymentByRefdet(ctx, result.Get("refdet"))
			require.NoError(t, err)
			assert.Equal(t, domain.PaymentPaid, pay.State)
			assert.False(t, pay.Confirmed, "a URL-mode result waits for the service's confirmation")
			inv, err := store.Invoice(ctx, water)
			require.NoError(t, err)
			assert.True(t, inv.AwaitingConfirmation, "not « Réglée » until the service confirms it")
			assert.Len(t, mails.To(demo.Email), 1, "one mail, however many times the result arrived")
		})
	}
}
