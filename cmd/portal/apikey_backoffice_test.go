package main

import (
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	web "github.com/portail-factures/portail/adapters/http"
	"github.com/portail-factures/portail/adapters/http/api/apitest"
	"github.com/portail-factures/portail/adapters/memory"
	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
	"github.com/portail-factures/portail/ports/portstest"
)

var (
	backOfficeSecret = regexp.MustCompile(`value="(` + domain.APIKeyPrefix + `[A-Za-z0-9_-]{40,})"`)
	revokeLink       = regexp.MustCompile(`href="(/gestion/parametres/cles-api/[0-9a-f-]{36}/revoquer)"`)
	formNonce        = regexp.MustCompile(`name="nonce" value="([A-Za-z0-9_-]+)"`)
)

// TestBackOfficeAPIKeyOverHTTP, on both stores: the demo's administrator
// creates a key in « Clés d'API », the billing software reads with it,
// the administrator revokes it, and the very next API request is
// refused, over real HTTP. The creation posted again (the secret's page
// reloaded) makes no second key.
func TestBackOfficeAPIKeyOverHTTP(t *testing.T) {
	stores := map[string]func(*testing.T) ports.Store{
		"memory":     func(*testing.T) ports.Store { return memory.New() },
		"postgresql": func(t *testing.T) ports.Store { return pgtest.NewDB(t) },
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			store := open(t)
			ctx := t.Context()
			clock := portstest.NewFixedClock(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
			_, err := demo.Seed(ctx, store, ports.PasswordHasher{Params: fastArgon2, Random: portstest.NewSeqRandom(8)}, clock.Now())
			require.NoError(t, err)
			sessions := store.(ports.SessionStore)
			portal, err := ports.NewPortal(ports.Deps{Store: store, Sessions: sessions, Mailer: &portstest.Mailbox{},
				Gateway: &portstest.FakeGateway{}, Clock: clock, Random: portstest.NewSeqRandom(7)},
				ports.Config{PublicURL: "https://factures.demoville.fr", Argon2: fastArgon2})
			require.NoError(t, err)
			h, err := web.New(web.Config{Portal: portal, BillerID: demo.BillerID, PublicURL: "https://factures.demoville.fr", Clock: clock})
			require.NoError(t, err)
			// Every API exchange is checked against the OpenAPI document.
			srv := httptest.NewServer(apitest.Check(t, h))
			t.Cleanup(srv.Close)
			c := newFormClient(t, srv.URL)

			c.post("/gestion/connexion", url.Values{"email": {demo.AdminEmail}, "password": {demo.AdminPassword}})
			_, page := c.get("/gestion/parametres/cles-api")
			nonce := formNonce.FindStringSubmatch(page)
			require.NotNil(t, nonce, page)
			form := url.Values{"name": {"Logiciel de facturation"}, "nonce": {nonce[1]}}
			st, page := c.post("/gestion/parametres/cles-api", form)
			require.Equal(t, http.StatusOK, st, page)
			m := backOfficeSecret.FindStringSubmatch(page)
			require.NotNil(t, m, page)
			secret := m[1]

			st, page = c.post("/gestion/parametres/cles-api", form)
			assert.Equal(t, http.StatusConflict, st, "the same form again")
			assert.Contains(t, page, "Clé d'API déjà créée")
			assert.NotContains(t, page, secret)
			keys, err := store.APIKeys(ctx, demo.BillerID)
			require.NoError(t, err)
			assert.Len(t, keys, 1, "one form, one key")

			api := func() int {
				req, err := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/payers/DEMO-0001", nil)
				require.NoError(t, err)
				req.Header.Set("Authorization", "Bearer "+secret)
				res, err := http.DefaultClient.Do(req)
				require.NoError(t, err)
				res.Body.Close()
				return res.StatusCode
			}
			assert.Equal(t, http.StatusOK, api())

			_, page = c.get("/gestion/parametres/cles-api")
			assert.NotContains(t, page, secret, "the secret is shown once")
			link := revokeLink.FindStringSubmatch(page)
			require.NotNil(t, link, page)
			c.get(link[1])
			st, _ = c.post(link[1], url.Values{"confirmation": {"oui"}})
			require.Equal(t, http.StatusSeeOther, st)
			assert.Equal(t, http.StatusUnauthorized, api(), "a revoked key is refused at once")

			events, _, err := store.AuditEvents(ctx, ports.AuditQuery{BillerID: demo.BillerID, Action: "apikey."})
			require.NoError(t, err)
			require.Len(t, events, 2)
			for _, ev := range events {
				assert.Equal(t, demo.AdminEmail, ev.ActorLabel, ev.Action)
			}

			// One form posted twice at once (a double click): one key;
			// on PostgreSQL the unique nonce refuses the second insert.
			_, _, admin, err := portal.BackOffice().StaffLogin(ctx, demo.BillerID, demo.AdminEmail, demo.AdminPassword, "")
			require.NoError(t, err)
			twice, err := portal.BackOfficeAdmin().APIKeyFormNonce()
			require.NoError(t, err)
			results := make(chan error, 2)
			for range 2 {
				go func() {
					_, _, err := portal.BackOfficeAdmin().CreateAPIKey(ctx, admin, "Double clic", twice)
					results <- err
				}()
			}
			var made, refused int
			for range 2 {
				switch err := <-results; {
				case err == nil:
					made++
				case errors.Is(err, domain.ErrAPIKeyAlreadyCreated):
					refused++
				default:
					t.Errorf("a post of the form: %v", err)
				}
			}
			assert.Equal(t, [2]int{1, 1}, [2]int{made, refused}, "one made, one told it was")
			keys, err = store.APIKeys(ctx, demo.BillerID)
			require.NoError(t, err)
			assert.Len(t, keys, 2)
		})
	}
}

// formClient is a browser of the back office: cookies, and the form
// token of the last page posted back.
type formClient struct {
	t     *testing.T
	base  string
	c     *http.Client
	token string
}

func newFormClient(t *testing.T, base string) *formClient {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &formClient{t: t, base: base, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (f *formClient) do(req *http.Request) (int, string) {
	f.t.Helper()
	res, err := f.c.Do(req)
	require.NoError(f.t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(f.t, err)
	if m := formToken.FindStringSubmatch(string(body)); m != nil {
		f.token = m[1]
	}
	return res.StatusCode, string(body)
}

func (f *formClient) get(path string) (int, string) {
	f.t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.base+path, nil)
	require.NoError(f.t, err)
	return f.do(req)
}

// post posts form with the last page's token; a first post gets its
// page first.
func (f *formClient) post(path string, form url.Values) (int, string) {
	f.t.Helper()
	if f.token == "" {
		f.get(path)
	}
	form.Set("jeton", f.token)
	req, err := http.NewRequest(http.MethodPost, f.base+path, strings.NewReader(form.Encode()))
	require.NoError(f.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", f.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return f.do(req)
}
