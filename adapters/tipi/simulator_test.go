package tipi_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/tipi"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// testClock is a clock the test moves by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// harness is one server holding the simulator and a stand-in for the
// portal's notification endpoint, with a gateway pointed at both.
type harness struct {
	srv     *httptest.Server
	sim     *tipi.Simulator
	gw      *tipi.Gateway
	clock   *testClock
	browser *http.Client

	mu       sync.Mutex
	notified []url.Values
	types    []string
}

// The harness's clock starts on 4 May 2021 at 13:25:40 in Paris.
var start = time.Date(2021, 5, 4, 13, 25, 40, 0, domain.Paris)

func newHarness(t *testing.T, mode tipi.Mode, change ...func(*tipi.SimulatorConfig)) *harness {
	t.Helper()
	h := &harness{clock: &testClock{now: start}}
	cfg := tipi.SimulatorConfig{Clock: h.clock}
	for _, c := range change {
		c(&cfg)
	}
	h.sim = tipi.NewSimulator(cfg)
	mux := http.NewServeMux()
	mux.Handle(tipi.DefaultSimulatorPath+"/", h.sim)
	mux.HandleFunc("POST "+ports.PathPaymentNotify, func(w http.ResponseWriter, r *http.Request) {
		require.NoError(t, r.ParseForm())
		h.mu.Lock()
		h.notified = append(h.notified, r.PostForm)
		h.types = append(h.types, r.Header.Get("Content-Type"))
		h.mu.Unlock()
		_, _ = io.WriteString(w, "OK")
	})
	h.srv = httptest.NewServer(mux)
	t.Cleanup(h.srv.Close)
	gw, err := tipi.New(h.sim.GatewayConfig(h.srv.URL, mode))
	require.NoError(t, err)
	h.gw = gw
	h.browser = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return h
}

func (h *harness) notifications() []url.Values {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]url.Values(nil), h.notified...)
}

func request() ports.PaymentRequest {
	return ports.PaymentRequest{
		Numcli: "006270", Saisie: domain.SaisieTest, Refdet: "ABCDEF123456", Year: 2021,
		Amount: decimal.RequireFromString("243.11"), Email: "payeur@exemple.fr", Object: "Facture n°42 – eau",
	}
}

