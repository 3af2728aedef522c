package http

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
	"github.com/portail-factures/portail/ports/portstest"
)

// newURLModeEnv is newEnv with a portal that speaks PayFiP's legacy URL
// mode, where one payment stays below 10 000 €.
func newURLModeEnv(t *testing.T) *env {
	t.Helper()
	var cfg Config
	e := newEnv(t, func(c *Config) { cfg = *c })
	p, err := ports.NewPortal(ports.Deps{
		Store: e.Store, Sessions: e.Store, Mailer: e.Mails, Gateway: e.Gateway,
		Clock: e.Clock, Random: portstest.NewSeqRandom(3),
	}, ports.Config{PublicURL: publicURL, Argon2: fastArgon2, MailInline: true, PayFiPMode: domain.PayFiPURL})
	require.NoError(t, err)
	cfg.Portal, e.Portal = p, p
	e.server, err = New(cfg)
	require.NoError(t, err)
	e.TS = httptest.NewServer(e.server)
	t.Cleanup(e.TS.Close)
	return e
}

// setAmount changes the amount of a demo invoice.
func (e *env) setAmount(number, amount string) {
	e.T.Helper()
	ctx := context.Background()
	inv, err := e.Store.Invoice(ctx, idOf(number))
	require.NoError(e.T, err)
	inv.Amount = dec(amount)
	require.NoError(e.T, e.Store.SaveInvoice(ctx, inv))
}

func TestInvoiceAboveTheURLModeLimitSaysWhy(t *testing.T) {
	e := newURLModeEnv(t)
	e.setAmount(water, "12500.00")
	why := "La facture " + water + " ne peut pas être réglée en ligne : son montant (12\u202f500,00\u00a0€) dépasse le maximum de 9\u202f999,99\u00a0€ d'un paiement en ligne. Contactez le service."
	b := e.Browser().LoginDemo()

	p := b.Get("/factures/" + idOf(water).String())
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, why, "Marquer la facture comme réglée")
	notContains(t, p, "/paiement?facture=")

	p = b.Get("/paiement")
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, why, canteen, nursery)
	assert.NotContains(t, p.Body, `value="`+idOf(water).String()+`"`, "not offered in the selection")

	p = b.Get("/paiement/recapitulatif?" + ids(water).Encode())
	assert.Equal(t, http.StatusConflict, p.Status)
	contains(t, p, why)

	p = b.Post("/paiement", ids(water))
	assert.Equal(t, http.StatusConflict, p.Status)
	contains(t, p, why)
	assert.Empty(t, e.Gateway.Requests(), "nothing sent to PayFiP")

	// Through the web service, the same invoice can be paid.
	ws := newEnv(t)
	ws.setAmount(water, "12500.00")
	contains(t, ws.Browser().LoginDemo().Get("/factures/"+idOf(water).String()), "/paiement?facture=")
}

func TestSelectionAboveTheURLModeLimitSaysWhy(t *testing.T) {
	e := newURLModeEnv(t)
	e.setAmount(water, "6000.00")
	e.setAmount(canteen, "4000.00")
	b := e.Browser().LoginDemo()
	p := b.Get("/paiement/recapitulatif?" + ids(water, canteen).Encode())
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, "Le montant maximum d'un paiement en ligne est de 9\u202f999,99\u00a0€ : sélectionnez moins de factures.", `<a href="#invoices">`)
}

// setDemoEmail gives the demo account another address, as an import may
// have.
func (e *env) setDemoEmail(addr string) {
	e.T.Helper()
	ctx := context.Background()
	a, err := e.Store.AccountByEmail(ctx, demo.BillerID, demo.Email)
	require.NoError(e.T, err)
	a.Email = addr
	require.NoError(e.T, e.Store.SaveAccount(ctx, a))
}

func TestAccentedAddressIsRefusedOnThePaymentPage(t *testing.T) {
	e := newEnv(t)
	b := e.Browser().LoginDemo()
	e.setDemoEmail("jérôme@exemple.fr")

	p := b.Get("/paiement/recapitulatif?" + ids(water).Encode())
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, "Votre adresse de messagerie (jérôme@exemple.fr) contient des lettres accentuées", "changez d'adresse dans « Mes informations »")

	p = b.Post("/paiement", ids(water))
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, "« Mes informations »")
	assert.Empty(t, e.Gateway.Requests(), "nothing sent to PayFiP")
	inv, err := e.Store.Invoice(context.Background(), idOf(water))
	require.NoError(t, err)
	assert.False(t, inv.Locked(e.Clock.Now()), "nothing stored")
}

func TestEmailChangeRefusesAnAddressPayFiPRefuses(t *testing.T) {
	e := newEnv(t)
	b := e.Browser().LoginDemo()
	p := b.Get("/mes-informations")
	contains(t, p, "Sans accent ni caractère spécial avant le « @ »")
	assert.Contains(t, p.Body, `aria-describedby="adresse-email-aide"`)
	p = b.Post("/mes-informations/adresse", url.Values{"email": {"élodie@exemple.fr"}, "current_password": {demo.Password}})
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, "Cette adresse contient des lettres accentuées ou des caractères spéciaux avant le « @ »", `<a href="#adresse-email">`)
	assert.Zero(t, e.MailsTo("élodie@exemple.fr"))
}
