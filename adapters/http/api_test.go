package http

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

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

// apiClient is the billing software: a bearer key, no cookies.
type apiClient struct {
	e   *env
	key string
	b   *browser
}

// onHost returns a client of the same key whose requests carry the Host
// header host.
func (c apiClient) onHost(host string) apiClient {
	c.b = c.e.browser().onHost(host)
	return c
}

// apiKey creates a key for billerID and returns its client.
func (e *env) apiKey(billerID uuid.UUID) apiClient {
	e.t.Helper()
	_, secret, err := e.portal.Operator().CreateAPIKey(context.Background(), billerID, "Logiciel de facturation")
	require.NoError(e.t, err)
	return apiClient{e: e, key: secret, b: e.browser()}
}

// send makes a request with body (a string sent as is, or a value
// encoded as JSON) and extra headers.
func (c apiClient) send(method, path string, body any, headers ...string) resp {
	c.e.t.Helper()
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
		require.NoError(c.e.t, err)
		text = string(raw)
	}
	req, err := http.NewRequest(method, c.e.ts.URL+path, strings.NewReader(text))
	require.NoError(c.e.t, err)
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.b.do(req)
}

// apiDoc is any answer of the API, decoded.
type apiDoc struct {
	Result  string         `json:"result"`
	Payer   apiPayer       `json:"payer"`
	Invoice apiInvoice     `json:"invoice"`
	PDF     apiDocument    `json:"pdf"`
	Error   apiErrorDetail `json:"error"`
}

func decode(t *testing.T, p resp) apiDoc {
	t.Helper()
	assert.Equal(t, "application/json; charset=utf-8", p.header.Get("Content-Type"), p.body)
	var d apiDoc
	require.NoError(t, json.Unmarshal([]byte(p.body), &d), p.body)
	return d
}

// apiError asserts an error answer: its status, code and field.
func apiError(t *testing.T, p resp, st int, code, field string) apiErrorDetail {
	t.Helper()
	require.Equal(t, st, p.status, p.body)
	d := decode(t, p).Error
	assert.Equal(t, code, d.Code, p.body)
	assert.Equal(t, field, d.Field, p.body)
	assert.NotEmpty(t, d.Message)
	return d
}

var (
	waterPayer   = map[string]string{"name": "Jeanne Durand", "email": "jeanne@exemple.fr"}
	waterInvoice = map[string]string{"payer": "REF-100", "issue_date": "2026-11-02", "due_date": "2026-12-02", "amount": "243.11", "object": "Eau"}
)

func TestAPIRefusesRequestsWithoutAValidKey(t *testing.T) {
	e := newEnv(t)
	good := e.apiKey(demo.BillerID)
	revokedKey := e.apiKey(demo.BillerID)
	keys, err := e.portal.Operator().APIKeys(context.Background(), demo.BillerID)
	require.NoError(t, err)
	_, err = e.portal.Operator().RevokeAPIKey(context.Background(), demo.BillerID, keys[1].ID)
	require.NoError(t, err)

	routes := [][2]string{
		{"GET", "/api/v1/payers/DEMO-0001"}, {"PUT", "/api/v1/payers/DEMO-0001"},
		{"GET", "/api/v1/invoices/" + water}, {"PUT", "/api/v1/invoices/" + water},
		{"GET", "/api/v1/invoices/" + water + "/pdf"}, {"PUT", "/api/v1/invoices/" + water + "/pdf"},
		{"POST", "/api/v1/invoices/" + water + "/status"}, {"GET", "/api/v1/payments?since=2026-01-01"},
	}
	for _, rt := range routes {
		missing := apiClient{e: e, b: e.browser()}
		p := missing.send(rt[0], rt[1], nil)
		apiError(t, p, http.StatusUnauthorized, "unauthorized", "")
		assert.Equal(t, `Bearer realm="api"`, p.header.Get("WWW-Authenticate"), rt)

		for name, c := range map[string]apiClient{
			"wrong":   {e: e, key: good.key[:len(good.key)-2] + "xx", b: e.browser()},
			"revoked": revokedKey,
		} {
			p := c.send(rt[0], rt[1], nil)
			apiError(t, p, http.StatusUnauthorized, "unauthorized", "")
			assert.Equal(t, `Bearer realm="api", error="invalid_token"`, p.header.Get("WWW-Authenticate"), name)
		}
	}
	assert.Equal(t, http.StatusOK, good.send("GET", "/api/v1/payers/DEMO-0001", nil).status)

	basic := good.send("GET", "/api/v1/payers/DEMO-0001", nil, "Authorization", "Basic "+good.key)
	apiError(t, basic, http.StatusUnauthorized, "unauthorized", "")

	// A citizen's session opens nothing in the API.
	b := e.browser().loginDemo()
	apiError(t, b.get("/api/v1/payers/DEMO-0001"), http.StatusUnauthorized, "unauthorized", "")
}

