package main

// End-to-end payment tests: the portal's use cases, the real PayFiP
// gateway and the DGFiP simulator, talking over real HTTP on loopback.
// A small test mux stands in for the web portal's two callback endpoints.

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/memory"
	"github.com/portail-factures/portail/adapters/tipi"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
	"github.com/portail-factures/portail/ports/portstest"
)

var fastArgon2 = ports.Argon2Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

type payEnv struct {
	ctx     context.Context
	srv     *httptest.Server
	portal  *ports.Portal
	store   *memory.Store
	sim     *tipi.Simulator
	clock   *portstest.FixedClock
	mails   *portstest.Mailbox
	citizen ports.Citizen
	browser *http.Client
	// notified counts the calls of the notification endpoint.
	notified chan string
}

func newPayEnv(t *testing.T, mode tipi.Mode) *payEnv {
	t.Helper()
	e := &payEnv{
		ctx: context.Background(), store: memory.New(), mails: &portstest.Mailbox{},
		clock:    portstest.NewFixedClock(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)),
		notified: make(chan string, 16),
	}
	mux := http.NewServeMux()
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	e.sim = tipi.NewSimulator(tipi.SimulatorConfig{Clock: e.clock})
	mux.Handle(tipi.DefaultSimulatorPath+"/", e.sim)
	gw, err := tipi.New(tipi.Config{
		Mode: mode, PublicURL: e.srv.URL,
		SOAPURL: e.srv.URL + "/_dev/payfip/tpa/services/securite",
		PageURL: e.srv.URL + "/_dev/payfip/tpa/paiementws.web",
		TipiURL: e.srv.URL + "/_dev/payfip/tpa/paiement.web",
	})
	require.NoError(t, err)
	e.portal, err = ports.NewPortal(ports.Deps{
		Store: e.store, Sessions: e.store, Mailer: e.mails, Gateway: gw,
		Clock: e.clock, Random: portstest.NewSeqRandom(7),
	}, ports.Config{PublicURL: e.srv.URL, Argon2: fastArgon2, MailInline: true})
	require.NoError(t, err)
	callback := func(w http.ResponseWriter, r *http.Request) {
		require.NoError(t, r.ParseForm())
		params := url.Values{}
		for k, v := range r.Form {
			params[k] = v
		}
		e.notified <- r.URL.Path
		if _, err := e.portal.Jobs().HandleNotification(r.Context(), params); err != nil {
			http.Error(w, string(domain.ErrorCode(err)), statusOf(err))
			return
		}
		_, _ = io.WriteString(w, "OK")
	}
	mux.HandleFunc(ports.PathPaymentNotify, callback)
	mux.HandleFunc(ports.PathPaymentReturn, callback)

	_, err = demo.Seed(e.ctx, e.store, ports.PasswordHasher{Params: fastArgon2, Random: portstest.NewSeqRandom(8)}, e.clock.Now())
	require.NoError(t, err)
	secret, _, err := e.portal.CitizenAccounts().Login(e.ctx, demo.BillerID, demo.Email, demo.Password, false, "")
	require.NoError(t, err)
	_, e.citizen, err = e.portal.CitizenAccounts().Authenticate(e.ctx, secret)
	require.NoError(t, err)
	e.browser = &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return e
}

func statusOf(err error) int {
	switch domain.ErrorCode(err) {
	case domain.NotFound:
		return http.StatusNotFound
	case domain.Invalid:
		return http.StatusBadRequest
	case domain.Conflict:
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

func (e *payEnv) payable(t *testing.T, n int) []uuid.UUID {
	t.Helper()
	sel, err := e.portal.Citizens().PayableInvoices(e.ctx, e.citizen)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(sel.Invoices), n)
	ids := make([]uuid.UUID, n)
	for i := range ids {
		ids[i] = sel.Invoices[i].ID
	}
	return ids
}

// choose opens the simulator's page like a browser and presses a button
// (pay, refuse or cancel); it returns where the browser is sent back.
func (e *payEnv) choose(t *testing.T, redirect, action string) string {
	t.Helper()
	resp, err := e.browser.Get(redirect)
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode, string(page))
	require.Contains(t, string(page), "Bienvenue sur la solution de paiement de la DGFIP")
	u, err := url.Parse(redirect)
	require.NoError(t, err)
	resp, err = e.browser.PostForm(e.srv.URL+u.Path, url.Values{"idop": {u.Query().Get("idop")}, "action": {action}})
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	return resp.Header.Get("Location")
}

