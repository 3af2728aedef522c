package citizen_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/adapters/http/webtest/full"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

func TestABrowserPostedToUrlclGoesToTheReturnPage(t *testing.T) {
	e := full.New(t)
	owner := e.StartPaying()
	e.Gateway.SetOutcome("op-1", domain.OutcomePaid)

	// PayFiP posts the payer's browser to urlcl with the result form.
	p := owner.PostRaw(ports.PathPaymentNotify, url.Values{"IDOP": {"op-1"}, "resultrans": {"P"}},
		"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
		"Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document", "Sec-Fetch-Site", "cross-site")
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	assert.Equal(t, ports.PathPaymentReturn+"?idop=op-1", p.Location())
	assert.Equal(t, domain.InvoicePaid, e.InvoiceState(webtest.Water), "the result is recorded before the redirect")

	page := owner.Get(p.Location())
	require.Equal(t, http.StatusOK, page.Status)
	webtest.Contains(t, page, "Paiement accepté", webtest.Water)

	for name, headers := range map[string][]string{
		"Accept only":         {"Accept", "text/html"},
		"Sec-Fetch-Mode only": {"Sec-Fetch-Mode", "navigate"},
	} {
		p = owner.PostRaw(ports.PathPaymentNotify, url.Values{"refdet": {"ABCDEF123456"}}, headers...)
		assert.Equal(t, http.StatusSeeOther, p.Status, name)
		assert.Equal(t, ports.PathPaymentReturn+"?refdet=ABCDEF123456", p.Location(), name+": even when the result is refused")
	}

	server := e.Browser()
	p = server.PostRaw(ports.PathPaymentNotify, url.Values{"idop": {"op-1"}})
	assert.Equal(t, http.StatusOK, p.Status, "a server call still gets its plain answer")
	assert.Equal(t, "OK", p.Body)
}

func TestReturnPageSaysWhatHappened(t *testing.T) {
	t.Run("a test payment took no money", func(t *testing.T) {
		e := full.New(t)
		e.SetBiller(func(b *domain.Biller) { b.Saisie = domain.SaisieTest })
		owner := e.StartPaying()
		e.Gateway.SetOutcome("op-1", domain.OutcomePaid)
		p := owner.Get(ports.PathPaymentReturn + "?idop=op-1")
		require.Equal(t, http.StatusOK, p.Status)
		webtest.Contains(t, p, "Paiement de test", "aucune somme n'a été prélevée", "la facture reste à payer")
		webtest.NotContains(t, p, "Paiement accepté")
		assert.Equal(t, domain.InvoiceUnpaid, e.InvoiceState(webtest.Water))
		for _, m := range e.Mails.Mails() {
			assert.NotContains(t, m.Subject, "paiement", "no receipt")
		}
	})
	t.Run("an unconfirmed payment awaits the service", func(t *testing.T) {
		e := full.New(t)
		owner := e.StartPaying()
		r := e.Gateway.SetOutcome("op-1", domain.OutcomePaid)
		r.Confirmed = false
		e.Gateway.SetReport("op-1", r)
		p := owner.Get(ports.PathPaymentReturn + "?idop=op-1")
		require.Equal(t, http.StatusOK, p.Status)
		webtest.Contains(t, p, "Paiement reçu, en attente de confirmation par le service")
		webtest.NotContains(t, p, "Paiement accepté", "Réglée")
		detail := owner.Get("/factures/" + webtest.IDOf(webtest.Water).String())
		webtest.Contains(t, detail, "Paiement reçu, en attente de confirmation par le service")
		webtest.NotContains(t, detail, ">Réglée<", `href="/paiement?facture=`)

		staff := e.Browser()
		staff.StaffLogin(demo.StaffEmail, demo.StaffPassword)
		webtest.Contains(t, staff.Get("/gestion/factures/"+webtest.IDOf(webtest.Water).String()), "paiement à confirmer")
	})
	t.Run("an abandoned attempt says when the invoice can be paid again", func(t *testing.T) {
		e := full.New(t)
		owner := e.StartPaying()
		e.Gateway.SetOutcome("op-1", domain.OutcomeAbandoned)
		e.Clock.Advance(domain.OperationWindow)
		p := owner.Get(ports.PathPaymentReturn + "?idop=op-1")
		require.Equal(t, http.StatusOK, p.Status)
		webtest.Contains(t, p, "Paiement abandonné", "aucune somme n'a été prélevée", "restent réservées jusqu'au",
			domain.FrenchDateTime(webtest.Start.Add(domain.DefaultLockDuration)))

		e.Clock.Advance(2 * time.Hour)
		p = owner.Get(ports.PathPaymentReturn + "?idop=op-1")
		webtest.Contains(t, p, "Vous pouvez recommencer depuis « Mes factures »")
		webtest.NotContains(t, p, "restent réservées")
	})
}

// While the biller is in PayFiP's test environment, the citizen reads,
// before leaving for the DGFiP, that nothing will be taken and the
// invoice will stay to pay (docs/payfip.md §3.12).
func TestSummarySaysTheServiceIsInTest(t *testing.T) {
	const notice = "Le service de paiement est en mode test : aucune somme ne sera prélevée et la facture restera à payer."
	e := full.New(t)
	b := e.Browser().LoginDemo()
	path := "/paiement/recapitulatif?" + webtest.Selection(webtest.Water).Encode()
	p := b.Get(path)
	require.Equal(t, http.StatusOK, p.Status)
	webtest.NotContains(t, p, notice)

	for _, s := range []domain.Saisie{domain.SaisieActivation, domain.SaisieProduction} {
		e.SetBiller(func(b *domain.Biller) { b.Saisie = s })
		webtest.NotContains(t, b.Get(path), notice)
	}
	e.SetBiller(func(b *domain.Biller) { b.Saisie = domain.SaisieTest })
	p = b.Get(path)
	require.Equal(t, http.StatusOK, p.Status)
	webtest.Contains(t, p, notice, "Payer la facture sur le portail PayFiP")
	assert.Regexp(t, `<div class="alerte" role="status">\s*<p><strong>Le service de paiement est en mode test`, p.Body, "said in words, announced")
}