func TestAPIPayerPutTwiceChangesNothing(t *testing.T) {
	e := newEnv(t)
	c := e.apiKey(demo.BillerID)

	p := c.send("PUT", "/api/v1/payers/REF-100", waterPayer)
	require.Equal(t, http.StatusCreated, p.status, p.body)
	assert.Equal(t, "/api/v1/payers/REF-100", p.location())
	d := decode(t, p)
	assert.Equal(t, "created", d.Result)
	assert.Equal(t, apiPayer{Reference: "REF-100", Name: "Jeanne Durand", Email: "jeanne@exemple.fr",
		CreatedAt: instant(start), UpdatedAt: nil}, d.Payer)
	logged := auditCount(t, e, demo.BillerID)

	p = c.send("PUT", "/api/v1/payers/REF-100", waterPayer)
	require.Equal(t, http.StatusOK, p.status)
	assert.Equal(t, "unchanged", decode(t, p).Result)
	assert.Equal(t, logged, auditCount(t, e, demo.BillerID), "nothing new in the audit log")

	p = c.send("PUT", "/api/v1/payers/REF-100", map[string]string{"name": "Jeanne Durand-Martin"})
	require.Equal(t, http.StatusOK, p.status)
	d = decode(t, p)
	assert.Equal(t, "updated", d.Result)
	assert.Equal(t, "", d.Payer.Email, "a put replaces: no email, no address")

	got := decode(t, c.send("GET", "/api/v1/payers/REF-100", nil))
	assert.Equal(t, "Jeanne Durand-Martin", got.Payer.Name)
	assert.Empty(t, got.Result)

	demoPayer := decode(t, c.send("GET", "/api/v1/payers/DEMO-0001", nil)).Payer
	assert.True(t, demoPayer.Activated)
	assert.Equal(t, "Camille Martin", demoPayer.Name)

	events, _, err := e.store.AuditEvents(context.Background(), ports.AuditQuery{BillerID: demo.BillerID, Action: domain.AuditPayerSaved})
	require.NoError(t, err)
	require.Len(t, events, 2)
	assert.Equal(t, domain.ActorAPI, events[0].Actor)
	assert.Equal(t, "127.0.0.1", events[0].IP, "the client's address is logged")
}

func auditCount(t *testing.T, e *env, billerID uuid.UUID) int {
	t.Helper()
	_, n, err := e.store.AuditEvents(context.Background(), ports.AuditQuery{BillerID: billerID})
	require.NoError(t, err)
	return n
}

