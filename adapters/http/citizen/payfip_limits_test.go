package citizen_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/adapters/http/webtest/full"
	"github.com/portail-factures/portail/ports/demo"
)

// setAmount changes the amount of a demo invoice.
func setAmount(e *webtest.Env, number, amount string) {
	e.T.Helper()
	ctx := context.Background()
	inv, err := e.Store.Invoice(ctx, webtest.IDOf(number))
	require.NoError(e.T, err)
	inv.Amount = webtest.Dec(amount)
	require.NoError(e.T, e.Store.SaveInvoice(ctx, inv))
}

func TestInvoiceAboveTheURLModeLimitSaysWhy(t *testing.T) {
	e := full.NewURLMode(t)
	setAmount(e, webtest.Water, "12500.00")
	why := "La facture " + webtest.Water + " ne peut pas être réglée en ligne : son montant (12\u202f500,00\u00a0€) dépasse le maximum de 9\u202f999,99\u00a0€ d'un paiement en ligne. Contactez le service."
	b := e.Browser().LoginDemo()

	p := b.Get("/factures/" + webtest.IDOf(webtest.Water).String())
	require.Equal(t, http.StatusOK, p.Status)
	webtest.Contains(t, p, why, "Marquer la facture comme réglée")
	webtest.NotContains(t, p, "/paiement?facture=")

	p = b.Get("/paiement")
	require.Equal(t, http.StatusOK, p.Status)
	webtest.Contains(t, p, why, webtest.Canteen, webtest.Nursery)
	assert.NotContains(t, p.Body, `value="`+webtest.IDOf(webtest.Water).String()+`"`, "not offered in the selection")

	p = b.Get("/paiement/recapitulatif?" + webtest.Selection(webtest.Water).Encode())
	assert.Equal(t, http.StatusConflict, p.Status)
	webtest.Contains(t, p, why)

	p = b.Post("/paiement", webtest.Selection(webtest.Water))
	assert.Equal(t, http.StatusConflict, p.Status)
	webtest.Contains(t, p, why)
	assert.Empty(t, e.Gateway.Requests(), "nothing sent to PayFiP")

	// Through the web service, the same invoice can be paid.
	ws := full.New(t)
	setAmount(ws, webtest.Water, "12500.00")
	webtest.Contains(t, ws.Browser().LoginDemo().Get("/factures/"+webtest.IDOf(webtest.Water).String()), "/paiement?facture=")
}

func TestSelectionAboveTheURLModeLimitSaysWhy(t *testing.T) {
	e := full.NewURLMode(t)
	setAmount(e, webtest.Water, "6000.00")
	setAmount(e, webtest.Canteen, "4000.00")
	b := e.Browser().LoginDemo()
	p := b.Get("/paiement/recapitulatif?" + webtest.Selection(webtest.Water, webtest.Canteen).Encode())
	assert.Equal(t, http.StatusBadRequest, p.Status)
	webtest.Contains(t, p, "Le montant maximum d'un paiement en ligne est de 9\u202f999,99\u00a0€ : sélectionnez moins de factures.", `<a href="#invoices">`)
}

// setDemoEmail gives the demo account another address, as an import may
// have.
func setDemoEmail(e *webtest.Env, addr string) {
	e.T.Helper()
	ctx := context.Background()
	a, err := e.Store.AccountByEmail(ctx, demo.BillerID, demo.Email)
	require.NoError(e.T, err)
	a.Email = addr
	require.NoError(e.T, e.Store.SaveAccount(ctx, a))
}

func TestAccentedAddressIsRefusedOnThePaymentPage(t *testing.T) {
	e := full.New(t)
	b := e.Browser().LoginDemo()
	setDemoEmail(e, "jérôme@exemple.fr")

	p := b.Get("/paiement/recapitulatif?" + webtest.Selection(webtest.Water).Encode())
	assert.Equal(t, http.StatusBadRequest, p.Status)
	webtest.Contains(t, p, "Votre adresse de messagerie (jérôme@exemple.fr) contient des lettres accentuées", "changez d'adresse dans « Mes informations »")

	p = b.Post("/paiement", webtest.Selection(webtest.Water))
	assert.Equal(t, http.StatusBadRequest, p.Status)
	webtest.Contains(t, p, "« Mes informations »")
	assert.Empty(t, e.Gateway.Requests(), "nothing sent to PayFiP")
	inv, err := e.Store.Invoice(context.Background(), webtest.IDOf(webtest.Water))
	require.NoError(t, err)
	assert.False(t, inv.Locked(e.Clock.Now()), "nothing stored")
}

func TestEmailChangeRefusesAnAddressPayFiPRefuses(t *testing.T) {
	e := full.New(t)
	b := e.Browser().LoginDemo()
	p := b.Get("/mes-informations")
	webtest.Contains(t, p, "Sans accent ni caractère spécial avant le « @ »")
	assert.Contains(t, p.Body, `aria-describedby="adresse-email-aide"`)
	p = b.Post("/mes-informations/adresse", url.Values{"email": {"élodie@exemple.fr"}, "current_password": {demo.Password}})
	assert.Equal(t, http.StatusBadRequest, p.Status)
	webtest.Contains(t, p, "Cette adresse contient des lettres accentuées ou des caractères spéciaux avant le « @ »", `<a href="#adresse-email">`)
	assert.Zero(t, e.MailsTo("élodie@exemple.fr"))
}
