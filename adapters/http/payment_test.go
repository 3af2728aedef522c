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
	b := e.Browser().LoginDemo()
	p := b.Get("/paiement?" + ids(water).Encode())
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, "Sélectionnez la ou les factures à régler", water, canteen, nursery,
		"Factures sélectionnées :", "Nombre de factures", "Montant à régler", "243,11\u00a0€", "Payer la facture", "Fermer")
	assert.Contains(t, p.Body, `<label class="ligne-selection">`+"\n"+`<input type="checkbox" name="facture" value="`+idOf(water).String()+`" data-cents="24311" checked>`)
	assert.Contains(t, p.Body, `<dd data-count>1</dd>`)
	assert.Regexp(t, `<script src="/static/selection.js\?v=[0-9a-f]+" defer></script>`, p.Body)

	// Without JavaScript, "Mettre à jour le total" asks the server.
	p = b.Get("/paiement?" + ids(water, canteen).Encode())
	assert.Contains(t, p.Body, `<dd data-count>2</dd>`)
	contains(t, p, "301,51\u00a0€", "Mettre à jour le total")
}

func TestSummaryAndItsErrors(t *testing.T) {
	e := newEnv(t)
	b := e.Browser().LoginDemo()
	p := b.Get("/paiement/recapitulatif?" + ids(water, canteen).Encode())
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, "Informations pour le paiement", "Identifiant collectivité", demo.Numcli,
		"Montant du règlement", "301,51\u00a0€", "Références des factures", water+", "+canteen,
		"Payer la facture sur le portail PayFiP", "Fermer")
	assert.Contains(t, p.Header.Get("Content-Security-Policy"), "form-action 'self' https:", "no payment page configured: any https target")
	assert.Contains(t, p.Body, "un délai d'attente de 2 heures", "the manual's wait, from the biller's lock duration")

	named := newEnv(t, func(c *Config) { c.PaymentPages = []string{"https://www.PayFiP.gouv.fr/tpa/paiementws.web"} })
	p = named.Browser().LoginDemo().Get("/paiement/recapitulatif?" + ids(water).Encode())
	require.Equal(t, http.StatusOK, p.Status)
	assert.Contains(t, p.Header.Get("Content-Security-Policy"), "form-action 'self' https://www.PayFiP.gouv.fr;")

	t.Run("nothing selected", func(t *testing.T) {
		p := b.Get("/paiement/recapitulatif")
		assert.Equal(t, http.StatusBadRequest, p.Status)
		contains(t, p, "Veuillez sélectionner au moins une facture.", `role="alert"`, `<a href="#invoices">`)
		assert.Contains(t, p.Body, `aria-describedby="invoices-erreur"`)
	})
	t.Run("an invoice that cannot be paid", func(t *testing.T) {
		p := b.Get("/paiement/recapitulatif?" + ids(paidOne).Encode())
		assert.Equal(t, http.StatusConflict, p.Status)
		contains(t, p, "est déjà réglée")
	})
	t.Run("someone else's invoice", func(t *testing.T) {
		assert.Equal(t, http.StatusNotFound, b.Get("/paiement/recapitulatif?"+ids(theirs).Encode()).Status)
	})
	t.Run("malformed id", func(t *testing.T) {
		assert.Equal(t, http.StatusBadRequest, b.Get("/paiement/recapitulatif?facture=x").Status)
	})
}

func TestOneInvoiceAtATime(t *testing.T) {
	e := newEnv(t)
	e.SetBiller(func(b *domain.Biller) { b.MultiplePayments = false })
	b := e.Browser().LoginDemo()
	p := b.Get("/paiement?" + ids(water).Encode())
	require.Equal(t, http.StatusSeeOther, p.Status)
	assert.Equal(t, "/paiement/recapitulatif?"+ids(water).Encode(), p.Location())
	p = b.Get("/paiement")
	contains(t, p, "Sélectionnez la facture à régler")
	assert.Contains(t, p.Body, `type="radio" name="facture"`)
	p = b.Get("/paiement/recapitulatif?" + ids(water, canteen).Encode())
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, "ne permet de régler qu'une facture à la fois")
}

func TestStartPaymentLocksTheInvoices(t *testing.T) {
	e := newEnv(t)
	b := e.Browser().LoginDemo()
	b.Get("/paiement/recapitulatif?" + ids(water).Encode())
	p := b.Post("/paiement", ids(water))
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	assert.Equal(t, portstest.FakeGatewayURL+"?idop=op-1", p.Location())

	detail := b.Get("/factures/" + idOf(water).String())
	contains(t, detail, "Paiement en cours", "Une nouvelle tentative sera possible à partir du",
		domain.FrenchDateTime(start.Add(domain.DefaultLockDuration)))
	notContains(t, detail, `href="/paiement?facture=`, "Marquer la facture comme réglée")

	p = b.Post("/paiement", ids(water))
	assert.Equal(t, http.StatusConflict, p.Status)
	contains(t, p, "Un paiement de la facture "+water+" est en cours")
}

func TestGatewayDown(t *testing.T) {
	e := newEnv(t)
	e.Gateway.FailNextStarts(1, domain.WrapUnavailable(errors.New("payfip unreachable")))
	b := e.Browser().LoginDemo()
	b.Get("/paiement/recapitulatif?" + ids(water).Encode())
	p := b.Post("/paiement", ids(water))
	assert.Equal(t, http.StatusServiceUnavailable, p.Status)
	contains(t, p, "Le service est momentanément indisponible")
	notContains(t, p, "payfip unreachable")
}

// started logs in as demo, starts a payment of water and returns the
// browser.
func started(t *testing.T, e *env) *browser {
	b := e.Browser().LoginDemo()
	b.Get("/paiement/recapitulatif?" + ids(water).Encode())
	require.Equal(t, http.StatusSeeOther, b.Post("/paiement", ids(water)).Status)
	return b
}

func TestNotificationNeedsNoTokenAndComesFromAnywhere(t *testing.T) {
	e := newEnv(t)
	started(t, e)
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
	e := newEnv(t)
	owner := started(t, e)
	e.Gateway.SetOutcome("op-1", domain.OutcomeRefused)

	p := owner.Get(ports.PathPaymentReturn + "?idop=op-1")
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, "Paiement refusé", "aucune somme n'a été prélevée", "243,11\u00a0€", water, "Mes factures")

	anonymous := e.Browser()
	p = anonymous.PostRaw(ports.PathPaymentReturn, url.Values{"idop": {"op-1"}}, "Sec-Fetch-Site", "cross-site")
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	contains(t, p, "Retour du paiement", "Mes factures")
	notContains(t, p, "Paiement refusé", water, "243,11")

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
	notContains(t, p, "Paiement refusé", water)

	assert.Equal(t, http.StatusNotFound, anonymous.Get(ports.PathPaymentReturn+"?idop=op-42").Status)
	assert.Equal(t, http.StatusBadRequest, anonymous.Get(ports.PathPaymentReturn).Status)
}
