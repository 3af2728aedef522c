package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/http/api"
	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/adapters/http/webtest/full"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

// apiClient is the billing software: a bearer key, no cookies.
type apiClient struct {
	e   *webtest.Env
	key string
	b   *webtest.Browser
}

// onHost returns a client of the same key whose requests carry the Host
// header host.
func (c apiClient) onHost(host string) apiClient {
	c.b = c.e.Browser().OnHost(host)
	return c
}

// apiKey creates a key for billerID and returns its client.
func apiKey(e *webtest.Env, billerID uuid.UUID) apiClient {
	e.T.Helper()
	_, secret, err := e.Portal.Operator().CreateAPIKey(context.Background(), billerID, "Logiciel de facturation")
	require.NoError(e.T, err)
	return apiClient{e: e, key: secret, b: e.Browser()}
}

// send makes a request with body (a string sent as is, or a value
// encoded as JSON) and extra headers.
func (c apiClient) send(method, path string, body any, headers ...string) webtest.Resp {
	c.e.T.Helper()
	var text string
	contentType := "application/json"
	switch v := body.(type) {
	case nil:
	case string:
		text = v
	case []byte:
		text, contentType = string(v), "application/pdf"
	default:
		raw, err := json.Marshal(v)
		require.NoError(c.e.T, err)
		text = string(raw)
	}
	req, err := http.NewRequest(method, c.e.TS.URL+path, strings.NewReader(text))
	require.NoError(c.e.T, err)
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.b.Do(req)
}

// apiDoc is any answer of the API, decoded.
type apiDoc struct {
	Result  string          `json:"result"`
	Payer   api.Payer       `json:"payer"`
	Invoice api.Invoice     `json:"invoice"`
	PDF     api.Document    `json:"pdf"`
	Error   api.ErrorDetail `json:"error"`
}

func decode(t *testing.T, p webtest.Resp) apiDoc {
	t.Helper()
	assert.Equal(t, "application/json; charset=utf-8", p.Header.Get("Content-Type"), p.Body)
	var d apiDoc
	require.NoError(t, json.Unmarshal([]byte(p.Body), &d), p.Body)
	return d
}

// apiError asserts an error answer: its status, code and field.
func apiError(t *testing.T, p webtest.Resp, st int, code, field string) api.ErrorDetail {
	t.Helper()
	require.Equal(t, st, p.Status, p.Body)
	d := decode(t, p).Error
	assert.Equal(t, code, d.Code, p.Body)
	assert.Equal(t, field, d.Field, p.Body)
	assert.NotEmpty(t, d.Message)
	return d
}

var (
	waterPayer   = map[string]string{"name": "Jeanne Durand", "email": "jeanne@exemple.fr"}
	waterInvoice = map[string]string{"payer": "REF-100", "issue_date": "2026-11-02", "due_date": "2026-12-02", "amount": "243.11", "object": "Eau"}
)