// get fetches a page as the payer's browser and returns its status and
// text.
func (h *harness) get(t *testing.T, target string) (int, string) {
	t.Helper()
	resp, err := h.browser.Get(target)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

// press submits the payment page's form with one of its buttons.
func (h *harness) press(t *testing.T, page string, form url.Values, action string) *http.Response {
	t.Helper()
	form.Set("action", action)
	resp, err := h.browser.PostForm(page, form)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	require.NoError(t, resp.Body.Close())
	return resp
}

// pay starts an attempt, shows its page and presses a button; it returns
// the checkout and the browser's answer.
func (h *harness) pay(t *testing.T, action string) (ports.Checkout, *http.Response) {
	t.Helper()
	co, err := h.gw.Start(context.Background(), request())
	require.NoError(t, err)
	status, _ := h.get(t, co.RedirectURL)
	require.Equal(t, http.StatusOK, status)
	page := strings.SplitN(co.RedirectURL, "?", 2)[0]
	return co, h.press(t, page, url.Values{"idop": {co.OperationID}}, action)
}

func (h *harness) status(t *testing.T, id string) domain.Report {
	t.Helper()
	r, err := h.gw.Status(context.Background(), domain.Payment{OperationID: id})
	require.NoError(t, err)
	return r
}

func TestSimulatorPayByCard(t *testing.T) {
	h := newHarness(t, tipi.ModePayFiP)
	co, err := h.gw.Start(context.Background(), request())
	require.NoError(t, err)
	assert.Len(t, co.OperationID, 36, "a UUID-like idOp")
	assert.Equal(t, h.srv.URL+"/_dev/payfip/tpa/paiementws.web?idop="+co.OperationID, co.RedirectURL)

	status, page := h.get(t, co.RedirectURL)
	require.Equal(t, http.StatusOK, status)
	for _, want := range []string{
		`<html lang="fr">`, "<h1>Bienvenue sur la solution de paiement de la DGFIP</h1>", "Simulateur de démonstration",
		"Informations sur la dette", "Référence de la dette", "ABCDEF123456", "Montant", "243,11\u00a0€",
		"Adresse électronique", "payeur@exemple.fr", "Facture no42 eau",
		`<form method="post" action="/_dev/payfip/tpa/paiementws.web">`,
		`<input type="hidden" name="idop" value="` + co.OperationID + `">`,
		">Payer par carte bancaire</button>", ">Refuser</button>", ">Annuler</button>", "<legend>",
		`<link rel="stylesheet" href="/_dev/payfip/static/simulator.css">`,
	} {
		assert.Contains(t, page, want)
	}
	for _, banned := range []string{"<script", "style=", "<style"} {
		assert.NotContains(t, page, banned, "no inline script or style")
	}

	resp := h.press(t, h.srv.URL+"/_dev/payfip/tpa/paiementws.web", url.Values{"idop": {co.OperationID}}, "pay")
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, h.srv.URL+ports.PathPaymentReturn+"?idop="+co.OperationID, resp.Header.Get("Location"))

	// The notification came before the browser's redirect, and carries
	// the idop only.
	assert.Equal(t, []url.Values{{"idop": {co.OperationID}}}, h.notifications())
	assert.Equal(t, []string{"application/x-www-form-urlencoded"}, h.types)

	r := h.status(t, co.OperationID)
	assert.Equal(t, domain.OutcomePaid, r.Outcome)
	assert.Equal(t, domain.MethodCard, r.Method)
	assert.True(t, decimal.RequireFromString("243.11").Equal(r.Amount), "amount %s", r.Amount)
	assert.Equal(t, "ABCDEF123456", r.Refdet)
	assert.Equal(t, "006270", r.Numcli)
	assert.Equal(t, "SIM000001", r.Authorization)
	assert.True(t, time.Date(2021, 5, 4, 13, 25, 0, 0, domain.Paris).Equal(r.TransactionAt), "at %s", r.TransactionAt)
	assert.True(t, r.Confirmed)
	assert.Equal(t, "P", r.Code)

	op, ok := h.sim.Operation(co.OperationID)
	require.True(t, ok)
	assert.Equal(t, "Facture no42 eau", op.Objet)
	assert.Equal(t, h.srv.URL+ports.PathPaymentNotify, op.URLNotif)
	assert.Equal(t, "04052021", op.Dattrans)
	assert.Equal(t, "1325", op.Heurtrans)
}

func TestSimulatorRefuseAndCancel(t *testing.T) {
	for action, want := range map[string]domain.Outcome{"refuse": domain.OutcomeRefused, "cancel": domain.OutcomeAbandoned} {
		t.Run(action, func(t *testing.T) {
			h := newHarness(t, tipi.ModePayFiP)
			co, resp := h.pay(t, action)
			assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
			r := h.status(t, co.OperationID)
			assert.Equal(t, want, r.Outcome)
			assert.Empty(t, r.Authorization, "no numauto unless paid")
			assert.Len(t, h.notifications(), 1)
		})
	}
}

func TestSimulatorPendingAndUnknown(t *testing.T) {
	h := newHarness(t, tipi.ModePayFiP)
	co, err := h.gw.Start(context.Background(), request())
	require.NoError(t, err)
	assert.Equal(t, domain.Report{Outcome: domain.OutcomePending, Code: "P5"}, h.status(t, co.OperationID), "no result yet")

	assert.Equal(t, domain.Report{Outcome: domain.OutcomeUnknown, Code: "P1"}, h.status(t, "00000000-0000-0000-0000-000000000000"))
}

func TestSimulatorPendingForHook(t *testing.T) {
	h := newHarness(t, tipi.ModePayFiP)
	co, _ := h.pay(t, "pay")
	h.sim.PendingFor(co.OperationID, 2)
	assert.Equal(t, domain.OutcomePending, h.status(t, co.OperationID).Outcome)
	assert.Equal(t, domain.OutcomePending, h.status(t, co.OperationID).Outcome)
	assert.Equal(t, domain.OutcomePaid, h.status(t, co.OperationID).Outcome)
}

