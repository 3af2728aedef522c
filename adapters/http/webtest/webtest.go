// Package webtest is the test environment of the portal's web packages:
// the core over the memory store seeded with the manual's demo, a fake
// gateway, a fixed clock and the demo mailbox, served by a real HTTP
// server (Serve); browser-like clients with their cookies and form
// tokens; logins for citizens and staff; and the assertions the tests
// share. webtest does not import adapters/http, so that package's own
// tests use it too; adapters/http/webtest/full serves the whole portal for
// the audience packages' tests (package NAME_test).
//
// It is the one web package allowed to import adapters/memory (see
// cmd/portal/architecture_test.go and ARCHITECTURE.md): it is for tests
// only.
package webtest

import (
	"bytes"
	"context"
	"html"
	"io"
	"mime/multipart"
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
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/http/dev"
	"github.com/portail-factures/portail/adapters/http/pdf"
	"github.com/portail-factures/portail/adapters/memory"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
	"github.com/portail-factures/portail/ports/portstest"
)

// FastArgon2 keeps the tests quick; production uses ports.DefaultArgon2.
var FastArgon2 = ports.Argon2Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// PublicURL is the portal's address in mails; requests go to the test
// server, whose host differs.
const PublicURL = "http://portail.test"

// Start is the tests' fixed instant: a Thursday morning in Paris.
var Start = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

// The demo's invoices.
const (
	Water    = "2026-020-002059" // 243,11 €, unpaid
	Canteen  = "2026-030-000412" // 58,40 €, unpaid
	Nursery  = "2026-040-000087" // 176,25 €, unpaid
	PaidOne  = "2026-030-000388" // paid
	Treasury = "2025-020-003371" // in treasury
	Theirs   = "2026-020-002060" // the newcomer's
)

// Env is the portal's core over the memory store seeded with the
// manual's demo, a fake gateway, a fixed clock and the demo mailbox, and
// the real HTTP server that serves it.
type Env struct {
	T       *testing.T
	Store   *memory.Store
	Portal  *ports.Portal
	Mails   *memory.Mailbox
	Gateway *portstest.FakeGateway
	Clock   *portstest.FixedClock
	TS      *httptest.Server
	// PayFiP are the paths the stub simulator saw.
	PayFiP []string
}

// Serve stands the portal's core up and serves what build makes of it
// (the web server of adapters/http, through adapters/http/webtest/full
// or the package's own tests); core may adjust the core's configuration
// (PayFiP's protocol…).
func Serve(t *testing.T, build func(*Env) (http.Handler, error), core ...func(*ports.Config)) *Env {
	t.Helper()
	e := &Env{T: t, Store: memory.New(), Gateway: &portstest.FakeGateway{}, Clock: portstest.NewFixedClock(Start)}
	e.Mails = memory.NewMailbox(e.Clock, 0)
	// Hashes wait long for a slot: a loaded machine (the race detector
	// slows argon2id tenfold) must not turn a test's logins into
	// « réessayez dans un instant »; tests of that answer set their own.
	cfg := ports.Config{PublicURL: PublicURL, Argon2: FastArgon2, MailInline: true, HashWait: time.Minute}
	for _, c := range core {
		c(&cfg)
	}
	p, err := ports.NewPortal(ports.Deps{
		Store: e.Store, Sessions: e.Store, Mailer: e.Mails, Gateway: e.Gateway,
		Clock: e.Clock, Random: portstest.NewSeqRandom(1), PDF: pdf.Writer{},
	}, cfg)
	require.NoError(t, err)
	e.Portal = p
	_, err = demo.Seed(context.Background(), e.Store, ports.PasswordHasher{Params: FastArgon2, Random: portstest.NewSeqRandom(2)}, Start)
	require.NoError(t, err)
	h, err := build(e)
	require.NoError(t, err)
	e.TS = httptest.NewServer(h)
	t.Cleanup(e.TS.Close)
	return e
}

