package http

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

// Helpers of the back office's tests. The demo biller has two staff
// members: demo.StaffEmail ("gestionnaire") and demo.ReaderEmail
// ("lecture"). A second biller, with its own host, comes from
// e.otherBiller.

// staffLogin logs in to the back office and checks it worked.
func (b *browser) staffLogin(email, password string) *browser {
	b.e.t.Helper()
	b.get("/gestion/connexion")
	p := b.post("/gestion/connexion", url.Values{"email": {email}, "password": {password}})
	require.Equal(b.e.t, http.StatusSeeOther, p.status, p.body)
	return b
}

// manager is a browser logged in to the demo's back office as its
// "gestionnaire".
func (e *env) manager() *browser {
	return e.browser().staffLogin(demo.StaffEmail, demo.StaffPassword)
}

// reader is a browser logged in as the demo's "lecture" staff member.
func (e *env) reader() *browser {
	return e.browser().staffLogin(demo.ReaderEmail, demo.ReaderPassword)
}

// otherHost is the host name of the second biller of e.otherBiller.
const otherHost = "factures.autreville.test"

// otherBiller adds a second biller served on otherHost, with a
// "gestionnaire" autre@autreville.test / otherPassword, a payer
// AUTRE-0001 and an unpaid invoice AUTRE-2026-1 of 12.50 €. Requests
// reach it with b.onHost(otherHost).
func (e *env) otherBiller() domain.Biller {
	e.t.Helper()
	ctx := context.Background()
	b, err := domain.NewBiller(uuid.MustParse("00000000-0000-4000-8000-000000009900"), "Syndicat d'Autreville", "009900", "factures@autreville.test", start)
	require.NoError(e.t, err)
	b.Hosts = []string{otherHost}
	require.NoError(e.t, e.store.SaveBiller(ctx, b))
	_, _, err = e.portal.Operator().AddStaff(ctx, ports.StaffInput{BillerID: b.ID, Email: "autre@autreville.test", Name: "Agent d'Autreville",
		Role: domain.RoleManager, Password: otherPassword})
	require.NoError(e.t, err)
	payer := domain.Payer{ID: uuid.NewSHA1(b.ID, []byte("AUTRE-0001")), BillerID: b.ID, ExternalRef: "AUTRE-0001",
		Name: "Claude Autre", Email: "claude@autreville.test", CreatedAt: start, UpdatedAt: start}
	require.NoError(e.t, e.store.SavePayer(ctx, payer))
	inv := domain.Invoice{ID: uuid.NewSHA1(b.ID, []byte("AUTRE-2026-1")), BillerID: b.ID, PayerID: payer.ID,
		Number: "AUTRE-2026-1", IssueDate: domain.Today(start), DueDate: domain.Today(start).AddDays(30),
		Amount: dec("12.50"), Object: "Ordures ménagères", State: domain.InvoiceUnpaid, CreatedAt: start, UpdatedAt: start}
	require.NoError(e.t, e.store.SaveInvoice(ctx, inv))
	return b
}

const otherPassword = "autreville-mot-de-passe"

// onHost makes the browser's requests carry the Host header host, as a
// browser on that biller's address would (the test server answers on
// 127.0.0.1; the cookie jar keys cookies by the server's address, so a
// browser should stay on one host).
func (b *browser) onHost(host string) *browser {
	b.host = host
	return b
}

// otherBillerInvoiceID is the id of the other biller's invoice.
func (e *env) otherBillerInvoiceID() uuid.UUID {
	return uuid.NewSHA1(uuid.MustParse("00000000-0000-4000-8000-000000009900"), []byte("AUTRE-2026-1"))
}

// postMultipart posts a multipart form with the last page's form token,
// the fields, and one file (when name is not empty) in fileField, as a
// browser would from an upload page.
func (b *browser) postMultipart(path string, fields map[string]string, fileField, name string, content []byte) resp {
	b.e.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	require.NoError(b.e.t, w.WriteField("jeton", b.token()))
	for k, v := range fields {
		require.NoError(b.e.t, w.WriteField(k, v))
	}
	if name != "" {
		part, err := w.CreateFormFile(fileField, name)
		require.NoError(b.e.t, err)
		_, err = part.Write(content)
		require.NoError(b.e.t, err)
	}
	require.NoError(b.e.t, w.Close())
	req, err := http.NewRequest(http.MethodPost, b.e.ts.URL+path, &body)
	require.NoError(b.e.t, err)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Origin", b.e.ts.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

// postFile posts the import form's fields and a file in "fichier".
func (b *browser) postFile(path string, fields map[string]string, name, content string) resp {
	b.e.t.Helper()
	return b.postMultipart(path, fields, "fichier", name, []byte(content))
}

// postUpload posts one file in field, with nothing else but the token.
func (b *browser) postUpload(path, field, name string, content []byte) resp {
	b.e.t.Helper()
	return b.postMultipart(path, nil, field, name, content)
}