func (e *payEnv) back(t *testing.T, location string) {
	t.Helper()
	require.True(t, strings.HasPrefix(location, e.srv.URL+ports.PathPaymentReturn), location)
	resp, err := e.browser.Get(location)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

func (e *payEnv) invoice(t *testing.T, id uuid.UUID) domain.Invoice {
	t.Helper()
	inv, err := e.store.Invoice(e.ctx, id)
	require.NoError(t, err)
	return inv
}

func (e *payEnv) drain() (n int) {
	for {
		select {
		case <-e.notified:
			n++
		default:
			return n
		}
	}
}

func TestPayTwoInvoicesThroughTheSimulator(t *testing.T) {
	e := newPayEnv(t, tipi.ModePayFiP)
	ids := e.payable(t, 2)
	pay, co, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, ids)
	require.NoError(t, err)
	assert.Contains(t, co.RedirectURL, "/_dev/payfip/tpa/paiementws.web?idop=")
	op, ok := e.sim.Operation(pay.OperationID)
	require.True(t, ok)
	assert.Equal(t, pay.Total.Mul(decimalHundred()).String(), op.Montant, "the amount travels in cents")
	assert.Equal(t, "004200", op.Numcli)

	e.back(t, e.choose(t, co.RedirectURL, "pay"))
	assert.Equal(t, 2, e.drain(), "one notification, then the browser's return")
	for _, id := range ids {
		inv := e.invoice(t, id)
		assert.Equal(t, domain.InvoicePaid, inv.State)
		assert.Equal(t, pay.ID, inv.PaymentID)
	}
	got, err := e.portal.Citizens().Payment(e.ctx, e.citizen, pay.ID)
	require.NoError(t, err)
	assert.Equal(t, domain.PaymentPaid, got.State)
	assert.True(t, got.Confirmed)
	assert.NotEmpty(t, got.Authorization)
	assert.Len(t, e.mails.To(demo.Email), 1, "one confirmation mail")
}

func TestRefusedAndAbandonedAtTheSimulator(t *testing.T) {
	t.Run("Refuser", func(t *testing.T) {
		e := newPayEnv(t, tipi.ModePayFiP)
		ids := e.payable(t, 1)
		pay, co, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, ids)
		require.NoError(t, err)
		e.back(t, e.choose(t, co.RedirectURL, "refuse"))
		got, err := e.portal.Citizens().Payment(e.ctx, e.citizen, pay.ID)
		require.NoError(t, err)
		assert.Equal(t, domain.PaymentRefused, got.State)
		assert.False(t, e.invoice(t, ids[0]).Locked(e.clock.Now()), "free to try again")
	})
	t.Run("Annuler", func(t *testing.T) {
		e := newPayEnv(t, tipi.ModePayFiP)
		ids := e.payable(t, 1)
		pay, co, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, ids)
		require.NoError(t, err)
		e.back(t, e.choose(t, co.RedirectURL, "cancel"))
		got, err := e.portal.Citizens().Payment(e.ctx, e.citizen, pay.ID)
		require.NoError(t, err)
		assert.Equal(t, domain.PaymentInProgress, got.State, "an abandoned operation may still complete for a while")
		_, _, err = e.portal.Citizens().StartPayment(e.ctx, e.citizen, ids)
		assert.Equal(t, domain.Conflict, domain.ErrorCode(err))

		e.clock.Advance(domain.OperationWindow)
		n, err := e.portal.Jobs().Reconcile(e.ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		got, err = e.portal.Citizens().Payment(e.ctx, e.citizen, pay.ID)
		require.NoError(t, err)
		assert.Equal(t, domain.PaymentAbandoned, got.State)
		_, _, err = e.portal.Citizens().StartPayment(e.ctx, e.citizen, ids)
		assert.Equal(t, domain.Conflict, domain.ErrorCode(err), "held for the lock duration: PayFiP may still notify a payment")

		e.clock.Advance(2*time.Hour - domain.OperationWindow)
		_, _, err = e.portal.Citizens().StartPayment(e.ctx, e.citizen, ids)
		assert.NoError(t, err)
	})
}