func TestSimulatorNotifyHooks(t *testing.T) {
	h := newHarness(t, tipi.ModePayFiP)
	h.sim.SetNotify(tipi.NotifyNever)
	co, resp := h.pay(t, "pay")
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Empty(t, h.notifications(), "the portal must find the result by polling")
	assert.Equal(t, domain.OutcomePaid, h.status(t, co.OperationID).Outcome)

	h.sim.SetNotify(tipi.NotifyTwice)
	co, _ = h.pay(t, "refuse")
	assert.Equal(t, []url.Values{{"idop": {co.OperationID}}, {"idop": {co.OperationID}}}, h.notifications())
}

func TestSimulatorNotificationFailureIsNotFatal(t *testing.T) {
	clock := &testClock{now: start}
	sim := tipi.NewSimulator(tipi.SimulatorConfig{Clock: clock})
	mux := http.NewServeMux()
	mux.Handle("/_dev/payfip/", sim)
	mux.HandleFunc("POST "+ports.PathPaymentNotify, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	gw, err := tipi.New(sim.GatewayConfig(srv.URL, tipi.ModePayFiP))
	require.NoError(t, err)
	co, err := gw.Start(context.Background(), request())
	require.NoError(t, err)
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.PostForm(srv.URL+"/_dev/payfip/tpa/paiementws.web", url.Values{"idop": {co.OperationID}, "action": {"pay"}})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
}

func TestSimulatorErrorPages(t *testing.T) {
	h := newHarness(t, tipi.ModePayFiP)
	page := h.srv.URL + "/_dev/payfip/tpa/paiementws.web"

	status, body := h.get(t, page+"?idop=00000000-0000-0000-0000-000000000000")
	assert.Equal(t, http.StatusNotFound, status)
	assert.Contains(t, body, "Cette opération de paiement est inconnue.")
	assert.Contains(t, body, `lang="fr"`)

	co, _ := h.pay(t, "cancel")
	status, body = h.get(t, co.RedirectURL)
	assert.Equal(t, http.StatusConflict, status, "an idOp cannot be used twice")
	assert.Contains(t, body, "déjà terminée")
	resp := h.press(t, page, url.Values{"idop": {co.OperationID}}, "pay")
	assert.Equal(t, http.StatusConflict, resp.StatusCode)
	assert.Equal(t, domain.OutcomeAbandoned, h.status(t, co.OperationID).Outcome, "the first result stands")

	co, err := h.gw.Start(context.Background(), request())
	require.NoError(t, err)
	resp = h.press(t, page, url.Values{"idop": {co.OperationID}}, "steal")
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	h.clock.Advance(15*time.Minute + time.Second)
	status, body = h.get(t, co.RedirectURL)
	assert.Equal(t, http.StatusGone, status, "an idOp is valid 15 minutes")
	assert.Contains(t, body, "a expiré")
	assert.Contains(t, body, `href="`+h.srv.URL+ports.PathPaymentReturn+"?idop="+co.OperationID+`"`)
	resp = h.press(t, page, url.Values{"idop": {co.OperationID}}, "pay")
	assert.Equal(t, http.StatusGone, resp.StatusCode)
	assert.Equal(t, domain.OutcomePending, h.status(t, co.OperationID).Outcome)
	assert.Len(t, h.notifications(), 1)

	h.clock.Advance(25 * time.Hour)
	assert.Equal(t, domain.OutcomeUnknown, h.status(t, co.OperationID).Outcome, "purged overnight")
	_, ok := h.sim.Operation(co.OperationID)
	assert.False(t, ok)
}

func TestSimulatorStaticAndHeaders(t *testing.T) {
	h := newHarness(t, tipi.ModePayFiP)
	resp, err := http.Get(h.srv.URL + "/_dev/payfip/static/simulator.css")
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Content-Type"), "text/css")
	assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "style-src 'self'")
}