func TestAPIRefusesRequestsWithoutAValidKey(t *testing.T) {
	e := full.New(t)
	good := apiKey(e, demo.BillerID)
	revokedKey := apiKey(e, demo.BillerID)
	keys, err := e.Portal.Operator().APIKeys(context.Background(), demo.BillerID)
	require.NoError(t, err)
	_, err = e.Portal.Operator().RevokeAPIKey(context.Background(), demo.BillerID, keys[1].ID)
	require.NoError(t, err)

	routes := [][2]string{
		{"GET", "/api/v1/payers/DEMO-0001"}, {"PUT", "/api/v1/payers/DEMO-0001"},
		{"GET", "/api/v1/invoices/" + webtest.Water}, {"PUT", "/api/v1/invoices/" + webtest.Water},
		{"GET", "/api/v1/invoices/" + webtest.Water + "/pdf"}, {"PUT", "/api/v1/invoices/" + webtest.Water + "/pdf"},
		{"POST", "/api/v1/invoices/" + webtest.Water + "/status"}, {"GET", "/api/v1/payments?since=2026-01-01"},
	}
	for _, rt := range routes {
		missing := apiClient{e: e, b: e.Browser()}
		p := missing.send(rt[0], rt[1], nil)
		apiError(t, p, http.StatusUnauthorized, "unauthorized", "")
		assert.Equal(t, `Bearer realm="api"`, p.Header.Get("WWW-Authenticate"), rt)

		for name, c := range map[string]apiClient{
			"wrong":   {e: e, key: good.key[:len(good.key)-2] + "xx", b: e.Browser()},
			"revoked": revokedKey,
		} {
			p := c.send(rt[0], rt[1], nil)
			apiError(t, p, http.StatusUnauthorized, "unauthorized", "")
			assert.Equal(t, `Bearer realm="api", error="invalid_token"`, p.Header.Get("WWW-Authenticate"), name)
		}
	}
	assert.Equal(t, http.StatusOK, good.send("GET", "/api/v1/payers/DEMO-0001", nil).Status)

	basic := good.send("GET", "/api/v1/payers/DEMO-0001", nil, "Authorization", "Basic "+good.key)
	apiError(t, basic, http.StatusUnauthorized, "unauthorized", "")

	// A citizen's session opens nothing in the API.
	b := e.Browser().LoginDemo()
	apiError(t, b.Get("/api/v1/payers/DEMO-0001"), http.StatusUnauthorized, "unauthorized", "")
}

func TestAPIPayerPutTwiceChangesNothing(t *testing.T) {
	e := full.New(t)
	c := apiKey(e, demo.BillerID)

	p := c.send("PUT", "/api/v1/payers/REF-100", waterPayer)
	require.Equal(t, http.StatusCreated, p.Status, p.Body)
	assert.Equal(t, "/api/v1/payers/REF-100", p.Location())
	d := decode(t, p)
	assert.Equal(t, "created", d.Result)
	assert.Equal(t, api.Payer{Reference: "REF-100", Name: "Jeanne Durand", Email: "jeanne@exemple.fr",
		CreatedAt: api.Instant(webtest.Start), UpdatedAt: nil}, d.Payer)
	logged := auditCount(t, e, demo.BillerID)

	p = c.send("PUT", "/api/v1/payers/REF-100", waterPayer)
	require.Equal(t, http.StatusOK, p.Status)
	assert.Equal(t, "unchanged", decode(t, p).Result)
	assert.Equal(t, logged, auditCount(t, e, demo.BillerID), "nothing new in the audit log")

	p = c.send("PUT", "/api/v1/payers/REF-100", map[string]string{"name": "Jeanne Durand-Martin"})
	require.Equal(t, http.StatusOK, p.Status)
	d = decode(t, p)
	assert.Equal(t, "updated", d.Result)
	assert.Equal(t, "", d.Payer.Email, "a put replaces: no email, no address")

	got := decode(t, c.send("GET", "/api/v1/payers/REF-100", nil))
	assert.Equal(t, "Jeanne Durand-Martin", got.Payer.Name)
	assert.Empty(t, got.Result)

	demoPayer := decode(t, c.send("GET", "/api/v1/payers/DEMO-0001", nil)).Payer
	assert.True(t, demoPayer.Activated)
	assert.Equal(t, "Camille Martin", demoPayer.Name)

	events, _, err := e.Store.AuditEvents(context.Background(), ports.AuditQuery{BillerID: demo.BillerID, Action: domain.AuditPayerSaved})
	require.NoError(t, err)
	require.Len(t, events, 2)
	assert.Equal(t, domain.ActorAPI, events[0].Actor)
	assert.Equal(t, "127.0.0.1", events[0].IP, "the client's address is logged")
}

func auditCount(t *testing.T, e *webtest.Env, billerID uuid.UUID) int {
	t.Helper()
	_, n, err := e.Store.AuditEvents(context.Background(), ports.AuditQuery{BillerID: billerID})
	require.NoError(t, err)
	return n
}