func TestLostNotificationRecoveredByReconcile(t *testing.T) {
	e := newPayEnv(t, tipi.ModePayFiP)
	e.sim.SetNotify(tipi.NotifyNever)
	ids := e.payable(t, 1)
	pay, co, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, ids)
	require.NoError(t, err)
	loc := e.choose(t, co.RedirectURL, "pay")
	assert.Zero(t, e.drain(), "the DGFiP never called")
	assert.Equal(t, domain.InvoiceUnpaid, e.invoice(t, ids[0]).State)
	_ = loc // the payer closed the window instead of coming back

	e.clock.Advance(5 * time.Minute)
	n, err := e.portal.Jobs().Reconcile(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, domain.InvoicePaid, e.invoice(t, ids[0]).State)
	got, err := e.portal.Citizens().Payment(e.ctx, e.citizen, pay.ID)
	require.NoError(t, err)
	assert.Equal(t, domain.PaymentPaid, got.State)
}

func TestNotificationSentTwiceSettlesOnce(t *testing.T) {
	e := newPayEnv(t, tipi.ModePayFiP)
	e.sim.SetNotify(tipi.NotifyTwice)
	ids := e.payable(t, 1)
	_, co, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, ids)
	require.NoError(t, err)
	e.back(t, e.choose(t, co.RedirectURL, "pay"))
	assert.Equal(t, 3, e.drain(), "two notifications and the browser's return")
	assert.Equal(t, domain.InvoicePaid, e.invoice(t, ids[0]).State)
	assert.Len(t, e.mails.To(demo.Email), 1, "settled once: one confirmation")
}

func TestPendingAnswersKeepTheAttemptLive(t *testing.T) {
	e := newPayEnv(t, tipi.ModePayFiP)
	e.sim.SetNotify(tipi.NotifyNever)
	ids := e.payable(t, 1)
	pay, co, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, ids)
	require.NoError(t, err)
	e.choose(t, co.RedirectURL, "pay")
	e.sim.PendingFor(pay.OperationID, 1)
	n, err := e.portal.Jobs().Reconcile(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "P5: not known yet")
	n, err = e.portal.Jobs().Reconcile(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, domain.InvoicePaid, e.invoice(t, ids[0]).State)
}

func TestNotificationForAnUnknownOperation(t *testing.T) {
	e := newPayEnv(t, tipi.ModePayFiP)
	resp, err := e.browser.PostForm(e.srv.URL+ports.PathPaymentNotify, url.Values{"idop": {"4b0eb5b0-b335-11e2-9219-001fe256bdfe"}})
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestForgedURLModeCallbackWithAWrongAmount(t *testing.T) {
	e := newPayEnv(t, tipi.ModeTIPI)
	ids := e.payable(t, 1)
	pay, co, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, ids)
	require.NoError(t, err)
	assert.Contains(t, co.RedirectURL, "/_dev/payfip/tpa/paiement.web?")
	forged := url.Values{
		"NUMCLI": {"004200"}, "REFDET": {pay.Refdet}, "MONTANT": {"100"}, "RESULTRANS": {"P"},
		"NUMAUTO": {"FAKE01"}, "DATTRANS": {"26112026"}, "HEURTRANS": {"1000"}, "EXER": {"2026"},
		"MEL": {demo.Email}, "SAISIE": {"A"}, // the production letter: the demo biller is in W
	}
	resp, err := e.browser.PostForm(e.srv.URL+ports.PathPaymentNotify, forged)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusConflict, resp.StatusCode)
	assert.Equal(t, domain.InvoiceUnpaid, e.invoice(t, ids[0]).State, "1,00 € does not pay the invoice")

	// A forged "test" result for a real attempt is ignored.
	forged.Set("MONTANT", pay.Total.Mul(decimalHundred()).String())
	forged.Set("SAISIE", "T")
	resp, err = e.browser.PostForm(e.srv.URL+ports.PathPaymentNotify, forged)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	got, err := e.portal.Citizens().Payment(e.ctx, e.citizen, pay.ID)
	require.NoError(t, err)
	assert.Equal(t, domain.PaymentInProgress, got.State, "an unauthenticated T does not end a real attempt")

	// The right amount from the unauthenticated callback: recorded, but
	// unconfirmed until the billing service checks it.
	forged.Set("SAISIE", "A")
	resp, err = e.browser.PostForm(e.srv.URL+ports.PathPaymentNotify, forged)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	got, err = e.portal.Citizens().Payment(e.ctx, e.citizen, pay.ID)
	require.NoError(t, err)
	assert.Equal(t, domain.PaymentPaid, got.State)
	assert.False(t, got.Confirmed)
	assert.True(t, e.invoice(t, ids[0]).AwaitingConfirmation, "not « Réglée » until the service confirms")
}

