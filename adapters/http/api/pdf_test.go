package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/http/api"
	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/adapters/http/webtest/full"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports/demo"
	"github.com/portail-factures/portail/ports/portstest"
)

var canteenPDF = []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n% facture de cantine\n%%EOF\n")

func TestPDFFromTheBillingSoftwareToTheCitizen(t *testing.T) {
	e := full.New(t)
	c := apiKey(e, demo.BillerID)
	b := e.Browser().LoginDemo()
	detail := "/factures/" + webtest.IDOf(webtest.Canteen).String()
	webtest.NotContains(t, b.Get(detail), "Télécharger")

	path := "/api/v1/invoices/" + webtest.Canteen + "/pdf"
	apiError(t, c.send("PUT", path, string(canteenPDF)), http.StatusUnsupportedMediaType, "unsupported_media_type", "")
	apiError(t, c.send("PUT", path, []byte("<html>")), http.StatusBadRequest, "invalid_request", "pdf")
	apiError(t, c.send("PUT", path, append([]byte("%PDF-"), make([]byte, domain.MaxDocumentSize)...)), http.StatusRequestEntityTooLarge, "payload_too_large", "pdf")

	p := c.send("PUT", path, canteenPDF)
	require.Equal(t, http.StatusCreated, p.Status, p.Body)
	assert.Equal(t, path, p.Location())
	d := decode(t, p)
	assert.Equal(t, "created", d.Result)
	assert.Equal(t, len(canteenPDF), d.PDF.Size)
	p = c.send("PUT", path, canteenPDF)
	require.Equal(t, http.StatusOK, p.Status)
	assert.Equal(t, "unchanged", decode(t, p).Result, "the same bytes twice")

	inv := decode(t, c.send("GET", "/api/v1/invoices/"+webtest.Canteen, nil)).Invoice
	require.NotNil(t, inv.PDF)
	assert.Equal(t, d.PDF.SHA256, inv.PDF.SHA256)
	back := c.send("GET", path, nil)
	assert.Equal(t, string(canteenPDF), back.Body)

	page := b.Get(detail)
	webtest.Contains(t, page, "Télécharger la facture "+webtest.Canteen+" (PDF, 1\u00a0Ko)")
	assert.Contains(t, page.Body, `href="`+detail+`/pdf"`)

	pdf := b.Get(detail + "/pdf")
	require.Equal(t, http.StatusOK, pdf.Status)
	assert.Equal(t, string(canteenPDF), pdf.Body)
	assert.Equal(t, "application/pdf", pdf.Header.Get("Content-Type"))
	assert.Equal(t, `attachment; filename=facture-`+webtest.Canteen+`.pdf`, pdf.Header.Get("Content-Disposition"))
	assert.Equal(t, "no-store", pdf.Header.Get("Cache-Control"))
	assert.Equal(t, "nosniff", pdf.Header.Get("X-Content-Type-Options"))

	// Another payer's document stays webtest.Theirs.
	require.Equal(t, http.StatusCreated, c.send("PUT", "/api/v1/invoices/"+webtest.Theirs+"/pdf", canteenPDF).Status)
	assert.Equal(t, http.StatusNotFound, b.Get("/factures/"+webtest.IDOf(webtest.Theirs).String()+"/pdf").Status)
	// Without a session, the login page.
	anon := e.Browser().Get(detail + "/pdf")
	assert.Equal(t, http.StatusSeeOther, anon.Status)
}