func TestAPIInvoiceLifecycle(t *testing.T) {
	e := full.New(t)
	c := apiKey(e, demo.BillerID)
	require.Equal(t, http.StatusCreated, c.send("PUT", "/api/v1/payers/REF-100", waterPayer).Status)
	path := "/api/v1/invoices/2026-020-009999"

	p := c.send("PUT", path, waterInvoice)
	require.Equal(t, http.StatusCreated, p.Status, p.Body)
	inv := decode(t, p).Invoice
	assert.Equal(t, api.Invoice{
		Number: "2026-020-009999", Payer: "REF-100", IssueDate: "2026-11-02", DueDate: "2026-12-02",
		Amount: "243.11", Object: "Eau", State: "unpaid", CreatedAt: api.Instant(webtest.Start), UpdatedAt: api.Instant(webtest.Start),
	}, inv)
	assert.Contains(t, p.Body, `"amount":"243.11"`, "amounts are strings")

	p = c.send("PUT", path, waterInvoice)
	require.Equal(t, http.StatusOK, p.Status)
	assert.Equal(t, "unchanged", decode(t, p).Result)

	e.Clock.Advance(time.Hour)
	more := map[string]string{}
	for k, v := range waterInvoice {
		more[k] = v
	}
	more["amount"] = "250"
	p = c.send("PUT", path, more)
	require.Equal(t, http.StatusOK, p.Status)
	assert.Equal(t, "updated", decode(t, p).Result)
	assert.Equal(t, "250.00", decode(t, p).Invoice.Amount)

	// Paid at the counter, twice.
	p = c.send("POST", path+"/status", map[string]string{"status": "paid", "paid_at": "2026-11-25"})
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	d := decode(t, p)
	assert.Equal(t, "updated", d.Result)
	assert.Equal(t, "paid", d.Invoice.State)
	assert.False(t, d.Invoice.PaidOnline)
	assert.Equal(t, "2026-11-24T23:00:00Z", d.Invoice.PaidAt.Format(time.RFC3339), "a day is midnight in Paris")
	p = c.send("POST", path+"/status", map[string]string{"status": "paid"})
	require.Equal(t, http.StatusOK, p.Status)
	assert.Equal(t, "unchanged", decode(t, p).Result)

	// A settled invoice keeps its amount, and cannot be cancelled.
	more["amount"] = "1.00"
	apiError(t, c.send("PUT", path, more), http.StatusConflict, "conflict", "number")
	apiError(t, c.send("POST", path+"/status", map[string]string{"status": "cancelled"}), http.StatusConflict, "conflict", "")
	assert.Equal(t, "250.00", decode(t, c.send("GET", path, nil)).Invoice.Amount)

	// Treasury and cancellation, each idempotent.
	for _, status := range []string{"treasury", "cancelled"} {
		for i, want := range []string{"updated", "unchanged"} {
			p := c.send("POST", "/api/v1/invoices/"+webtest.Nursery+"/status", map[string]string{"status": status})
			require.Equal(t, http.StatusOK, p.Status, p.Body)
			assert.Equal(t, want, decode(t, p).Result, "%s #%d", status, i+1)
			assert.Equal(t, status, decode(t, p).Invoice.State)
		}
	}
	b := e.Browser().LoginDemo()
	webtest.NotContains(t, b.Get("/factures"), webtest.Nursery)
}