// Dev is the demo's extras over e: the demo mailbox's mails, and a stub
// PayFiP simulator that records the paths it sees in e.PayFiP.
func (e *Env) Dev() *dev.Config {
	return &dev.Config{
		Mails: func() []dev.Mail {
			var out []dev.Mail
			for _, m := range e.Mails.Mails() {
				out = append(out, dev.Mail{Mail: m.Mail, ID: m.Seq, At: m.At})
			}
			return out
		},
		PayFiP: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			e.PayFiP = append(e.PayFiP, r.URL.Path)
			_, _ = io.WriteString(w, "simulateur")
		}),
	}
}

// SetBiller changes the demo biller in the store.
func (e *Env) SetBiller(change func(*domain.Biller)) {
	e.T.Helper()
	b, err := e.Store.Biller(context.Background(), demo.BillerID)
	require.NoError(e.T, err)
	change(&b)
	require.NoError(e.T, e.Store.SaveBiller(context.Background(), b))
}

// IDOf is the demo invoice numbered number.
func IDOf(number string) uuid.UUID { return uuid.NewSHA1(demo.BillerID, []byte(number)) }

// InvoiceState is the stored state of the demo invoice numbered number.
func (e *Env) InvoiceState(number string) domain.InvoiceState {
	e.T.Helper()
	inv, err := e.Store.Invoice(context.Background(), IDOf(number))
	require.NoError(e.T, err)
	return inv.State
}

// Dec is s as a decimal.
func Dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// Browser is a client with its own cookies that follows no redirect.
type Browser struct {
	E    *Env
	C    *http.Client
	last string // body of the last page, for its form token
	host string // the Host header of every request, when set (OnHost)
}