func TestConcurrentStartsThroughTheGateway(t *testing.T) {
	e := newPayEnv(t, tipi.ModePayFiP)
	ids := e.payable(t, 1)
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = e.portal.Citizens().StartPayment(e.ctx, e.citizen, ids)
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
		} else {
			assert.Equal(t, domain.Conflict, domain.ErrorCode(err))
		}
	}
	assert.Equal(t, 1, won, "exactly one attempt starts")
}

func decimalHundred() decimal.Decimal { return decimal.NewFromInt(100) }

func TestAPaymentInTheTestEnvironmentThroughTheSimulatorSettlesNothing(t *testing.T) {
	for _, mode := range []tipi.Mode{tipi.ModePayFiP, tipi.ModeTIPI} {
		t.Run(string(mode), func(t *testing.T) {
			e := newPayEnv(t, mode)
			require.NoError(t, e.store.Atomic(e.ctx, func(tx ports.Tx) error {
				b, err := tx.BillerForUpdate(e.ctx, demo.BillerID)
				require.NoError(t, err)
				b.Saisie = domain.SaisieTest
				return tx.SaveBiller(e.ctx, b)
			}))
			ids := e.payable(t, 1)
			pay, co, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, ids)
			require.NoError(t, err)
			if mode == tipi.ModePayFiP {
				e.back(t, e.choose(t, co.RedirectURL, "pay"))
			} else {
				resp, err := e.browser.Get(co.RedirectURL)
				require.NoError(t, err)
				require.NoError(t, resp.Body.Close())
				u, err := url.Parse(co.RedirectURL)
				require.NoError(t, err)
				form := u.Query()
				form.Set("action", "pay")
				resp, err = e.browser.PostForm(e.srv.URL+u.Path, form)
				require.NoError(t, err)
				page, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				require.NoError(t, resp.Body.Close())
				require.Equal(t, http.StatusOK, resp.StatusCode)
				// The result form, posted to urlcl as the browser does.
				urlcl, result := onlyForm(t, string(page))
				resp, err = e.browser.PostForm(urlcl, result)
				require.NoError(t, err)
				require.NoError(t, resp.Body.Close())
				require.Equal(t, http.StatusOK, resp.StatusCode)
			}
			got, err := e.portal.Citizens().Payment(e.ctx, e.citizen, pay.ID)
			require.NoError(t, err)
			assert.Equal(t, domain.PaymentTest, got.State)
			assert.Equal(t, domain.SaisieTest, got.ReportedSaisie, "the simulator echoes T")
			inv := e.invoice(t, ids[0])
			assert.Equal(t, domain.InvoiceUnpaid, inv.State)
			assert.False(t, inv.Locked(e.clock.Now()), "released: still to pay")
			assert.Empty(t, e.mails.To(demo.Email), "no receipt")
		})
	}
}
