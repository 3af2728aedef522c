//go:build browser

package journeys

import (
	"testing"

	"github.com/portail-factures/portail/adapters/postgres/pgtest"
)

// TestTheManualOnPostgreSQL runs the demonstration on PostgreSQL
// (demo=true with a database): activation with the mailed link, paying
// two invoices through the simulator, then a restart of the portal on
// the same database, after which nothing is lost, not even the session.
func TestTheManualOnPostgreSQL(t *testing.T) {
	if skipReason != "" {
		// Without a browser TestMain starts no PostgreSQL either.
		t.Skip(skipReason)
	}
	db := pgtest.NewURL(t)
	env := []string{"PORTAL_DATABASE_URL=" + db, "PORTAL_DEMO=true"}
	c := newCitizen(t, env...)

	c.open("/activation")
	c.fill("email", newcomerEmail)
	c.click("Activation")
	c.see("Un message d'activation du compte vous a été envoyé avec succès.")
	c.followMailLink(newcomerEmail, "Accès au portail des factures")
	c.fill("password", "nouveau-mot-de-passe")
	c.fill("confirm", "nouveau-mot-de-passe")
	c.click("Enregistrer")
	c.see("Le nouveau mot de passe a été enregistré avec succès.")

	c.login(demoEmail, demoPassword, false)
	c.click("Fermer")
	c.open("/factures")
	c.click("Payer la facture")
	c.check(waterInvoice)
	c.check(canteenInvoice)
	c.click("Payer la facture")
	c.audit("le récapitulatif sur PostgreSQL")
	c.click("Payer la facture sur le portail PayFiP")
	c.click("Payer par carte bancaire")
	c.see("Paiement accepté")

	// Restart on the same database: a new process, the same data.
	c.stop()
	p := startPortal(t, env...)
	c.base = p.URL
	// The browser's cookie (cookies ignore the port) still opens the
	// session, which lives in the database.
	c.open("/factures?onglet=reglees")
	c.see(waterInvoice, canteenInvoice)
	c.click("Se déconnecter")
	c.login(newcomerEmail, "nouveau-mot-de-passe", false)
	c.see("Dominique Bernard")
	c.click("Se déconnecter")
	c.login(demoEmail, demoPassword, false)
	c.open("/factures?onglet=reglees")
	c.see(waterInvoice, canteenInvoice)
	c.audit("les factures réglées sur PostgreSQL")
}
