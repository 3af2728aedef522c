package http

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
	"github.com/portail-factures/portail/ports/portstest"
)

func ids(numbers ...string) url.Values {
	v := url.Values{}
	for _, n := range numbers {
		v.Add("facture", idOf(n).String())
	}
	return v
}

func TestSelectionScreen(t *testing.T) {
	e := newEnv(t)
	b := e.browser().loginDemo()
	p := b.get("/paiement?" + ids(water).Encode())
	require.Equal(t, http.StatusOK, p.status)
	contains(t, p, "Sélectionnez la ou les factures à régler", water, canteen, nursery,
		"Factures sélectionnées :", "Nombre de factures", "Montant à régler", "243,11\u00a0€", "Payer la facture", "Fermer")
	assert.Contains(t, p.body, `<label class="ligne-selection">`+"\n"+`<input type="checkbox" name="facture" value="`+idOf(water).String()+`" data-cents="24311" checked>`)
	assert.Contains(t, p.body, `<dd data-count>1</dd>`)
	assert.Regexp(t, `<script src="/static/selection.js\?v=[0-9a-f]+" defer></script>`, p.body)

	// Without JavaScript, "Mettre à jour le total" asks the server.
	p = b.get("/paiement?" + ids(water, canteen).Encode())
	assert.Contains(t, p.body, `<dd data-count>2</dd>`)
	contains(t, p, "301,51\u00a0€", "Mettre à jour le total")
}

func TestSummaryAndItsErrors(t *testing.T) {
	e := newEnv(t)
	b := e.browser().loginDemo()
	p := b.get("/paiement/recapitulatif?" + ids(water, canteen).Encode())
	require.Equal(t, http.StatusOK, p.status)
	contains(t, p, "Informations pour le paiement", "Identifiant collectivité", demo.Numcli,
		"Montant du règlement", "301,51\u00a0€", "Références des factures", water+", "+canteen,
		"Payer la facture sur le portail PayFiP", "Fermer")
	assert.Contains(t, p.header.Get("Content-Security-Policy"), "form-action 'self' https:", "no payment page configured: any https target")
	assert.Contains(t, p.body, "un délai d'attente de 2 heures", "the manual's wait, from the biller's lock duration")

	named := newEnv(t, func(c *Config) { c.PaymentPages = []string{"https://www.payfip.gouv.fr/tpa/paiementws.web"} })
	p = named.browser().loginDemo().get("/paiement/recapitulatif?" + ids(water).Encode())
	require.Equal(t, http.StatusOK, p.status)
	assert.Contains(t, p.header.Get("Content-Security-Policy"), "form-action 'self' https://www.payfip.gouv.fr;")

	t.Run("nothing selected", func(t *testing.T) {
		p := b.get("/paiement/recapitulatif")
		assert.Equal(t, http.StatusBadRequest, p.status)
		contains(t, p, "Veuillez sélectionner au moins une facture.", `role="alert"`, `<a href="#invoices">`)
		assert.Contains(t, p.body, `aria-describedby="invoices-erreur"`)
	})
	t.Run("an invoice that cannot be paid", func(t *testing.T) {
		p := b.get("/paiement/recapitulatif?" + ids(paidOne).Encode())
		assert.Equal(t, http.StatusConflict, p.status)
		contains(t, p, "est déjà réglée")
	})
	t.Run("someone else's invoice", func(t *testing.T) {
		assert.Equal(t, http.StatusNotFound, b.get("/paiement/recapitulatif?"+ids(theirs).Encode()).status)
	})
	t.Run("malformed id", func(t *testing.T) {
		assert.Equal(t, http.StatusBadRequest, b.get("/paiement/recapitulatif?facture=x").status)
	})
}

func TestOneInvoiceAtATime(t *testing.T) {
	e := newEnv(t)
	e.setBiller(func(b *domain.Biller) { b.MultiplePayments = false })
	b := e.browser().loginDemo()
	p := b.get("/paiement?" + ids(water).Encode())
	require.Equal(t, http.StatusSeeOther, p.status)
	assert.Equal(t, "/paiement/recapitulatif?"+ids(water).Encode(), p.location())
	p = b.get("/paiement")
	contains(t, p, "Sélectionnez la facture à régler")
	assert.Contains(t, p.body, `type="radio" name="facture"`)
	p = b.get("/paiement/recapitulatif?" + ids(water, canteen).Encode())
	assert.Equal(t, http.StatusBadRequest, p.status)
	contains(t, p, "ne permet de régler qu'une facture à la fois")
}