func TestAPIInvoiceLifecycle(t *testing.T) {
	e := newEnv(t)
	c := e.apiKey(demo.BillerID)
	require.Equal(t, http.StatusCreated, c.send("PUT", "/api/v1/payers/REF-100", waterPayer).status)
	path := "/api/v1/invoices/2026-020-009999"

	p := c.send("PUT", path, waterInvoice)
	require.Equal(t, http.StatusCreated, p.status, p.body)
	inv := decode(t, p).Invoice
	assert.Equal(t, apiInvoice{
		Number: "2026-020-009999", Payer: "REF-100", IssueDate: "2026-11-02", DueDate: "2026-12-02",
		Amount: "243.11", Object: "Eau", State: "unpaid", CreatedAt: instant(start), UpdatedAt: instant(start),
	}, inv)
	assert.Contains(t, p.body, `"amount":"243.11"`, "amounts are strings")

	p = c.send("PUT", path, waterInvoice)
	require.Equal(t, http.StatusOK, p.status)
	assert.Equal(t, "unchanged", decode(t, p).Result)

	e.clock.Advance(time.Hour)
	more := map[string]string{}
	for k, v := range waterInvoice {
		more[k] = v
	}
	more["amount"] = "250"
	p = c.send("PUT", path, more)
	require.Equal(t, http.StatusOK, p.status)
	assert.Equal(t, "updated", decode(t, p).Result)
	assert.Equal(t, "250.00", decode(t, p).Invoice.Amount)

	// Paid at the counter, twice.
	p = c.send("POST", path+"/status", map[string]string{"status": "paid", "paid_at": "2026-11-25"})
	require.Equal(t, http.StatusOK, p.status, p.body)
	d := decode(t, p)
	assert.Equal(t, "updated", d.Result)
	assert.Equal(t, "paid", d.Invoice.State)
	assert.False(t, d.Invoice.PaidOnline)
	assert.Equal(t, "2026-11-24T23:00:00Z", d.Invoice.PaidAt.Format(time.RFC3339), "a day is midnight in Paris")
	p = c.send("POST", path+"/status", map[string]string{"status": "paid"})
	require.Equal(t, http.StatusOK, p.status)
	assert.Equal(t, "unchanged", decode(t, p).Result)

	// A settled invoice keeps its amount, and cannot be cancelled.
	more["amount"] = "1.00"
	apiError(t, c.send("PUT", path, more), http.StatusConflict, "conflict", "number")
	apiError(t, c.send("POST", path+"/status", map[string]string{"status": "cancelled"}), http.StatusConflict, "conflict", "")
	assert.Equal(t, "250.00", decode(t, c.send("GET", path, nil)).Invoice.Amount)

	// Treasury and cancellation, each idempotent.
	for _, status := range []string{"treasury", "cancelled"} {
		for i, want := range []string{"updated", "unchanged"} {
			p := c.send("POST", "/api/v1/invoices/"+nursery+"/status", map[string]string{"status": status})
			require.Equal(t, http.StatusOK, p.status, p.body)
			assert.Equal(t, want, decode(t, p).Result, "%s #%d", status, i+1)
			assert.Equal(t, status, decode(t, p).Invoice.State)
		}
	}
	b := e.browser().loginDemo()
	notContains(t, b.get("/factures"), nursery)
}

func TestAPIAnswersWrongRequestsWithACode(t *testing.T) {
	e := newEnv(t)
	c := e.apiKey(demo.BillerID)
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
		{"too large", "PUT", "/api/v1/payers/R1", `{"name":"` + strings.Repeat("a", maxJSONBytes) + `"}`, nil, 413, "payload_too_large", ""},
		{"no name", "PUT", "/api/v1/payers/R1", `{"name":" "}`, nil, 400, "invalid_request", "name"},
		{"bad email", "PUT", "/api/v1/payers/R1", `{"name":"A","email":"a@"}`, nil, 400, "invalid_request", "email"},
		{"taken email", "PUT", "/api/v1/payers/R1", `{"name":"A","email":"demo@demo.fr"}`, nil, 409, "conflict", "email"},
		{"three decimals", "PUT", inv, with("amount", "1.234"), nil, 400, "invalid_request", "amount"},
		{"zero", "PUT", inv, with("amount", "0"), nil, 400, "invalid_request", "amount"},
		{"bad date", "PUT", inv, with("due_date", "31/02/2026"), nil, 400, "invalid_request", "due_date"},
		{"unknown payer", "PUT", inv, with("payer", "NOBODY"), nil, 400, "invalid_request", "payer"},
		{"another payer's invoice", "PUT", "/api/v1/invoices/" + theirs, with("payer", "DEMO-0001"), nil, 409, "conflict", "number"},
		{"unknown status", "POST", inv + "/status", `{"status":"unpaid"}`, nil, 400, "invalid_request", "status"},
		{"bad paid_at", "POST", "/api/v1/invoices/" + water + "/status", `{"status":"paid","paid_at":"hier"}`, nil, 400, "invalid_request", "paid_at"},
		{"future paid_at", "POST", "/api/v1/invoices/" + water + "/status", `{"status":"paid","paid_at":"2030-01-01"}`, nil, 400, "invalid_request", "paid_at"},
		{"status of nothing", "POST", inv + "/status", `{"status":"paid"}`, nil, 404, "not_found", ""},
		{"no since", "GET", "/api/v1/payments", nil, nil, 400, "invalid_request", "since"},
		{"bad limit", "GET", "/api/v1/payments?since=2026-01-01&limit=100000", nil, nil, 400, "invalid_request", "limit"},
		{"unknown payer ref", "GET", "/api/v1/payers/NOBODY", nil, nil, 404, "not_found", ""},
		{"no PDF", "GET", "/api/v1/invoices/" + water + "/pdf", nil, nil, 404, "not_found", ""},
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
	assert.Equal(t, "GET, PUT, HEAD", c.send("DELETE", "/api/v1/payers/DEMO-0001", nil).header.Get("Allow"))
	_, err := e.store.PayerByRef(context.Background(), demo.BillerID, "R1")
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err), "nothing was created")
}

