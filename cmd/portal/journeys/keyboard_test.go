//go:build browser

package journeys

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestMainJourneyWithTheKeyboardOnly logs in, closes the notice, opens an
// invoice, pays it and finds it paid, with Tab, Shift+Tab, Enter and Space
// only; every control on the way must show its focus (RGAA 10.7).
func TestMainJourneyWithTheKeyboardOnly(t *testing.T) {
	c := newCitizen(t)
	c.open("/connexion")
	c.tabTo("Aller au contenu", false, 3)
	c.tabTo("email", false, 10)
	c.typeText(demoEmail)
	c.tabTo("password", false, 3)
	c.typeText(demoPassword)
	c.tabTo("remember", false, 3)
	c.run("tick « Se souvenir de moi »", chromedp.KeyEvent(" "))
	var remembered bool
	c.run("read the box", chromedp.Evaluate(`document.getElementById("remember").checked`, &remembered))
	if !remembered {
		t.Fatal("Space did not tick « Se souvenir de moi »")
	}
	c.tabTo("Connexion", false, 5)
	c.tabTo("password", true, 5) // Shift+Tab goes back
	c.tabTo("Connexion", false, 5)
	c.enter()
	c.see("Information importante")

	c.tabTo("Fermer", false, 20)
	c.enter()
	c.notSee("Information importante")
	c.tabTo("Mes factures", false, 20)
	c.enter()
	c.see("Factures non réglées")
	c.tabTo("Factures réglées", false, 20)
	c.tabTo(nurseryInvoice, false, 30)
	c.enter()
	c.see("Facture " + nurseryInvoice)
	c.tabTo("Payer la facture", false, 20)
	c.enter()
	c.see("Sélectionnez la ou les factures à régler")
	c.tabTo("Payer la facture", false, 20)
	c.enter()
	c.see("Informations pour le paiement")
	c.tabTo("Fermer", false, 25)
	c.tabTo("Payer la facture sur le portail PayFiP", true, 5)
	c.enter()
	c.see("Bienvenue sur la solution de paiement de la DGFIP")
	c.tabTo("Payer par carte bancaire", false, 20)
	c.space()
	c.see("Paiement accepté")
	c.tabTo("Mes factures", false, 30)
	c.enter()
	c.tabTo("Factures réglées", false, 20)
	c.enter()
	c.see(nurseryInvoice)
}

// TestMainJourneyOnASmallScreen runs the main journey at 360×740: no page
// may scroll sideways, and the audits hold (WCAG 1.4.10 reflow).
func TestMainJourneyOnASmallScreen(t *testing.T) {
	c := newCitizen(t)
	c.viewport(360, 740)
	c.open("/connexion")
	c.audit("la connexion sur petit écran")
	c.login(demoEmail, demoPassword, false)
	c.audit("l'accueil sur petit écran")
	c.click("Fermer")
	c.click("Mes factures")
	c.audit("les factures sur petit écran")
	c.click("Factures réglées")
	c.audit("les factures réglées sur petit écran")
	c.click("Factures non réglées")
	c.click(waterInvoice)
	c.audit("le détail sur petit écran")
	c.click("Payer la facture")
	c.check(canteenInvoice)
	c.audit("la sélection sur petit écran")
	c.click("Payer la facture")
	c.audit("le récapitulatif sur petit écran")
	c.click("Payer la facture sur le portail PayFiP")
	c.audit("la page de paiement simulée sur petit écran")
	c.click("Payer par carte bancaire")
	c.see("Paiement accepté")
	c.audit("le retour du paiement sur petit écran")
	c.click("Mes informations")
	c.audit("mes informations sur petit écran")
	c.click("Contact")
	c.audit("le contact sur petit écran")
	c.open("/aide")
	c.audit("l'aide sur petit écran")
	c.open("/accessibilite")
	c.audit("la déclaration d'accessibilité sur petit écran")
	c.open("/mentions-legales")
	c.audit("les mentions légales sur petit écran")
}
