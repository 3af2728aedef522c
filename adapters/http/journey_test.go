package http

import (
	"bytes"
	"log/slog"
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

// TestJourneyOfTheManual follows the manual from activation to two
// invoices found under "Factures réglées", over real HTTP.
func TestJourneyOfTheManual(t *testing.T) {
	var logs bytes.Buffer
	e := newEnv(t, func(c *Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	b := e.browser()
	const water2, canteen2 = "2026-020-002060", "2026-030-000413" // the newcomer's invoices

	// J'active mon compte.
	p := b.get("/connexion")
	contains(t, p, "J'active mon compte")
	b.get("/activation")
	p = b.post("/activation", url.Values{"email": {demo.NewcomerEmail}})
	require.Equal(t, http.StatusSeeOther, p.status)
	contains(t, b.get(p.location()), "Un message d'activation du compte vous a été envoyé avec succès.")

	// The link, read from the recorded mail (and shown on /_dev/mail).
	link := e.linkTo(demo.NewcomerEmail)
	contains(t, b.get("/_dev/mail"), "À :", demo.NewcomerEmail)

	// Saisissez votre nouveau mot de passe → Enregistrer.
	p = b.get(link)
	contains(t, p, "Saisissez votre nouveau mot de passe", demo.NewcomerEmail)
	secret, err := url.QueryUnescape(strings.TrimPrefix(link, ports.PathSetPassword+"?lien="))
	require.NoError(t, err)
	p = b.post(ports.PathSetPassword, url.Values{"lien": {secret}, "password": {"nouveau-mdp"}, "confirm": {"nouveau-mdp"}})
	require.Equal(t, http.StatusSeeOther, p.status)
	contains(t, b.get(p.location()), "Le nouveau mot de passe a été enregistré avec succès.")

	// Connexion, then the important notice, closed.
	p = b.login(demo.NewcomerEmail, "nouveau-mdp", false)
	home := b.get(p.location())
	contains(t, home, "Information importante", "Dominique Bernard")
	require.Equal(t, http.StatusSeeOther, b.post("/information/fermer", nil).status)
	notContains(t, b.get("/"), "Information importante")

	// Payer la facture: select two invoices, then the summary.
	p = b.get("/factures")
	contains(t, p, water2, canteen2, "Payer la facture")
	p = b.get("/paiement")
	contains(t, p, water2, canteen2, "Nombre de factures")
	p = b.get("/paiement/recapitulatif?" + ids(water2, canteen2).Encode())
	require.Equal(t, http.StatusOK, p.status)
	contains(t, p, "Informations pour le paiement", demo.Numcli, "231,14\u00a0€", water2, canteen2)

	// Payer la facture sur le portail PayFiP: to the gateway, same window.
	p = b.post("/paiement", ids(water2, canteen2))
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	require.Equal(t, portstest.FakeGatewayURL+"?idop=op-1", p.location())
	req, ok := e.gateway.LastRequest()
	require.True(t, ok)
	assert.True(t, req.Amount.Equal(domain.Sum(dec("187.34"), dec("43.80"))))

	// The DGFiP says paid; the browser comes back.
	e.gateway.SetOutcome("op-1", domain.OutcomePaid)
	p = b.get(ports.PathPaymentReturn + "?idop=op-1")
	require.Equal(t, http.StatusOK, p.status)
	contains(t, p, "Paiement accepté", "Votre paiement a été accepté", "231,14\u00a0€")

	// Both under "Factures réglées", none left unpaid.
	p = b.get("/factures?onglet=reglees")
	contains(t, p, water2, canteen2, "Réglée")
	p = b.get("/factures")
	notContains(t, p, water2, canteen2)
	contains(t, p, "Aucune facture dans cette catégorie.")

	// Nothing secret reached the logs.
	for _, s := range []string{secret, "nouveau-mdp", b.cookie("portail-session").Value, b.token()} {
		assert.NotContains(t, logs.String(), s)
	}
}