func TestDuplicateMember(t *testing.T) {
	for body, want := range map[string]string{
		`{"a":1,"b":2}`:                       "",
		`{"a":1,"a":2}`:                       "a",
		`{"a":{"a":1},"b":[{"a":1},{"a":2}]}`: "", // one name per object
		`{"a":{"x":1,"x":2}}`:                 "x",
		`{"a":[{"y":1,"y":2}]}`:               "y",
		`{"a":"b","b":"a"}`:                   "", // values are not names
		`{"a":[],"b":{},"A":null}`:            "A",
		`[1,"a","a"]`:                         "",
	} {
		assert.Equal(t, want, duplicateMember([]byte(body)), body)
	}
}

// An invoice settled by a payment known only from the legacy URL mode's
// unauthenticated callback is not money received: the API says it awaits
// confirmation, and does not list the payment until it is confirmed.
func TestAPIPaymentAwaitingConfirmation(t *testing.T) {
	e := newEnv(t)
	c := e.apiKey(demo.BillerID)
	ctx := context.Background()
	pay := e.paidUnconfirmed()
	inv, err := e.store.Invoice(ctx, idOf(water))
	require.NoError(t, err)
	require.Len(t, domain.SettleInvoices(&pay, []domain.Invoice{inv}, start), 1)
	inv.AwaitingConfirmation = true
	require.NoError(t, e.store.SaveInvoice(ctx, inv))

	p := c.send("GET", "/api/v1/invoices/"+water, nil)
	require.Equal(t, http.StatusOK, p.status, p.body)
	got := decode(t, p).Invoice
	assert.Equal(t, "paid", got.State)
	assert.True(t, got.PaidOnline)
	assert.True(t, got.AwaitingConfirmation)
	assert.Contains(t, p.body, `"awaiting_confirmation":true`)

	payments := func() []apiPayment {
		t.Helper()
		p := c.send("GET", "/api/v1/payments?since="+url.QueryEscape(start.Add(-24*time.Hour).Format(time.RFC3339)), nil)
		require.Equal(t, http.StatusOK, p.status, p.body)
		var pg struct {
			Payments []apiPayment `json:"payments"`
			Total    int          `json:"total"`
		}
		require.NoError(t, json.Unmarshal([]byte(p.body), &pg))
		assert.Equal(t, len(pg.Payments), pg.Total)
		return pg.Payments
	}
	assert.Empty(t, payments(), "money not known to have come is never listed")

	m := e.manager()
	path := "/gestion/paiements/" + pay.ID.String()
	m.get(path)
	require.Equal(t, http.StatusSeeOther, m.post(path+"/confirmer", nil).status)
	got = decode(t, c.send("GET", "/api/v1/invoices/"+water, nil)).Invoice
	assert.Equal(t, "paid", got.State)
	assert.True(t, got.PaidOnline)
	assert.False(t, got.AwaitingConfirmation)
	list := payments()
	require.Len(t, list, 1, "listed once confirmed")
	assert.Equal(t, pay.Refdet, list[0].Refdet)
	assert.True(t, list[0].Confirmed)

	p = c.send("GET", "/api/v1/invoices/"+nursery, nil)
	assert.Contains(t, p.body, `"awaiting_confirmation":false`, "always present")
}