// Browser returns a new browser, without cookies.
func (e *Env) Browser() *Browser {
	jar, err := cookiejar.New(nil)
	require.NoError(e.T, err)
	return &Browser{E: e, C: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Resp is a response, read.
type Resp struct {
	Status int
	Header http.Header
	Body   string
}

// Location is the response's Location header.
func (p Resp) Location() string { return p.Header.Get("Location") }

// OnHost makes the browser's requests carry the Host header host, as a
// browser on that biller's address would (the test server answers on
// 127.0.0.1; the cookie jar keys cookies by the server's address, so a
// browser should stay on one host).
func (b *Browser) OnHost(host string) *Browser {
	b.host = host
	return b
}

// Do sends req and reads the answer.
func (b *Browser) Do(req *http.Request) Resp {
	b.E.T.Helper()
	if b.host != "" {
		req.Host = b.host
	}
	res, err := b.C.Do(req)
	require.NoError(b.E.T, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(b.E.T, err)
	p := Resp{Status: res.StatusCode, Header: res.Header, Body: string(body)}
	if strings.Contains(p.Body, `name="jeton"`) {
		b.last = p.Body
	}
	return p
}

// Get gets path.
func (b *Browser) Get(path string) Resp {
	b.E.T.Helper()
	req, err := http.NewRequest(http.MethodGet, b.E.TS.URL+path, nil)
	require.NoError(b.E.T, err)
	return b.Do(req)
}

// PostRaw posts form as is, with extra headers.
func (b *Browser) PostRaw(path string, form url.Values, headers ...string) Resp {
	b.E.T.Helper()
	req, err := http.NewRequest(http.MethodPost, b.E.TS.URL+path, strings.NewReader(form.Encode()))
	require.NoError(b.E.T, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.Do(req)
}

var tokenRE = regexp.MustCompile(`name="jeton" value="([^"]+)"`)

// Token is the form token of the last page that had a form.
func (b *Browser) Token() string {
	m := tokenRE.FindStringSubmatch(b.last)
	require.NotNil(b.E.T, m, "no form token on the last page")
	return m[1]
}

// Post posts form with the form token of the last page, as a browser
// would from the portal's own page.
func (b *Browser) Post(path string, form url.Values) Resp {
	b.E.T.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("jeton", b.Token())
	return b.PostRaw(path, form, "Origin", b.E.TS.URL, "Sec-Fetch-Site", "same-origin")
}

// PostMultipart posts a multipart form with the last page's form token,
// the fields, and one file (when name is not empty) in fileField, as a
// browser would from an upload page.
func (b *Browser) PostMultipart(path string, fields map[string]string, fileField, name string, content []byte) Resp {
	b.E.T.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	require.NoError(b.E.T, w.WriteField("jeton", b.Token()))
	for k, v := range fields {
		require.NoError(b.E.T, w.WriteField(k, v))
	}
	if name != "" {
		part, err := w.CreateFormFile(fileField, name)
		require.NoError(b.E.T, err)
		_, err = part.Write(content)
		require.NoError(b.E.T, err)
	}
	require.NoError(b.E.T, w.Close())
	req, err := http.NewRequest(http.MethodPost, b.E.TS.URL+path, &body)
	require.NoError(b.E.T, err)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Origin", b.E.TS.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.Do(req)
}

// Login logs in a citizen from the login page and checks it worked.
func (b *Browser) Login(email, password string, remember bool) Resp {
	b.E.T.Helper()
	b.Get("/connexion")
	form := url.Values{"email": {email}, "password": {password}}
	if remember {
		form.Set("remember", "1")
	}
	p := b.Post("/connexion", form)
	require.Equal(b.E.T, http.StatusSeeOther, p.Status, p.Body)
	return p
}

// LoginDemo logs in as demo@demo.fr.
func (b *Browser) LoginDemo() *Browser {
	b.E.T.Helper()
	b.Login(demo.Email, demo.Password, false)
	return b
}

// StaffLogin logs in to the back office and checks it worked.
func (b *Browser) StaffLogin(email, password string) *Browser {
	b.E.T.Helper()
	b.Get("/gestion/connexion")
	p := b.Post("/gestion/connexion", url.Values{"email": {email}, "password": {password}})
	require.Equal(b.E.T, http.StatusSeeOther, p.Status, p.Body)
	return b
}

// Selection is the form of a selection of the demo's invoices numbered
// numbers (the field "facture" of the payment pages).
func Selection(numbers ...string) url.Values {
	v := url.Values{}
	for _, n := range numbers {
		v.Add("facture", IDOf(n).String())
	}
	return v
}

// StartPaying logs in as demo, starts a payment of the water invoice
// (operation "op-1" at the fake gateway) and returns the browser.
func (e *Env) StartPaying() *Browser {
	e.T.Helper()
	b := e.Browser().LoginDemo()
	b.Get("/paiement/recapitulatif?" + Selection(Water).Encode())
	require.Equal(e.T, http.StatusSeeOther, b.Post("/paiement", Selection(Water)).Status)
	return b
}

// Manager is a browser logged in to the demo's back office as its
// "gestionnaire".
func (e *Env) Manager() *Browser {
	return e.Browser().StaffLogin(demo.StaffEmail, demo.StaffPassword)
}

// Reader is a browser logged in as the demo's "lecture" staff member.
func (e *Env) Reader() *Browser {
	return e.Browser().StaffLogin(demo.ReaderEmail, demo.ReaderPassword)
}

// Cookie returns the browser's cookie name for the test server.
func (b *Browser) Cookie(name string) *http.Cookie {
	u, _ := url.Parse(b.E.TS.URL)
	for _, c := range b.C.Jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// SetCookie returns the Set-Cookie of name in p, parsed.
func SetCookie(t *testing.T, p Resp, name string) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: p.Header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no Set-Cookie %s in %v", name, p.Header.Values("Set-Cookie"))
	return nil
}

var linkRE = regexp.MustCompile(regexp.QuoteMeta(PublicURL) + `(/[a-z/-]+\?lien=[A-Za-z0-9_%-]+)`)

// LinkTo returns the path and query of the link in the last mail to addr.
func (e *Env) LinkTo(addr string) string {
	e.T.Helper()
	for _, m := range e.Mails.Mails() { // newest first
		if strings.EqualFold(m.To, addr) {
			l := linkRE.FindStringSubmatch(m.Text)
			require.NotNil(e.T, l, "no link in %q", m.Text)
			return l[1]
		}
	}
	e.T.Fatalf("no mail to %s", addr)
	return ""
}

// MailsTo counts the mails sent to addr.
func (e *Env) MailsTo(addr string) int {
	n := 0
	for _, m := range e.Mails.Mails() {
		if strings.EqualFold(m.To, addr) {
			n++
		}
	}
	return n
}

// PaidUnconfirmed stores a card payment of the demo's water invoice
// known only from the legacy URL mode's unauthenticated return, which
// settled the invoice: the payment a billing service must confirm.
func (e *Env) PaidUnconfirmed() domain.Payment {
	e.T.Helper()
	ctx := context.Background()
	b, err := e.Store.Biller(ctx, demo.BillerID)
	require.NoError(e.T, err)
	acc, err := e.Store.AccountByEmail(ctx, demo.BillerID, demo.Email)
	require.NoError(e.T, err)
	inv, err := e.Store.Invoice(ctx, IDOf(Water))
	require.NoError(e.T, err)
	pay := portstest.NewPayment(e.T, b, acc, inv)
	pay.CreatedAt, pay.OperationID = Start.Add(-time.Hour), "op-demo"
	pay.State, pay.Method, pay.TransactionAt, pay.FinishedAt, pay.LastCode = domain.PaymentPaid, domain.MethodCard, Start.Add(-50*time.Minute), Start.Add(-50*time.Minute), "P"
	require.NoError(e.T, e.Store.SavePayment(ctx, pay))
	_, err = inv.Settle(pay.ID, pay.TransactionAt, Start)
	require.NoError(e.T, err)
	require.NoError(e.T, e.Store.SaveInvoice(ctx, inv))
	for i, d := range []string{"Paiement créé : " + Water + ".", "Retour du site de paiement (mode URL, non authentifié) : paiement accepté."} {
		require.NoError(e.T, e.Store.SavePaymentEvent(ctx, domain.PaymentEvent{ID: uuid.New(), PaymentID: pay.ID, BillerID: pay.BillerID,
			At: pay.CreatedAt.Add(time.Duration(i) * time.Minute), State: pay.State, Code: "P", Detail: d}))
	}
	return pay
}

// Parallel sends n requests at once, made by req(i), and counts the
// answers by status; bodies maps each status to one of its bodies.
func Parallel(t *testing.T, c *http.Client, n int, req func(i int) *http.Request) (counts map[int]int, bodies map[int]string, headers map[int]http.Header) {
	t.Helper()
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		errs []error
		gate = make(chan struct{})
	)
	counts, bodies, headers = map[int]int{}, map[int]string{}, map[int]http.Header{}
	for i := range n {
		r := req(i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			res, err := c.Do(r)
			if err == nil {
				var body []byte
				body, err = io.ReadAll(res.Body)
				res.Body.Close()
				mu.Lock()
				counts[res.StatusCode]++
				bodies[res.StatusCode], headers[res.StatusCode] = string(body), res.Header
				mu.Unlock()
			}
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	close(gate)
	wg.Wait()
	require.Empty(t, errs)
	return counts, bodies, headers
}

// formTokenValue matches a form token's hidden field with its value.
var formTokenValue = regexp.MustCompile(`name="jeton" value="[^"]*"`)

// Contains asserts that the page has every text; entities are decoded
// first, so texts are written as a person reads them.
func Contains(t *testing.T, p Resp, texts ...string) {
	t.Helper()
	body := html.UnescapeString(p.Body)
	for _, s := range texts {
		assert.True(t, strings.Contains(body, s), "the page (status %d) lacks %q", p.Status, s)
	}
}

// NotContains asserts that the page has none of the texts. The form
// tokens' values are left out: masked afresh in every response, they are
// random letters that may hold any short text ("PDF" once in a while).
func NotContains(t *testing.T, p Resp, texts ...string) {
	t.Helper()
	body := html.UnescapeString(formTokenValue.ReplaceAllString(p.Body, `name="jeton" value=""`))
	for _, s := range texts {
		assert.False(t, strings.Contains(body, s), "the page (status %d) has %q", p.Status, s)
	}
}