func TestAPIAnswersWrongRequestsWithACode(t *testing.T) {
	e := full.New(t)
	c := apiKey(e, demo.BillerID)
	inv := "/api/v1/invoices/2026-020-009999"
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range waterInvoice {
			m[a] = b
		}
		m["payer"] = "DEMO-0001"
		m[k] = v
		return m
	}
	for _, tc := range []struct {
		name, method, path string
		body               any
		headers            []string
		status             int
		code, field        string
	}{
		{"unknown field", "PUT", "/api/v1/payers/R1", `{"name":"A","telephone":"0102"}`, nil, 400, "invalid_json", "telephone"},
		{"amount as a number", "PUT", inv, `{"payer":"DEMO-0001","issue_date":"2026-11-02","due_date":"2026-12-02","amount":243.11}`, nil, 400, "invalid_json", "amount"},
		{"not JSON", "PUT", "/api/v1/payers/R1", `{"name":`, nil, 400, "invalid_json", ""},
		{"two objects", "PUT", "/api/v1/payers/R1", `{"name":"A"} {"name":"B"}`, nil, 400, "invalid_json", ""},
		{"an array", "PUT", "/api/v1/payers/R1", `[{"name":"A"}]`, nil, 400, "invalid_json", ""},
		{"empty body", "PUT", "/api/v1/payers/R1", ``, nil, 400, "invalid_json", ""},
		{"duplicate key", "PUT", "/api/v1/payers/R1", `{"name":"A","email":"a@exemple.fr","name":"B"}`, nil, 400, "invalid_json", "name"},
		{"duplicate key, another case", "PUT", "/api/v1/payers/R1", `{"name":"A","Name":"B"}`, nil, 400, "invalid_json", "Name"},
		{"duplicate amount", "PUT", inv, `{"payer":"DEMO-0001","issue_date":"2026-11-02","due_date":"2026-12-02","amount":"1.00","amount":"1000.00"}`, nil, 400, "invalid_json", "amount"},
		{"invalid UTF-8", "PUT", "/api/v1/payers/R1", "{\"name\":\"Jos\xe9\"}", nil, 400, "invalid_json", ""},
		{"NUL character", "PUT", "/api/v1/payers/R1", `{"name":"A\u0000B"}`, nil, 400, "invalid_request", "name"},
		{"form content", "PUT", "/api/v1/payers/R1", `{"name":"A"}`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "unsupported_media_type", ""},
		{"too large", "PUT", "/api/v1/payers/R1", `{"name":"` + strings.Repeat("a", api.MaxJSONBytes) + `"}`, nil, 413, "payload_too_large", ""},
		{"no name", "PUT", "/api/v1/payers/R1", `{"name":" "}`, nil, 400, "invalid_request", "name"},
		{"bad email", "PUT", "/api/v1/payers/R1", `{"name":"A","email":"a@"}`, nil, 400, "invalid_request", "email"},
		{"taken email", "PUT", "/api/v1/payers/R1", `{"name":"A","email":"demo@demo.fr"}`, nil, 409, "conflict", "email"},
		{"three decimals", "PUT", inv, with("amount", "1.234"), nil, 400, "invalid_request", "amount"},
		{"zero", "PUT", inv, with("amount", "0"), nil, 400, "invalid_request", "amount"},
		{"bad date", "PUT", inv, with("due_date", "31/02/2026"), nil, 400, "invalid_request", "due_date"},
		{"unknown payer", "PUT", inv, with("payer", "NOBODY"), nil, 400, "invalid_request", "payer"},
		{"another payer's invoice", "PUT", "/api/v1/invoices/" + webtest.Theirs, with("payer", "DEMO-0001"), nil, 409, "conflict", "number"},
		{"unknown status", "POST", inv + "/status", `{"status":"unpaid"}`, nil, 400, "invalid_request", "status"},
		{"bad paid_at", "POST", "/api/v1/invoices/" + webtest.Water + "/status", `{"status":"paid","paid_at":"hier"}`, nil, 400, "invalid_request", "paid_at"},
		{"future paid_at", "POST", "/api/v1/invoices/" + webtest.Water + "/status", `{"status":"paid","paid_at":"2030-01-01"}`, nil, 400, "invalid_request", "paid_at"},
		{"status of nothing", "POST", inv + "/status", `{"status":"paid"}`, nil, 404, "not_found", ""},
		{"no since", "GET", "/api/v1/payments", nil, nil, 400, "invalid_request", "since"},
		{"bad limit", "GET", "/api/v1/payments?since=2026-01-01&limit=100000", nil, nil, 400, "invalid_request", "limit"},
		{"unknown payer ref", "GET", "/api/v1/payers/NOBODY", nil, nil, 404, "not_found", ""},
		{"no PDF", "GET", "/api/v1/invoices/" + webtest.Water + "/pdf", nil, nil, 404, "not_found", ""},
		{"unknown route", "GET", "/api/v1/factures", nil, nil, 404, "not_found", ""},
		{"unknown version", "GET", "/api/v2/payers/DEMO-0001", nil, nil, 404, "not_found", ""},
		{"wrong method", "DELETE", "/api/v1/payers/DEMO-0001", nil, nil, 405, "method_not_allowed", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := c.send(tc.method, tc.path, tc.body, tc.headers...)
			d := apiError(t, p, tc.status, tc.code, tc.field)
			assert.Regexp(t, `^\p{Lu}`, d.Message, "a French sentence")
			switch tc.name {
			case "invalid UTF-8":
				assert.Equal(t, "Le corps de la demande n'est pas en UTF-8 valide.", d.Message)
			case "duplicate key":
				assert.Equal(t, "Le champ « name » apparaît deux fois.", d.Message)
			}
		})
	}
	assert.Equal(t, "GET, PUT, HEAD", c.send("DELETE", "/api/v1/payers/DEMO-0001", nil).Header.Get("Allow"))
	_, err := e.Store.PayerByRef(context.Background(), demo.BillerID, "R1")
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err), "nothing was created")
}

