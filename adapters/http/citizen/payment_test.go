package citizen_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	web "github.com/portail-factures/portail/adapters/http"
	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/adapters/http/webtest/full"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
	"github.com/portail-factures/portail/ports/portstest"
)

func TestSelectionScreen(t *testing.T) {
	e := full.New(t)
	b := e.Browser().LoginDemo()
	p := b.Get("/paiement?" + webtest.Selection(webtest.Water).Encode())
	require.Equal(t, http.StatusOK, p.Status)
	webtest.Contains(t, p, "Sélectionnez la ou les factures à régler", webtest.Water, webtest.Canteen, webtest.Nursery,
		"Factures sélectionnées :", "Nombre de factures", "Montant à régler", "243,11\u00a0€", "Payer la facture", "Fermer")
	assert.Contains(t, p.Body, `<label class="ligne-selection">`+"\n"+`<input type="checkbox" name="facture" value="`+webtest.IDOf(webtest.Water).String()+`" data-cents="24311" checked>`)
	assert.Contains(t, p.Body, `<dd data-count>1</dd>`)
	assert.Regexp(t, `<script src="/static/selection\.[0-9a-f]{12}\.js" defer></script>`, p.Body)

	// Without JavaScript, "Mettre à jour le total" asks the server.
	p = b.Get("/paiement?" + webtest.Selection(webtest.Water, webtest.Canteen).Encode())
	assert.Contains(t, p.Body, `<dd data-count>2</dd>`)
	webtest.Contains(t, p, "301,51\u00a0€", "Mettre à jour le total")
}

func TestSummaryAndItsErrors(t *testing.T) {
	e := full.New(t)
	b := e.Browser().LoginDemo()
	p := b.Get("/paiement/recapitulatif?" + webtest.Selection(webtest.Water, webtest.Canteen).Encode())
	require.Equal(t, http.StatusOK, p.Status)
	webtest.Contains(t, p, "Informations pour le paiement", "Identifiant collectivité", demo.Numcli,
		"Montant du règlement", "301,51\u00a0€", "Références des factures", webtest.Water+", "+webtest.Canteen,
		"Payer la facture sur le portail PayFiP", "Fermer")
	assert.Contains(t, p.Header.Get("Content-Security-Policy"), "form-action 'self' https:", "no payment page configured: any https target")
	assert.Contains(t, p.Body, "un délai d'attente de 2 heures", "the manual's wait, from the biller's lock duration")

	named := full.New(t, func(c *web.Config) { c.PaymentPages = []string{"https://www.PayFiP.gouv.fr/tpa/paiementws.web"} })
	p = named.Browser().LoginDemo().Get("/paiement/recapitulatif?" + webtest.Selection(webtest.Water).Encode())
	require.Equal(t, http.StatusOK, p.Status)
	assert.Contains(t, p.Header.Get("Content-Security-Policy"), "form-action 'self' https://www.PayFiP.gouv.fr;")

	t.Run("nothing selected", func(t *testing.T) {
		p := b.Get("/paiement/recapitulatif")
		assert.Equal(t, http.StatusBadRequest, p.Status)
		webtest.Contains(t, p, "Veuillez sélectionner au moins une facture.", `role="alert"`, `<a href="#invoices">`)
		assert.Contains(t, p.Body, `aria-describedby="invoices-erreur"`)
	})
	t.Run("an invoice that cannot be paid", func(t *testing.T) {
		p := b.Get("/paiement/recapitulatif?" + webtest.Selection(webtest.PaidOne).Encode())
		assert.Equal(t, http.StatusConflict, p.Status)
		webtest.Contains(t, p, "est déjà réglée")
	})
	t.Run("someone else's invoice", func(t *testing.T) {
		assert.Equal(t, http.StatusNotFound, b.Get("/paiement/recapitulatif?"+webtest.Selection(webtest.Theirs).Encode()).Status)
	})
	t.Run("malformed id", func(t *testing.T) {
		assert.Equal(t, http.StatusBadRequest, b.Get("/paiement/recapitulatif?facture=x").Status)
	})
}

func TestOneInvoiceAtATime(t *testing.T) {
	e := full.New(t)
	e.SetBiller(func(b *domain.Biller) { b.MultiplePayments = false })
	b := e.Browser().LoginDemo()
	p := b.Get("/paiement?" + webtest.Selection(webtest.Water).Encode())
	require.Equal(t, http.StatusSeeOther, p.Status)
	assert.Equal(t, "/paiement/recapitulatif?"+webtest.Selection(webtest.Water).Encode(), p.Location())
	p = b.Get("/paiement")
	webtest.Contains(t, p, "Sélectionnez la facture à régler")
	assert.Contains(t, p.Body, `type="radio" name="facture"`)
	p = b.Get("/paiement/recapitulatif?" + webtest.Selection(webtest.Water, webtest.Canteen).Encode())
	assert.Equal(t, http.StatusBadRequest, p.Status)
	webtest.Contains(t, p, "ne permet de régler qu'une facture à la fois")
}