func TestStartPaymentLocksTheInvoices(t *testing.T) {
	e := newEnv(t)
	b := e.browser().loginDemo()
	b.get("/paiement/recapitulatif?" + ids(water).Encode())
	p := b.post("/paiement", ids(water))
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	assert.Equal(t, portstest.FakeGatewayURL+"?idop=op-1", p.location())

	detail := b.get("/factures/" + idOf(water).String())
	contains(t, detail, "Paiement en cours", "Une nouvelle tentative sera possible à partir du",
		domain.FrenchDateTime(start.Add(domain.DefaultLockDuration)))
	notContains(t, detail, `href="/paiement?facture=`, "Marquer la facture comme réglée")

	p = b.post("/paiement", ids(water))
	assert.Equal(t, http.StatusConflict, p.status)
	contains(t, p, "Un paiement de la facture "+water+" est en cours")
}

func TestGatewayDown(t *testing.T) {
	e := newEnv(t)
	e.gateway.FailNextStarts(1, domain.WrapUnavailable(errors.New("payfip unreachable")))
	b := e.browser().loginDemo()
	b.get("/paiement/recapitulatif?" + ids(water).Encode())
	p := b.post("/paiement", ids(water))
	assert.Equal(t, http.StatusServiceUnavailable, p.status)
	contains(t, p, "Le service est momentanément indisponible")
	notContains(t, p, "payfip unreachable")
}

// started logs in as demo, starts a payment of water and returns the
// browser.
func started(t *testing.T, e *env) *browser {
	b := e.browser().loginDemo()
	b.get("/paiement/recapitulatif?" + ids(water).Encode())
	require.Equal(t, http.StatusSeeOther, b.post("/paiement", ids(water)).status)
	return b
}

func TestNotificationNeedsNoTokenAndComesFromAnywhere(t *testing.T) {
	e := newEnv(t)
	started(t, e)
	e.gateway.SetOutcome("op-1", domain.OutcomePaid)
	dgfip := e.browser()
	p := dgfip.postRaw(ports.PathPaymentNotify, url.Values{"idop": {"op-1"}},
		"Origin", "https://www.payfip.gouv.fr", "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusOK, p.status)
	assert.Equal(t, "OK", p.body)
	assert.Equal(t, "text/plain; charset=utf-8", p.header.Get("Content-Type"))

	p = dgfip.get(ports.PathPaymentNotify + "?idop=op-1")
	assert.Equal(t, http.StatusOK, p.status, "GET works too, and twice is harmless")

	p = dgfip.postRaw(ports.PathPaymentNotify, url.Values{"idop": {"op-999"}})
	assert.Equal(t, http.StatusNotFound, p.status)
	assert.NotContains(t, p.body, "<html")
	p = dgfip.postRaw(ports.PathPaymentNotify, url.Values{})
	assert.Equal(t, http.StatusBadRequest, p.status)
	assert.NotContains(t, p.body, "goroutine")
}

func TestReturnPageShowsDetailsOnlyToTheirOwner(t *testing.T) {
	e := newEnv(t)
	owner := started(t, e)
	e.gateway.SetOutcome("op-1", domain.OutcomeRefused)

	p := owner.get(ports.PathPaymentReturn + "?idop=op-1")
	require.Equal(t, http.StatusOK, p.status)
	contains(t, p, "Paiement refusé", "aucune somme n'a été prélevée", "243,11\u00a0€", water, "Mes factures")

	anonymous := e.browser()
	p = anonymous.postRaw(ports.PathPaymentReturn, url.Values{"idop": {"op-1"}}, "Sec-Fetch-Site", "cross-site")
	require.Equal(t, http.StatusOK, p.status, p.body)
	contains(t, p, "Retour du paiement", "Mes factures")
	notContains(t, p, "Paiement refusé", water, "243,11")

	// Another citizen reads the neutral message too.
	other := e.browser()
	other.get("/activation")
	other.post("/activation", url.Values{"email": {demo.NewcomerEmail}})
	link := e.linkTo(demo.NewcomerEmail)
	other.get(link)
	secret, _ := url.QueryUnescape(strings.TrimPrefix(link, "/mot-de-passe?lien="))
	other.post("/mot-de-passe", url.Values{"lien": {secret}, "password": {"nouveau123"}, "confirm": {"nouveau123"}})
	other.login(demo.NewcomerEmail, "nouveau123", false)
	p = other.get(ports.PathPaymentReturn + "?idop=op-1")
	notContains(t, p, "Paiement refusé", water)

	assert.Equal(t, http.StatusNotFound, anonymous.get(ports.PathPaymentReturn+"?idop=op-42").status)
	assert.Equal(t, http.StatusBadRequest, anonymous.get(ports.PathPaymentReturn).status)
}