func TestAPIPaymentAwaitingConfirmation(t *testing.T) {
	e := full.New(t)
	c := apiKey(e, demo.BillerID)
	ctx := context.Background()
	pay := e.PaidUnconfirmed()
	inv, err := e.Store.Invoice(ctx, webtest.IDOf(webtest.Water))
	require.NoError(t, err)
	require.Len(t, domain.SettleInvoices(&pay, []domain.Invoice{inv}, webtest.Start), 1)
	inv.AwaitingConfirmation = true
	require.NoError(t, e.Store.SaveInvoice(ctx, inv))

	p := c.send("GET", "/api/v1/invoices/"+webtest.Water, nil)
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	got := decode(t, p).Invoice
	assert.Equal(t, "paid", got.State)
	assert.True(t, got.PaidOnline)
	assert.True(t, got.AwaitingConfirmation)
	assert.Contains(t, p.Body, `"awaiting_confirmation":true`)

	payments := func() []api.Payment {
		t.Helper()
		p := c.send("GET", "/api/v1/payments?since="+url.QueryEscape(webtest.Start.Add(-24*time.Hour).Format(time.RFC3339)), nil)
		require.Equal(t, http.StatusOK, p.Status, p.Body)
		var pg struct {
			Payments []api.Payment `json:"payments"`
			Total    int           `json:"total"`
		}
		require.NoError(t, json.Unmarshal([]byte(p.Body), &pg))
		assert.Equal(t, len(pg.Payments), pg.Total)
		return pg.Payments
	}
	assert.Empty(t, payments(), "money not known to have come is never listed")

	m := e.Manager()
	path := "/gestion/paiements/" + pay.ID.String()
	m.Get(path)
	require.Equal(t, http.StatusSeeOther, m.Post(path+"/confirmer", nil).Status)
	got = decode(t, c.send("GET", "/api/v1/invoices/"+webtest.Water, nil)).Invoice
	assert.Equal(t, "paid", got.State)
	assert.True(t, got.PaidOnline)
	assert.False(t, got.AwaitingConfirmation)
	list := payments()
	require.Len(t, list, 1, "listed once confirmed")
	assert.Equal(t, pay.Refdet, list[0].Refdet)
	assert.True(t, list[0].Confirmed)

	p = c.send("GET", "/api/v1/invoices/"+webtest.Nursery, nil)
	assert.Contains(t, p.Body, `"awaiting_confirmation":false`, "always present")
}
