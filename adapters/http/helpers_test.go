package http

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/http/dev"
	"github.com/portail-factures/portail/adapters/memory"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
	"github.com/portail-factures/portail/ports/portstest"
)

// fastArgon2 keeps the tests quick; production uses ports.DefaultArgon2.
var fastArgon2 = ports.Argon2Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// publicURL is the portal's address in mails; requests go to the test
// server, whose host differs.
const publicURL = "http://portail.test"

// start is the tests' fixed instant: a Thursday morning in Paris.
var start = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

// env is the portal over the memory store seeded with the manual's demo,
// a fake gateway, a fixed clock and the demo mailbox, served by a real
// HTTP server.
type env struct {
	t       *testing.T
	store   *memory.Store
	portal  *ports.Portal
	mails   *memory.Mailbox
	gateway *portstest.FakeGateway
	clock   *portstest.FixedClock
	server  *Server
	ts      *httptest.Server
	payfip  []string // paths the stub simulator saw
}

// newEnv starts a portal; change may adjust its Config.
func newEnv(t *testing.T, change ...func(*Config)) *env {
	t.Helper()
	e := &env{t: t, store: memory.New(), gateway: &portstest.FakeGateway{}, clock: portstest.NewFixedClock(start)}
	e.mails = memory.NewMailbox(e.clock, 0)
	p, err := ports.NewPortal(ports.Deps{
		Store: e.store, Sessions: e.store, Mailer: e.mails, Gateway: e.gateway,
		Clock: e.clock, Random: portstest.NewSeqRandom(1),
	}, ports.Config{PublicURL: publicURL, Argon2: fastArgon2, MailInline: true})
	require.NoError(t, err)
	e.portal = p
	_, err = demo.Seed(context.Background(), e.store, ports.PasswordHasher{Params: fastArgon2, Random: portstest.NewSeqRandom(2)}, start)
	require.NoError(t, err)
	cfg := Config{
		Portal: p, BillerID: demo.BillerID, PublicURL: publicURL, Clock: e.clock,
		Dev: &dev.Config{
			Mails: func() []dev.Mail {
				var out []dev.Mail
				for _, m := range e.mails.Mails() {
					out = append(out, dev.Mail{To: m.To, ReplyTo: m.ReplyTo, Subject: m.Subject, Text: m.Text, At: m.At})
				}
				return out
			},
			PayFiP: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				e.payfip = append(e.payfip, r.URL.Path)
				_, _ = io.WriteString(w, "simulateur")
			}),
		},
	}
	for _, c := range change {
		c(&cfg)
	}
	e.server, err = New(cfg)
	require.NoError(t, err)
	e.ts = httptest.NewServer(e.server)
	t.Cleanup(e.ts.Close)
	return e
}

// setBiller changes the demo biller in the store.
func (e *env) setBiller(change func(*domain.Biller)) {
	e.t.Helper()
	b, err := e.store.Biller(context.Background(), demo.BillerID)
	require.NoError(e.t, err)
	change(&b)
	require.NoError(e.t, e.store.SaveBiller(context.Background(), b))
}

// idOf is the demo invoice numbered number.
func idOf(number string) uuid.UUID { return uuid.NewSHA1(demo.BillerID, []byte(number)) }

// The demo's invoices.
const (
	water    = "2026-020-002059" // 243,11 €, unpaid
	canteen  = "2026-030-000412" // 58,40 €, unpaid
	nursery  = "2026-040-000087" // 176,25 €, unpaid
	paidOne  = "2026-030-000388" // paid
	treasury = "2025-020-003371" // in treasury
	theirs   = "2026-020-002060" // the newcomer's
)

// browser is a client with its own cookies that follows no redirect.
type browser struct {
	e    *env
	c    *http.Client
	last string // body of the last page, for its form token
	host string // the Host header of every request, when set (onHost)
}

