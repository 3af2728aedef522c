package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	web "github.com/portail-factures/portail/adapters/http"
	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/adapters/http/webtest/full"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

// twinHost is the host name of the biller of e.twinBiller.
const twinHost = "factures.jumelle.test"

// twinBiller saves a second biller, served on twinHost, whose payer and
// invoice have the demo's reference and number (DEMO-0001, webtest.Water) but
// not its data.
func twinBiller(e *webtest.Env) uuid.UUID {
	e.T.Helper()
	ctx := context.Background()
	b, err := domain.NewBiller(uuid.New(), "Syndicat des eaux", "004201", "eaux@syndicat.fr", webtest.Start)
	require.NoError(e.T, err)
	b.Hosts = []string{twinHost}
	require.NoError(e.T, e.Store.SaveBiller(ctx, b))
	payer := domain.Payer{ID: uuid.New(), BillerID: b.ID, ExternalRef: "DEMO-0001", Name: "Claude Autre", CreatedAt: webtest.Start}
	require.NoError(e.T, e.Store.SavePayer(ctx, payer))
	today := domain.Today(webtest.Start)
	require.NoError(e.T, e.Store.SaveInvoice(ctx, domain.Invoice{
		ID: uuid.New(), BillerID: b.ID, PayerID: payer.ID, Number: webtest.Water, IssueDate: today, DueDate: today.AddDays(30),
		Amount: webtest.Dec("99.00"), Object: "Eau du syndicat", State: domain.InvoiceUnpaid, CreatedAt: webtest.Start, UpdatedAt: webtest.Start,
	}))
	return b.ID
}

func TestAPIKeysSeeOnlyTheirBiller(t *testing.T) {
	e := full.New(t)
	a := apiKey(e, demo.BillerID)
	b := apiKey(e, twinBiller(e))
	b.b.OnHost(twinHost)

	// Each key works on its biller's host only.
	apiError(t, a.onHost(twinHost).send("GET", "/api/v1/payers/DEMO-0001", nil), http.StatusUnauthorized, "unauthorized", "")
	bOnA := apiClient{e: e, key: b.key, b: e.Browser()}
	apiError(t, bOnA.send("GET", "/api/v1/payers/DEMO-0001", nil), http.StatusUnauthorized, "unauthorized", "")

	// The same reference and number name different records.
	assert.Equal(t, "Camille Martin", decode(t, a.send("GET", "/api/v1/payers/DEMO-0001", nil)).Payer.Name)
	assert.Equal(t, "Claude Autre", decode(t, b.send("GET", "/api/v1/payers/DEMO-0001", nil)).Payer.Name)
	assert.Equal(t, "243.11", decode(t, a.send("GET", "/api/v1/invoices/"+webtest.Water, nil)).Invoice.Amount)
	assert.Equal(t, "99.00", decode(t, b.send("GET", "/api/v1/invoices/"+webtest.Water, nil)).Invoice.Amount)

	// What only A has does not exist for B, read or written.
	apiError(t, b.send("GET", "/api/v1/payers/DEMO-0002", nil), http.StatusNotFound, "not_found", "")
	apiError(t, b.send("GET", "/api/v1/invoices/"+webtest.Canteen, nil), http.StatusNotFound, "not_found", "")
	apiError(t, b.send("POST", "/api/v1/invoices/"+webtest.Canteen+"/status", map[string]string{"status": "cancelled"}), http.StatusNotFound, "not_found", "")
	apiError(t, b.send("PUT", "/api/v1/invoices/"+webtest.Canteen+"/pdf", []byte("%PDF-1.4 autre")), http.StatusNotFound, "not_found", "")
	apiError(t, b.send("GET", "/api/v1/invoices/"+webtest.Canteen+"/pdf", nil), http.StatusNotFound, "not_found", "")
	p := b.send("PUT", "/api/v1/invoices/"+webtest.Canteen, map[string]string{"payer": "DEMO-0002", "issue_date": "2026-11-02", "due_date": "2026-12-02", "amount": "1"})
	apiError(t, p, http.StatusBadRequest, "invalid_request", "payer")

	// B's changes stay with B.
	p = b.send("POST", "/api/v1/invoices/"+webtest.Water+"/status", map[string]string{"status": "cancelled"})
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	p = b.send("PUT", "/api/v1/payers/DEMO-0001", map[string]string{"name": "Claude Autre-Nom"})
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	assert.Equal(t, "unpaid", decode(t, a.send("GET", "/api/v1/invoices/"+webtest.Water, nil)).Invoice.State)
	assert.Equal(t, "Camille Martin", decode(t, a.send("GET", "/api/v1/payers/DEMO-0001", nil)).Payer.Name)
	inv, err := e.Store.Invoice(context.Background(), webtest.IDOf(webtest.Canteen))
	require.NoError(t, err)
	assert.Equal(t, domain.InvoiceUnpaid, inv.State)
	assert.Empty(t, inv.PDF)
}