func TestSimulatorRefusesABadRefdetLikeTheService(t *testing.T) {
	h := newHarness(t, tipi.ModePayFiP)
	resp, err := http.Post(h.srv.URL+"/_dev/payfip/tpa/services/securite", "text/xml; charset=utf-8", strings.NewReader(
		`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:pai="http://securite.service.tpa.cp.finances.gouv.fr/services/mas_securite/contrat_paiement_securise/PaiementSecuriseService">`+
			`<soapenv:Body><pai:creerPaiementSecurise><arg0><exer>2021</exer><mel>payeur@exemple.fr</mel><montant>24311</montant><numcli>006270</numcli>`+
			`<refdet>ABCD</refdet><saisie>T</saisie><urlnotif>https://p.fr/n</urlnotif><urlredirect>https://p.fr/r</urlredirect></arg0></pai:creerPaiementSecurise></soapenv:Body></soapenv:Envelope>`))
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	assert.Contains(t, string(body), "<code>R3</code>")
	assert.Contains(t, string(body), "FonctionnelleErreur")
}

func TestGatewayTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs first: frees the handler
	gw, err := tipi.New(tipi.Config{SOAPURL: srv.URL, PublicURL: "https://factures.exemple.fr", Timeout: 100 * time.Millisecond})
	require.NoError(t, err)

	_, err = gw.Start(context.Background(), request())
	assert.Equal(t, domain.Unavailable, domain.ErrorCode(err))
	assert.Contains(t, domain.ErrorMessage(err), "momentanément indisponible")
	_, err = gw.Status(context.Background(), domain.Payment{OperationID: "cc0cb210-1cd4-11ea-8cca-0213ad91a103"})
	assert.Equal(t, domain.Unavailable, domain.ErrorCode(err))
}

func TestGatewayConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close()
	gw, err := tipi.New(tipi.Config{SOAPURL: addr, PublicURL: "https://factures.exemple.fr"})
	require.NoError(t, err)
	_, err = gw.Start(context.Background(), request())
	assert.Equal(t, domain.Unavailable, domain.ErrorCode(err))
}

// resultForm reads the URL mode's result page: the action of its form
// and its hidden fields, in order. It fails unless the form is sent by
// the « Retourner sur le site du service » button.
func resultForm(t *testing.T, page string) (action string, fields [][2]string) {
	t.Helper()
	m := regexp.MustCompile(`<form method="post" action="([^"]+)">`).FindAllStringSubmatch(page, -1)
	require.Len(t, m, 1, page)
	for _, f := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(page, -1) {
		fields = append(fields, [2]string{f[1], html.UnescapeString(f[2])})
	}
	require.Contains(t, page, `<button type="submit">Retourner sur le site du service</button>`)
	return html.UnescapeString(m[0][1]), fields
}

// TestSimulatorURLMode: the legacy page answers the payer's choice as the
// DGFiP's does, with a page whose form the browser posts to urlcl; the
// simulator calls no one itself, by default.
func TestSimulatorURLMode(t *testing.T) {
	h := newHarness(t, tipi.ModeTIPI)
	co, err := h.gw.Start(context.Background(), request())
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(co.RedirectURL, h.srv.URL+"/_dev/payfip/tpa/paiement.web?"), co.RedirectURL)

	status, page := h.get(t, co.RedirectURL)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, "243,11\u00a0€")
	assert.Contains(t, page, `<input type="hidden" name="urlcl" value="`+h.srv.URL+ports.PathPaymentNotify+`">`)

	u, err := url.Parse(co.RedirectURL)
	require.NoError(t, err)
	form := u.Query()
	form.Set("action", "pay")
	resp, err := h.browser.PostForm(h.srv.URL+"/_dev/payfip/tpa/paiement.web", form)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode, "a page, not a redirect elsewhere")
	page = string(body)
	assert.Contains(t, page, "Paiement accepté")
	assert.NotContains(t, page, "<script", "the form works without JavaScript")
	assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "default-src 'none'", "no script may run")
	assert.Empty(t, h.notifications(), "no server-to-server call by default")

	action, fields := resultForm(t, page)
	assert.Equal(t, h.srv.URL+ports.PathPaymentNotify, action, "posted to urlcl")
	assert.Equal(t, [][2]string{
		{"numcli", "006270"}, {"exer", "2021"}, {"refdet", "ABCDEF123456"}, {"objet", "Facture no42 eau"},
		{"montant", "24311"}, {"mel", "payeur@exemple.fr"}, {"saisie", "T"},
		{"resultrans", "P"}, {"numauto", "SIM000001"}, {"dattrans", "04052021"}, {"heurtrans", "1325"},
	}, fields)

	posted := url.Values{}
	for _, f := range fields {
		posted.Add(f[0], f[1])
	}
	n, err := h.gw.ReadNotification(context.Background(), posted)
	require.NoError(t, err)
	require.NotNil(t, n.Report)
	assert.Equal(t, domain.OutcomePaid, n.Report.Outcome)
	assert.True(t, decimal.RequireFromString("243.11").Equal(n.Report.Amount))
	assert.False(t, n.Report.Confirmed)

	back, err := h.gw.ReadNotification(context.Background(), url.Values{"refdet": {"ABCDEF123456"}})
	require.NoError(t, err)
	assert.Equal(t, ports.Notification{Refdet: "ABCDEF123456"}, back)

	status, body2 := h.get(t, h.srv.URL+"/_dev/payfip/tpa/paiement.web?numcli=12")
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body2, "numcli")
}

