package citizen_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/adapters/http/webtest/full"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

var codeRe = regexp.MustCompile(`[34679ACDEFGHJKMNPQRTWXY]{4}-[34679ACDEFGHJKMNPQRTWXY]{4}-[34679ACDEFGHJKMNPQRTWXY]{4}`)

func TestReceiptOfAnOnlinePayment(t *testing.T) {
	e := full.New(t)
	b := e.StartPaying()
	e.Gateway.SetOutcome("op-1", domain.OutcomePaid)
	p := b.Get(ports.PathPaymentReturn + "?idop=op-1")
	require.Equal(t, http.StatusOK, p.Status)
	receipt := ports.PathReceipt(webtest.IDOf(webtest.Water))
	assert.Contains(t, p.Body, `href="`+receipt+`"`, "the return page links to the receipt")

	p = b.Get("/factures/" + webtest.IDOf(webtest.Water).String())
	assert.Contains(t, p.Body, `href="`+receipt+`"`, "the paid invoice links to its receipt")

	p = b.Get(receipt)
	require.Equal(t, http.StatusOK, p.Status)
	webtest.Contains(t, p, "Reçu de paiement", "Commune de Démoville", "Paiement en ligne (PayFiP)", webtest.Water,
		"243,11\u00a0€", "op-1", "Numéro de transaction PayFiP", "Code de vérification")
	code := codeRe.FindString(p.Body)
	require.NotEmpty(t, code)
	again := b.Get(receipt)
	assert.Equal(t, code, codeRe.FindString(again.Body), "the same receipt keeps its code")

	pdf := b.Get(receipt + ".pdf")
	require.Equal(t, http.StatusOK, pdf.Status)
	assert.Equal(t, "application/pdf", pdf.Header.Get("Content-Type"))
	assert.Contains(t, pdf.Header.Get("Content-Disposition"), "recu-")
	assert.True(t, len(pdf.Body) > 1000 && pdf.Body[:5] == "%PDF-")

	t.Run("the confirmation mail carries the PDF, with the same code", func(t *testing.T) {
		var paid *ports.Mail
		for _, m := range e.Mails.Mails() {
			if m.To == demo.Email && strings.HasPrefix(m.Subject, "Confirmation de votre paiement") {
				paid = &m.Mail
				break
			}
		}
		require.NotNil(t, paid)
		assert.Contains(t, paid.Text, "Votre reçu de paiement est joint")
		require.Len(t, paid.Attachments, 1)
		att := paid.Attachments[0]
		assert.Equal(t, "application/pdf", att.ContentType)
		assert.Regexp(t, `^recu-[A-Z0-9]+\.pdf$`, att.Name)
		assert.Equal(t, pdf.Body, string(att.Data), "the same receipt, the same file")
	})
	t.Run("the demo's /_dev/mail lists the PDF made at delivery and serves it", func(t *testing.T) {
		box := e.Browser().Get("/_dev/mail")
		require.Equal(t, http.StatusOK, box.Status)
		webtest.Contains(t, box, "Confirmation de votre paiement", "Pièces jointes", "application/pdf")
		link := regexp.MustCompile(`href="(/_dev/mail/\d+/pieces/1)" download>(recu-[A-Z0-9]+\.pdf)<`).FindStringSubmatch(box.Body)
		require.NotNil(t, link, "the receipt's link on the page")
		file := e.Browser().Get(link[1])
		require.Equal(t, http.StatusOK, file.Status)
		assert.Equal(t, "application/pdf", file.Header.Get("Content-Type"))
		assert.Contains(t, file.Header.Get("Content-Disposition"), link[2])
		assert.Equal(t, pdf.Body, file.Body, "the file the mail carried")
	})
	t.Run("another payer sees nothing of it", func(t *testing.T) {
		theirs := ports.PathReceipt(webtest.IDOf(webtest.Theirs))
		assert.Equal(t, http.StatusNotFound, b.Get(theirs).Status)
		assert.Equal(t, http.StatusNotFound, b.Get(theirs+".pdf").Status)
		anonymous := e.Browser()
		p := anonymous.Get(receipt)
		assert.NotEqual(t, http.StatusOK, p.Status)
		webtest.NotContains(t, p, "243,11", code)
	})
	t.Run("an unpaid invoice has no receipt", func(t *testing.T) {
		p := b.Get(ports.PathReceipt(webtest.IDOf(webtest.Canteen)))
		assert.Equal(t, http.StatusNotFound, p.Status)
		webtest.Contains(t, p, domain.ErrNoReceipt.Message)
		webtest.NotContains(t, b.Get("/factures/"+webtest.IDOf(webtest.Canteen).String()), "reçu")
	})
}

func TestNoReceiptForATestPayment(t *testing.T) {
	e := full.New(t)
	e.SetBiller(func(b *domain.Biller) { b.Saisie = domain.SaisieTest })
	b := e.StartPaying()
	e.Gateway.SetOutcome("op-1", domain.OutcomePaid)
	p := b.Get(ports.PathPaymentReturn + "?idop=op-1")
	require.Equal(t, http.StatusOK, p.Status)
	assert.NotContains(t, p.Body, "/recu")
	assert.Equal(t, http.StatusNotFound, b.Get(ports.PathReceipt(webtest.IDOf(webtest.Water))).Status)
}

func TestReceiptOfAPaymentRecordedByTheService(t *testing.T) {
	e := full.New(t)
	ctx := context.Background()
	inv, err := e.Store.Invoice(ctx, webtest.IDOf(webtest.Canteen))
	require.NoError(t, err)
	inv.State, inv.PaidAt = domain.InvoicePaid, webtest.Start
	require.NoError(t, e.Store.SaveInvoice(ctx, inv))
	b := e.Browser().LoginDemo()
	p := b.Get(ports.PathReceipt(inv.ID))
	require.Equal(t, http.StatusOK, p.Status)
	webtest.Contains(t, p, "Reçu de paiement", "réglé hors du portail", webtest.Canteen)
	webtest.NotContains(t, p, "PayFiP")
	assert.Equal(t, http.StatusOK, b.Get(ports.PathReceipt(inv.ID)+".pdf").Status)
}