func TestStartPaymentLocksTheInvoices(t *testing.T) {
	e := full.New(t)
	b := e.Browser().LoginDemo()
	b.Get("/paiement/recapitulatif?" + webtest.Selection(webtest.Water).Encode())
	p := b.Post("/paiement", webtest.Selection(webtest.Water))
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	assert.Equal(t, portstest.FakeGatewayURL+"?idop=op-1", p.Location())

	detail := b.Get("/factures/" + webtest.IDOf(webtest.Water).String())
	webtest.Contains(t, detail, "Paiement en cours", "Une nouvelle tentative sera possible à partir du",
		domain.FrenchDateTime(webtest.Start.Add(domain.DefaultLockDuration)))
	webtest.NotContains(t, detail, `href="/paiement?facture=`, "Marquer la facture comme réglée")

	p = b.Post("/paiement", webtest.Selection(webtest.Water))
	assert.Equal(t, http.StatusConflict, p.Status)
	webtest.Contains(t, p, "Un paiement de la facture "+webtest.Water+" est en cours")
}

func TestGatewayDown(t *testing.T) {
	e := full.New(t)
	e.Gateway.FailNextStarts(1, domain.WrapUnavailable(errors.New("payfip unreachable")))
	b := e.Browser().LoginDemo()
	b.Get("/paiement/recapitulatif?" + webtest.Selection(webtest.Water).Encode())
	p := b.Post("/paiement", webtest.Selection(webtest.Water))
	assert.Equal(t, http.StatusServiceUnavailable, p.Status)
	webtest.Contains(t, p, "Le service est momentanément indisponible")
	webtest.NotContains(t, p, "payfip unreachable")
}

func TestNotificationNeedsNoTokenAndComesFromAnywhere(t *testing.T) {
	e := full.New(t)
	e.StartPaying()
	e.Gateway.SetOutcome("op-1", domain.OutcomePaid)
	dgfip := e.Browser()
	p := dgfip.PostRaw(ports.PathPaymentNotify, url.Values{"idop": {"op-1"}},
		"Origin", "https://www.PayFiP.gouv.fr", "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusOK, p.Status)
	assert.Equal(t, "OK", p.Body)
	assert.Equal(t, "text/plain; charset=utf-8", p.Header.Get("Content-Type"))

	p = dgfip.Get(ports.PathPaymentNotify + "?idop=op-1")
	assert.Equal(t, http.StatusOK, p.Status, "GET works too, and twice is harmless")

	p = dgfip.PostRaw(ports.PathPaymentNotify, url.Values{"idop": {"op-999"}})
	assert.Equal(t, http.StatusNotFound, p.Status)
	assert.NotContains(t, p.Body, "<html")
	p = dgfip.PostRaw(ports.PathPaymentNotify, url.Values{})
	assert.Equal(t, http.StatusBadRequest, p.Status)
	assert.NotContains(t, p.Body, "goroutine")
}

func TestReturnPageShowsDetailsOnlyToTheirOwner(t *testing.T) {
	e := full.New(t)
	owner := e.StartPaying()
	e.Gateway.SetOutcome("op-1", domain.OutcomeRefused)

	p := owner.Get(ports.PathPaymentReturn + "?idop=op-1")
	require.Equal(t, http.StatusOK, p.Status)
	webtest.Contains(t, p, "Paiement refusé", "aucune somme n'a été prélevée", "243,11\u00a0€", webtest.Water, "Mes factures")

	anonymous := e.Browser()
	p = anonymous.PostRaw(ports.PathPaymentReturn, url.Values{"idop": {"op-1"}}, "Sec-Fetch-Site", "cross-site")
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	webtest.Contains(t, p, "Retour du paiement", "Mes factures")
	webtest.NotContains(t, p, "Paiement refusé", webtest.Water, "243,11")

	// Another citizen reads the neutral message too.
	other := e.Browser()
	other.Get("/activation")
	other.Post("/activation", url.Values{"email": {demo.NewcomerEmail}})
	link := e.LinkTo(demo.NewcomerEmail)
	other.Get(link)
	secret, _ := url.QueryUnescape(strings.TrimPrefix(link, "/mot-de-passe?lien="))
	other.Post("/mot-de-passe", url.Values{"lien": {secret}, "password": {"nouveau123"}, "confirm": {"nouveau123"}})
	other.Login(demo.NewcomerEmail, "nouveau123", false)
	p = other.Get(ports.PathPaymentReturn + "?idop=op-1")
	webtest.NotContains(t, p, "Paiement refusé", webtest.Water)

	assert.Equal(t, http.StatusNotFound, anonymous.Get(ports.PathPaymentReturn+"?idop=op-42").Status)
	assert.Equal(t, http.StatusBadRequest, anonymous.Get(ports.PathPaymentReturn).Status)
}