// TestSimulatorURLModeRefusalAndAbandon: a refusal or an abandon comes
// back the same way, without numauto.
func TestSimulatorURLModeRefusalAndAbandon(t *testing.T) {
	for action, want := range map[string]string{"refuse": "R", "cancel": "A"} {
		t.Run(action, func(t *testing.T) {
			h := newHarness(t, tipi.ModeTIPI)
			co, err := h.gw.Start(context.Background(), request())
			require.NoError(t, err)
			u, err := url.Parse(co.RedirectURL)
			require.NoError(t, err)
			form := u.Query()
			form.Set("action", action)
			resp, err := h.browser.PostForm(h.srv.URL+u.Path, form)
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			require.NoError(t, resp.Body.Close())
			require.Equal(t, http.StatusOK, resp.StatusCode)
			action, fields := resultForm(t, string(body))
			assert.Equal(t, h.srv.URL+ports.PathPaymentNotify, action)
			got := map[string]string{}
			for _, f := range fields {
				got[f[0]] = f[1]
			}
			assert.Equal(t, want, got["resultrans"])
			assert.NotContains(t, got, "numauto")
			assert.Equal(t, "ABCDEF123456", got["refdet"])
		})
	}
}

// TestSimulatorURLModeServerCall: with URLModeServerCall the simulator
// also posts the result to urlcl itself, and still gives the browser its
// form.
func TestSimulatorURLModeServerCall(t *testing.T) {
	h := newHarness(t, tipi.ModeTIPI, func(c *tipi.SimulatorConfig) { c.URLModeServerCall = true })
	co, err := h.gw.Start(context.Background(), request())
	require.NoError(t, err)
	u, err := url.Parse(co.RedirectURL)
	require.NoError(t, err)
	form := u.Query()
	form.Set("action", "pay")
	resp, err := h.browser.PostForm(h.srv.URL+u.Path, form)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)
	_, fields := resultForm(t, string(body))

	got := h.notifications()
	require.Len(t, got, 1)
	want := url.Values{}
	for _, f := range fields {
		want.Set(f[0], f[1])
	}
	assert.Equal(t, want, got[0], "the same result both ways")
	assert.Equal(t, "application/x-www-form-urlencoded", h.types[0])
}

func TestSimulatorPageSaysWhatThePaymentWillBe(t *testing.T) {
	h := newHarness(t, tipi.ModePayFiP)
	test, err := h.gw.Start(context.Background(), request())
	require.NoError(t, err)
	_, page := h.get(t, test.RedirectURL)
	assert.Contains(t, page, "Paiement de test (saisie T).")
	assert.Contains(t, page, "la facture reste à payer")

	prod := request()
	prod.Saisie, prod.Refdet = domain.SaisieProduction, "ABCDEF123457"
	co, err := h.gw.Start(context.Background(), prod)
	require.NoError(t, err)
	_, page = h.get(t, co.RedirectURL)
	assert.Contains(t, page, "Simulation.")
	assert.Contains(t, page, "Aucune somme n'est prélevée")
	assert.Contains(t, page, "la facture sera réglée")
	assert.NotContains(t, page, "Paiement de test")
}