func (e *env) browser() *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(e.t, err)
	return &browser{e: e, c: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// resp is a response, read.
type resp struct {
	status int
	header http.Header
	body   string
}

func (p resp) location() string { return p.header.Get("Location") }

func (b *browser) do(req *http.Request) resp {
	b.e.t.Helper()
	if b.host != "" {
		req.Host = b.host
	}
	res, err := b.c.Do(req)
	require.NoError(b.e.t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(b.e.t, err)
	p := resp{status: res.StatusCode, header: res.Header, body: string(body)}
	if strings.Contains(p.body, `name="jeton"`) {
		b.last = p.body
	}
	return p
}

func (b *browser) get(path string) resp {
	b.e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.e.ts.URL+path, nil)
	require.NoError(b.e.t, err)
	return b.do(req)
}

// postRaw posts form as is, with extra headers.
func (b *browser) postRaw(path string, form url.Values, headers ...string) resp {
	b.e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.e.ts.URL+path, strings.NewReader(form.Encode()))
	require.NoError(b.e.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.do(req)
}

var tokenRE = regexp.MustCompile(`name="jeton" value="([^"]+)"`)

// token is the form token of the last page that had a form.
func (b *browser) token() string {
	m := tokenRE.FindStringSubmatch(b.last)
	require.NotNil(b.e.t, m, "no form token on the last page")
	return m[1]
}

// post posts form with the form token of the last page, as a browser
// would from the portal's own page.
func (b *browser) post(path string, form url.Values) resp {
	b.e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("jeton", b.token())
	return b.postRaw(path, form, "Origin", b.e.ts.URL, "Sec-Fetch-Site", "same-origin")
}

// login logs in from the login page and checks it worked.
func (b *browser) login(email, password string, remember bool) resp {
	b.e.t.Helper()
	b.get("/connexion")
	form := url.Values{"email": {email}, "password": {password}}
	if remember {
		form.Set("remember", "1")
	}
	p := b.post("/connexion", form)
	require.Equal(b.e.t, http.StatusSeeOther, p.status, p.body)
	return p
}

// loginDemo logs in as demo@demo.fr and closes nothing.
func (b *browser) loginDemo() *browser {
	b.e.t.Helper()
	b.login(demo.Email, demo.Password, false)
	return b
}

// cookie returns the browser's cookie name for the test server.
func (b *browser) cookie(name string) *http.Cookie {
	u, _ := url.Parse(b.e.ts.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// setCookie cookie returns the Set-Cookie of name in p, parsed.
func setCookie(t *testing.T, p resp, name string) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: p.header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no Set-Cookie %s in %v", name, p.header.Values("Set-Cookie"))
	return nil
}

var linkRE = regexp.MustCompile(regexp.QuoteMeta(publicURL) + `(/[a-z/-]+\?lien=[A-Za-z0-9_%-]+)`)

// linkTo returns the path and query of the link in the last mail to addr.
func (e *env) linkTo(addr string) string {
	e.t.Helper()
	for _, m := range e.mails.Mails() { // newest first
		if strings.EqualFold(m.To, addr) {
			l := linkRE.FindStringSubmatch(m.Text)
			require.NotNil(e.t, l, "no link in %q", m.Text)
			return l[1]
		}
	}
	e.t.Fatalf("no mail to %s", addr)
	return ""
}

// mailsTo counts the mails sent to addr.
func (e *env) mailsTo(addr string) int {
	n := 0
	for _, m := range e.mails.Mails() {
		if strings.EqualFold(m.To, addr) {
			n++
		}
	}
	return n
}

// contains asserts that the page has every text; entities are decoded
// first, so texts are written as a person reads them.
func contains(t *testing.T, p resp, texts ...string) {
	t.Helper()
	body := html.UnescapeString(p.body)
	for _, s := range texts {
		assert.True(t, strings.Contains(body, s), "the page (status %d) lacks %q", p.status, s)
	}
}

func notContains(t *testing.T, p resp, texts ...string) {
	t.Helper()
	body := html.UnescapeString(p.body)
	for _, s := range texts {
		assert.False(t, strings.Contains(body, s), "the page (status %d) has %q", p.status, s)
	}
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }
