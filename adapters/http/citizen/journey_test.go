package citizen_test

import (
	"bytes"
	"log/slog"
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

// TestJourneyOfTheManual follows the manual from activation to two
// invoices found under "Factures réglées", over real HTTP.
func TestJourneyOfTheManual(t *testing.T) {
	var logs bytes.Buffer
	e := full.New(t, func(c *web.Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	b := e.Browser()
	const water2, canteen2 = "2026-020-002060", "2026-030-000413" // the newcomer's invoices

	// J'active mon compte.
	p := b.Get("/connexion")
	webtest.Contains(t, p, "J'active mon compte")
	b.Get("/activation")
	p = b.Post("/activation", url.Values{"email": {demo.NewcomerEmail}})
	require.Equal(t, http.StatusSeeOther, p.Status)
	webtest.Contains(t, b.Get(p.Location()), "Un message d'activation du compte vous a été envoyé avec succès.")

	// The link, read from the recorded mail (and shown on /_dev/mail).
	link := e.LinkTo(demo.NewcomerEmail)
	webtest.Contains(t, b.Get("/_dev/mail"), "À :", demo.NewcomerEmail)

	// Saisissez votre nouveau mot de passe → Enregistrer.
	p = b.Get(link)
	webtest.Contains(t, p, "Saisissez votre nouveau mot de passe", demo.NewcomerEmail)
	secret, err := url.QueryUnescape(strings.TrimPrefix(link, ports.PathSetPassword+"?lien="))
	require.NoError(t, err)
	p = b.Post(ports.PathSetPassword, url.Values{"lien": {secret}, "password": {"nouveau-mdp"}, "confirm": {"nouveau-mdp"}})
	require.Equal(t, http.StatusSeeOther, p.Status)
	webtest.Contains(t, b.Get(p.Location()), "Le nouveau mot de passe a été enregistré avec succès.")

	// Connexion, then the important notice, closed.
	p = b.Login(demo.NewcomerEmail, "nouveau-mdp", false)
	home := b.Get(p.Location())
	webtest.Contains(t, home, "Information importante", "Dominique Bernard")
	require.Equal(t, http.StatusSeeOther, b.Post("/information/fermer", nil).Status)
	webtest.NotContains(t, b.Get("/"), "Information importante")

	// Payer la facture: select two invoices, then the summary.
	p = b.Get("/factures")
	webtest.Contains(t, p, water2, canteen2, "Payer la facture")
	p = b.Get("/paiement")
	webtest.Contains(t, p, water2, canteen2, "Nombre de factures")
	p = b.Get("/paiement/recapitulatif?" + webtest.Selection(water2, canteen2).Encode())
	require.Equal(t, http.StatusOK, p.Status)
	webtest.Contains(t, p, "Informations pour le paiement", demo.Numcli, "231,14\u00a0€", water2, canteen2)

	// Payer la facture sur le portail PayFiP: to the gateway, same window.
	p = b.Post("/paiement", webtest.Selection(water2, canteen2))
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	require.Equal(t, portstest.FakeGatewayURL+"?idop=op-1", p.Location())
	req, ok := e.Gateway.LastRequest()
	require.True(t, ok)
	assert.True(t, req.Amount.Equal(domain.Sum(webtest.Dec("187.34"), webtest.Dec("43.80"))))

	// The DGFiP says paid; the browser comes back.
	e.Gateway.SetOutcome("op-1", domain.OutcomePaid)
	p = b.Get(ports.PathPaymentReturn + "?idop=op-1")
	require.Equal(t, http.StatusOK, p.Status)
	webtest.Contains(t, p, "Paiement accepté", "Votre paiement a été accepté", "231,14\u00a0€")

	// Both under "Factures réglées", none left unpaid.
	p = b.Get("/factures?onglet=reglees")
	webtest.Contains(t, p, water2, canteen2, "Réglée")
	p = b.Get("/factures")
	webtest.NotContains(t, p, water2, canteen2)
	webtest.Contains(t, p, "Aucune facture dans cette catégorie.")

	// Nothing secret reached the logs.
	for _, s := range []string{secret, "nouveau-mdp", b.Cookie("portail-session").Value, b.Token()} {
		assert.NotContains(t, logs.String(), s)
	}
}
