package citizen_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/adapters/http/webtest/full"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// lastYear is the demo's past year of payments (ports/demo).
var lastYear = webtest.Start.Year() - 1

func TestCertificateOfLastYear(t *testing.T) {
	e := full.New(t)
	b := e.Browser().LoginDemo()
	page := ports.PathCertificate(lastYear)
	pdfPath := page + ports.PathCertificatePDFSuffix

	paid := b.Get("/factures?onglet=reglees")
	webtest.Contains(t, paid, "Attestations annuelles", fmt.Sprintf("Attestation de paiement des frais de garde %d", lastYear))
	assert.Contains(t, paid.Body, `href="`+page+`"`)
	assert.Contains(t, paid.Body, `href="`+pdfPath+`"`)
	webtest.NotContains(t, b.Get("/factures"), "Attestations annuelles")

	p := b.Get(page)
	require.Equal(t, http.StatusOK, p.Status)
	webtest.Contains(t, p, fmt.Sprintf("Attestation de paiement des frais de garde %d", lastYear), "Commune de Démoville",
		"Camille Martin", "DEMO-0001", "Crèche municipale, janvier", "Crèche municipale, avril", "Crèche municipale, septembre",
		"05/02/", "en ligne", "hors du portail", "549,45\u00a0€", "article 200 quater B", "Code de vérification")
	webtest.NotContains(t, p, "Restauration scolaire, mars", "Eau et assainissement")
	code := codeRe.FindString(p.Body)
	require.NotEmpty(t, code)
	assert.Equal(t, code, codeRe.FindString(b.Get(page).Body), "the same certificate keeps its code")

	pdf := b.Get(pdfPath)
	require.Equal(t, http.StatusOK, pdf.Status)
	assert.Equal(t, "application/pdf", pdf.Header.Get("Content-Type"))
	assert.Contains(t, pdf.Header.Get("Content-Disposition"), fmt.Sprintf("attestation-%d-DEMO-0001.pdf", lastYear))
	assert.True(t, len(pdf.Body) > 1000 && pdf.Body[:5] == "%PDF-")

	t.Run("its code verifies on /verification, showing only the biller, payer, total and date", func(t *testing.T) {
		anyone := e.Browser()
		anyone.Get(ports.PathVerification)
		v := anyone.Post(ports.PathVerification, url.Values{"code": {code}})
		webtest.Contains(t, v, "Document authentique", "Attestation annuelle de paiement", "Camille Martin", "549,45\u00a0€")
		webtest.NotContains(t, v, "Crèche municipale")
	})
	t.Run("no certificate for the current year, a year without payments, or a bad year", func(t *testing.T) {
		for _, path := range []string{ports.PathCertificate(lastYear + 1), ports.PathCertificate(lastYear - 3),
			ports.PathCertificates + "/abc", ports.PathCertificate(lastYear+1) + ports.PathCertificatePDFSuffix} {
			p := b.Get(path)
			assert.Equal(t, http.StatusNotFound, p.Status, path)
			webtest.Contains(t, p, domain.ErrNoCertificate.Message)
		}
	})
	t.Run("another payer or nobody sees nothing of it", func(t *testing.T) {
		anonymous := e.Browser()
		p := anonymous.Get(page)
		assert.NotEqual(t, http.StatusOK, p.Status)
		webtest.NotContains(t, p, "549,45", code)
	})
	t.Run("a biller that offers none shows no link and no certificate", func(t *testing.T) {
		e.SetBiller(func(b *domain.Biller) { b.Certificate.Offered = false })
		webtest.NotContains(t, b.Get("/factures?onglet=reglees"), "Attestations annuelles")
		assert.Equal(t, http.StatusNotFound, b.Get(page).Status)
	})
}