func TestInvoiceNumbersWithASlash(t *testing.T) {
	e := full.New(t)
	c := apiKey(e, demo.BillerID)
	number := "F/2026/001"
	path := "/api/v1/invoices/" + url.PathEscape(number)
	assert.Equal(t, "/api/v1/invoices/F%2F2026%2F001", path)
	body := map[string]string{"payer": "DEMO-0001", "issue_date": "2026-11-02", "due_date": "2026-12-02", "amount": "12.50"}

	p := c.send("PUT", path, body)
	require.Equal(t, http.StatusCreated, p.Status, p.Body)
	assert.Equal(t, path, p.Location())
	assert.Equal(t, number, decode(t, p).Invoice.Number)
	assert.Equal(t, number, decode(t, c.send("GET", path, nil)).Invoice.Number)
	require.Equal(t, http.StatusCreated, c.send("PUT", path+"/pdf", canteenPDF).Status)

	apiError(t, c.send("GET", "/api/v1/invoices/F/2026/001", nil), http.StatusNotFound, "not_found", "")

	inv, err := e.Store.InvoiceByNumber(context.Background(), demo.BillerID, number)
	require.NoError(t, err)
	pdf := e.Browser().LoginDemo().Get("/factures/" + inv.ID.String() + "/pdf")
	require.Equal(t, http.StatusOK, pdf.Status)
	assert.Equal(t, "attachment; filename=facture-F-2026-001.pdf", pdf.Header.Get("Content-Disposition"), "no path in a file name")
}

func TestAPIPaidPayments(t *testing.T) {
	e := full.New(t)
	c := apiKey(e, demo.BillerID)
	other := twinBiller(e)
	ctx := context.Background()
	acc, err := e.Store.AccountByEmail(ctx, demo.BillerID, demo.Email)
	require.NoError(t, err)
	b, err := e.Store.Biller(ctx, demo.BillerID)
	require.NoError(t, err)
	inv, err := e.Store.Invoice(ctx, webtest.IDOf(webtest.Water))
	require.NoError(t, err)
	save := func(billerID uuid.UUID, state domain.PaymentState, created time.Time) domain.Payment {
		p := portstest.NewPayment(t, b, acc, inv)
		p.BillerID = billerID
		p.State, p.CreatedAt = state, created
		if state == domain.PaymentPaid {
			p.TransactionAt, p.Confirmed, p.Method, p.Authorization = created.Add(3*time.Minute), true, domain.MethodCard, "A12345"
		}
		require.NoError(t, e.Store.SavePayment(ctx, p))
		return p
	}
	var paid []domain.Payment
	for i := range 3 {
		paid = append(paid, save(demo.BillerID, domain.PaymentPaid, webtest.Start.Add(-time.Duration(i+1)*time.Hour)))
	}
	save(demo.BillerID, domain.PaymentRefused, webtest.Start.Add(-time.Hour))
	save(demo.BillerID, domain.PaymentPaid, webtest.Start.Add(-72*time.Hour))
	save(other, domain.PaymentPaid, webtest.Start.Add(-time.Hour))

	type page struct {
		Payments []api.Payment `json:"payments"`
		Total    int           `json:"total"`
		Next     *string       `json:"next"`
	}
	get := func(path string) page {
		t.Helper()
		p := c.send("GET", path, nil)
		require.Equal(t, http.StatusOK, p.Status, p.Body)
		var pg page
		require.NoError(t, json.Unmarshal([]byte(p.Body), &pg))
		return pg
	}
	first := get("/api/v1/payments?since=" + url.QueryEscape(webtest.Start.Add(-24*time.Hour).Format(time.RFC3339)) + "&limit=2")
	assert.Equal(t, 3, first.Total, "paid, in the window, of this biller")
	require.Len(t, first.Payments, 2)
	want := api.Payment{
		Refdet: paid[0].Refdet, Amount: "243.11", Invoices: []string{webtest.Water}, PaidAt: api.Instant(paid[0].TransactionAt),
		Confirmed: true, Method: "card", Authorization: "A12345", StartedAt: api.Instant(paid[0].CreatedAt),
	}
	assert.Equal(t, want, first.Payments[0])
	require.NotNil(t, first.Next)

	// A payment arriving between pages does not shift the next one.
	e.Clock.Advance(time.Minute)
	save(demo.BillerID, domain.PaymentPaid, e.Clock.Now())
	second := get(*first.Next)
	require.Len(t, second.Payments, 1)
	assert.Equal(t, paid[2].Refdet, second.Payments[0].Refdet)
	assert.Nil(t, second.Next)

	empty := get("/api/v1/payments?since=2030-01-01")
	assert.Equal(t, []api.Payment{}, empty.Payments)
}
