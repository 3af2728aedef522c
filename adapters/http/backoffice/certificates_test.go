package backoffice_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

// lastYear is the demo's past year of payments (ports/demo).
var lastYear = webtest.Start.Year() - 1

func TestStaffProducesAPayersCertificate(t *testing.T) {
	e := newEnv(t)
	e.otherBiller()
	b := e.Reader()
	payer := e.demoPayer("DEMO-0001")
	page := fmt.Sprintf("/gestion/redevables/%s/attestations/%d", payer, lastYear)
	title := fmt.Sprintf("Attestation de paiement des frais de garde %d", lastYear)

	p := b.Get("/gestion/redevables/" + payer.String())
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, "Attestations annuelles", title)
	assert.Contains(t, p.Body, `href="`+page+`"`)
	notContains(t, b.Get("/gestion/redevables/"+e.demoPayer("DEMO-0002").String()), "Attestations annuelles")

	p = b.Get(page)
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	contains(t, p, title, "Camille Martin", "Crèche municipale, avril", "hors du portail", "549,45", "Code de vérification")
	notContains(t, p, "Restauration scolaire")
	pdf := b.Get(page + "/pdf")
	require.Equal(t, http.StatusOK, pdf.Status)
	assert.Equal(t, "application/pdf", pdf.Header.Get("Content-Type"))
	assert.True(t, pdf.Body[:5] == "%PDF-")
	contains(t, b.Get("/gestion/journal"), "Attestation annuelle produite", fmt.Sprintf("Attestation %d de Camille Martin", lastYear))

	for _, path := range []string{
		fmt.Sprintf("/gestion/redevables/%s/attestations/%d", payer, lastYear-2), // nothing paid
		fmt.Sprintf("/gestion/redevables/%s/attestations/%d", payer, lastYear+1), // not over
		fmt.Sprintf("/gestion/redevables/%s/attestations/%d", uuid.NewSHA1(uuid.MustParse("00000000-0000-4000-8000-000000009900"), []byte("AUTRE-0001")), lastYear),
	} {
		p := b.Get(path)
		assert.Equal(t, http.StatusNotFound, p.Status, path)
		notContains(t, p, "549,45")
	}
}

func TestStaffDownloadsEveryCertificateOfAYearAsOneZIP(t *testing.T) {
	e := newEnv(t)
	e.otherBiller()
	ctx := context.Background()
	// A second payer of the demo biller with a covered payment last year,
	// whose reference makes the same ASCII file name as a third one.
	paidAt := time.Date(lastYear, time.June, 1, 10, 0, 0, 0, domain.Paris)
	for i, ref := range []string{"FAM/001", "FAM_001", "FAM-ZÉRO"} {
		p := domain.Payer{ID: uuid.New(), BillerID: demo.BillerID, ExternalRef: ref, Name: fmt.Sprintf("Famille %d", i),
			CreatedAt: webtest.Start, UpdatedAt: webtest.Start}
		require.NoError(t, e.Store.SavePayer(ctx, p))
		inv := domain.Invoice{ID: uuid.New(), BillerID: demo.BillerID, PayerID: p.ID, Number: fmt.Sprintf("ZIP-%d", i),
			Object: "Crèche municipale, juin", IssueDate: domain.DateOf(paidAt, domain.Paris).AddDays(-10),
			DueDate: domain.DateOf(paidAt, domain.Paris).AddDays(10), Amount: dec("100.00"), State: domain.InvoicePaid,
			PaidAt: paidAt, CreatedAt: webtest.Start, UpdatedAt: webtest.Start}
		require.NoError(t, e.Store.SaveInvoice(ctx, inv))
	}
	b := e.Reader()
	list := b.Get("/gestion/redevables")
	contains(t, list, "Attestations annuelles de tous les redevables", fmt.Sprintf(`value="%d"`, lastYear))

	z := b.Get(fmt.Sprintf("/gestion/redevables/attestations.zip?annee=%d", lastYear))
	require.Equal(t, http.StatusOK, z.Status, z.Body)
	assert.Equal(t, "application/zip", z.Header.Get("Content-Type"))
	assert.Contains(t, z.Header.Get("Content-Disposition"), fmt.Sprintf("attestations-%d.zip", lastYear))
	r, err := zip.NewReader(bytes.NewReader([]byte(z.Body)), int64(len(z.Body)))
	require.NoError(t, err)
	names := map[string]bool{}
	for _, f := range r.File {
		names[f.Name] = true
		rc, err := f.Open()
		require.NoError(t, err)
		data, err := io.ReadAll(rc)
		require.NoError(t, err)
		assert.Equal(t, "%PDF-", string(data[:5]), f.Name)
	}
	assert.Len(t, r.File, 4, "one PDF a payer with a certificate; the other biller's payer never")
	assert.True(t, names[fmt.Sprintf("attestation-%d-DEMO-0001.pdf", lastYear)], "%v", names)
	assert.True(t, names[fmt.Sprintf("attestation-%d-FAM_001.pdf", lastYear)] && names[fmt.Sprintf("attestation-%d-FAM_001-2.pdf", lastYear)],
		"two references of one ASCII name get two files: %v", names)
	contains(t, b.Get("/gestion/journal"), "Attestations annuelles exportées (ZIP)", fmt.Sprintf("Attestations %d : 4 redevables", lastYear))

	t.Run("a year without any certificate, or no year, is an error page, not an empty archive", func(t *testing.T) {
		p := b.Get(fmt.Sprintf("/gestion/redevables/attestations.zip?annee=%d", lastYear-5))
		assert.Equal(t, http.StatusNotFound, p.Status)
		contains(t, p, domain.ErrNoCertificate.Message)
		p = b.Get("/gestion/redevables/attestations.zip?annee=deux")
		assert.Equal(t, http.StatusBadRequest, p.Status)
		contains(t, p, ports.ErrCertificateYear.Message)
	})
	t.Run("a biller that offers none says where to turn it on", func(t *testing.T) {
		e.SetBiller(func(b *domain.Biller) { b.Certificate.Offered = false })
		p := b.Get(fmt.Sprintf("/gestion/redevables/attestations.zip?annee=%d", lastYear))
		assert.Equal(t, http.StatusBadRequest, p.Status)
		contains(t, p, "Paramètres → Attestation annuelle")
		notContains(t, b.Get("/gestion/redevables"), "Attestations annuelles de tous les redevables")
	})
}