// A browser on another site cannot reach the API: its cross-site writes
// stop at http.CrossOriginProtection, whatever key a script holds. Machine
// clients send neither Sec-Fetch-Site nor Origin and pass.
func TestAPIRefusesBrowsersCrossSiteRequests(t *testing.T) {
	e := full.New(t)
	c := apiKey(e, demo.BillerID)
	for name, headers := range map[string][]string{
		"fetch metadata": {"Sec-Fetch-Site", "cross-site"},
		"origin":         {"Origin", "https://malveillant.example"},
	} {
		p := c.send("PUT", "/api/v1/payers/REF-X", waterPayer, headers...)
		apiError(t, p, http.StatusForbidden, "forbidden", "")
		assert.Empty(t, p.Header.Get("Access-Control-Allow-Origin"), name)
	}
	_, err := e.Store.PayerByRef(context.Background(), demo.BillerID, "REF-X")
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err), "nothing reached the use case")

	p := c.send("GET", "/api/v1/payers/DEMO-0001", nil, "Sec-Fetch-Site", "cross-site", "Origin", "https://malveillant.example")
	assert.Equal(t, http.StatusOK, p.Status, "a read is safe, and without CORS headers no page can see the answer")
	assert.Empty(t, p.Header.Get("Access-Control-Allow-Origin"))

	p = c.send("PUT", "/api/v1/payers/REF-X", waterPayer)
	assert.Equal(t, http.StatusCreated, p.Status, "a machine client passes")
	for _, h := range []string{"Set-Cookie"} {
		assert.Empty(t, p.Header.Get(h), "no session")
	}
	assert.Equal(t, "no-store", p.Header.Get("Cache-Control"))
}

func TestAPIRateLimitsEachKey(t *testing.T) {
	e := full.New(t, func(c *web.Config) {
		c.Limits.APIPerKey = ports.Rate{Events: 3, Per: time.Minute}
		c.Limits.APIKeyFailures = ports.Rate{Events: 2, Per: time.Minute}
	})
	c := apiKey(e, demo.BillerID)
	other := apiKey(e, demo.BillerID)
	for range 3 {
		require.Equal(t, http.StatusOK, c.send("GET", "/api/v1/payers/DEMO-0001", nil).Status)
	}
	p := c.send("GET", "/api/v1/payers/DEMO-0001", nil)
	apiError(t, p, http.StatusTooManyRequests, "rate_limited", "")
	wait, err := strconv.Atoi(p.Header.Get("Retry-After"))
	require.NoError(t, err)
	assert.InDelta(t, 21, wait, 1)
	assert.Equal(t, http.StatusOK, other.send("GET", "/api/v1/payers/DEMO-0001", nil).Status, "each key counts alone")

	e.Clock.Advance(time.Minute)
	assert.Equal(t, http.StatusOK, c.send("GET", "/api/v1/payers/DEMO-0001", nil).Status)

	// Wrong keys count against the client's address.
	wrong := apiClient{e: e, key: domain.APIKeyPrefix + "faux", b: e.Browser()}
	for range 2 {
		apiError(t, wrong.send("GET", "/api/v1/payers/DEMO-0001", nil), http.StatusUnauthorized, "unauthorized", "")
	}
	apiError(t, wrong.send("GET", "/api/v1/payers/DEMO-0001", nil), http.StatusTooManyRequests, "rate_limited", "")
}

func TestAPIKeyLastUseIsRecorded(t *testing.T) {
	e := full.New(t)
	c := apiKey(e, demo.BillerID)
	e.Clock.Advance(time.Hour)
	require.Equal(t, http.StatusOK, c.send("GET", "/api/v1/payers/DEMO-0001", nil).Status)
	keys, err := e.Portal.Operator().APIKeys(context.Background(), demo.BillerID)
	require.NoError(t, err)
	assert.True(t, e.Clock.Now().Equal(keys[0].LastUsedAt))
}

// TestAValidKeyIsNotRefusedForFailedLogins: the API has its own limits.
// People failing to log in from the billing software's address do not
// stop its valid key, and a client sending wrong keys does not stop the
// people's logins; wrong keys count per address, on their own limit.
func TestAValidKeyIsNotRefusedForFailedLogins(t *testing.T) {
	e := full.New(t, func(c *web.Config) {
		c.Limits.AuthPerIP = ports.Rate{Events: 2, Per: time.Minute}
		c.Limits.APIKeyFailures = ports.Rate{Events: 3, Per: time.Minute}
	})
	c := apiKey(e, demo.BillerID)
	b := e.Browser()
	b.Get("/connexion")
	for range 2 {
		assert.Equal(t, http.StatusUnauthorized, b.Post("/connexion", url.Values{"email": {demo.Email}, "password": {"faux"}}).Status)
	}
	assert.Equal(t, http.StatusTooManyRequests, b.Post("/connexion", url.Values{"email": {demo.Email}, "password": {"faux"}}).Status)
	assert.Equal(t, http.StatusOK, c.send("GET", "/api/v1/payers/DEMO-0001", nil).Status, "the logins' limit is not the API's")

	e.Clock.Advance(time.Minute)
	wrong := apiClient{e: e, key: domain.APIKeyPrefix + "faux", b: e.Browser()}
	for range 3 {
		apiError(t, wrong.send("GET", "/api/v1/payers/DEMO-0001", nil), http.StatusUnauthorized, "unauthorized", "")
	}
	p := wrong.send("GET", "/api/v1/payers/DEMO-0001", nil)
	d := apiError(t, p, http.StatusTooManyRequests, "rate_limited", "")
	assert.Contains(t, d.Message, "Trop de demandes")
	assert.NotEmpty(t, p.Header.Get("Retry-After"))
	b.Login(demo.Email, demo.Password, false)
}
