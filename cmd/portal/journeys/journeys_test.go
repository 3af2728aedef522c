//go:build browser

package journeys

import (
	"strings"
	"testing"
)

// The journeys follow the manual (portail-des-factures-manuel.txt) step
// by step, with the mouse, and audit every page they visit.

const (
	demoEmail     = "demo@demo.fr"
	demoPassword  = "demo1234"
	newcomerEmail = "nouveau@demo.fr"
	// Invoices of the demo data (ports/demo).
	waterInvoice   = "2026-020-002059"
	canteenInvoice = "2026-030-000412"
	nurseryInvoice = "2026-040-000087"
)

func TestActivateMyAccount(t *testing.T) {
	c := newCitizen(t)
	c.open("/connexion")
	c.audit("la connexion")
	c.click("J'active mon compte")
	c.see("Veuillez saisir votre adresse de messagerie")
	c.audit("l'activation")

	c.fill("email", "inconnu@demo.fr")
	c.click("Activation")
	c.see("Activation impossible, adresse inconnue")
	c.audit("l'activation, adresse inconnue")

	c.fill("email", newcomerEmail)
	c.click("Activation")
	c.see("Un message d'activation du compte vous a été envoyé avec succès.")
	c.audit("l'activation réussie")

	c.followMailLink(newcomerEmail, "Accès au portail des factures")
	c.see("Saisissez votre nouveau mot de passe", newcomerEmail, "8 caractères minimum")
	c.audit("le choix du mot de passe")
	c.fill("password", "court")
	c.fill("confirm", "court")
	c.click("Enregistrer")
	c.see("au moins 8 caractères")
	c.audit("le mot de passe trop court")
	c.fill("password", "nouveau-mot-de-passe")
	c.fill("confirm", "nouveau-mot-de-passe")
	c.click("Enregistrer")
	c.see("Le nouveau mot de passe a été enregistré avec succès.")

	c.login(newcomerEmail, "nouveau-mot-de-passe", false)
	c.see("Information importante", "Dominique Bernard")
	c.audit("l'accueil avec l'information importante")
	if ck := c.sessionCookie(); !ck.Session {
		t.Error("without « Se souvenir de moi » the cookie must end with the browser")
	}
	c.click("Fermer")
	c.notSee("Information importante")
	c.see("Bienvenue sur le portail des factures de la Commune de Démoville")
	c.audit("l'accueil")
}

func TestLoginMistakesAndRememberMe(t *testing.T) {
	c := newCitizen(t)
	c.login(demoEmail, "mauvais", false)
	c.see("Adresse de messagerie ou mot de passe incorrect.")
	c.audit("la connexion refusée")
	c.login(demoEmail, demoPassword, true)
	c.see("Camille Martin")
	ck := c.sessionCookie()
	if ck.Session || ck.Expires <= 0 {
		t.Error("« Se souvenir de moi » must give a persistent cookie")
	}
	if !ck.HTTPOnly {
		t.Error("the session cookie must be HttpOnly")
	}
	c.click("Se déconnecter")
	c.open("/factures")
	c.see("Veuillez vous connecter")
}

func TestMyInvoicesTabsAndDetail(t *testing.T) {
	c := newCitizen(t)
	c.login(demoEmail, demoPassword, false)
	c.click("Fermer")
	c.click("Mes factures")
	c.see("Factures non réglées", "Camille Martin", "Date", "Echéance", "Montant", "Numéro", "Objet", waterInvoice, "243,11")
	c.audit("les factures non réglées")
	c.click("Factures réglées")
	c.see("2026-030-000388")
	c.audit("les factures réglées")
	c.click("Factures en trésorerie")
	c.see("2025-020-003371", "avis de somme à payer")
	c.audit("les factures en trésorerie")

	c.click("Factures non réglées")
	c.click(waterInvoice)
	c.see("Facture "+waterInvoice, "Eau et assainissement", "Non réglée", "Payer la facture")
	c.audit("le détail d'une facture")
	c.click("Marquer la facture comme réglée")
	c.see("Déclarée réglée")
	c.audit("une facture déclarée réglée")
	c.click("Marquer la facture comme non réglée")
	c.see("Non réglée", "Payer la facture")
}

func TestPayOneInvoice(t *testing.T) {
	c := newCitizen(t)
	c.login(demoEmail, demoPassword, false)
	c.open("/factures")
	c.click(nurseryInvoice)
	c.click("Payer la facture")
	c.see("Sélectionnez la ou les factures à régler")
	c.audit("la sélection des factures")
	c.click("Payer la facture")
	c.see("Informations pour le paiement", "Identifiant collectivité", "004200", "Montant du règlement", "176,25", "Références des factures", nurseryInvoice)
	c.audit("le récapitulatif du paiement")
	c.click("Payer la facture sur le portail PayFiP")
	c.see("Bienvenue sur la solution de paiement de la DGFIP", "176,25", demoEmail)
	c.audit("la page de paiement simulée")
	c.click("Payer par carte bancaire")
	c.see("Paiement accepté", nurseryInvoice)
	c.audit("le retour du paiement")
	c.click("Mes factures")
	c.notSee(nurseryInvoice)
	c.click("Factures réglées")
	c.see(nurseryInvoice)
}

func TestPayTwoInvoicesAtOnce(t *testing.T) {
	c := newCitizen(t)
	c.login(demoEmail, demoPassword, false)
	c.open("/factures")
	c.click("Payer la facture")
	c.check(waterInvoice)
	c.check(canteenInvoice)
	c.see("Nombre de factures\n2", "301,51")
	c.audit("la sélection de deux factures")
	c.click("Payer la facture")
	c.see("301,51", waterInvoice, canteenInvoice)
	c.click("Payer la facture sur le portail PayFiP")
	c.click("Payer par carte bancaire")
	c.see("Paiement accepté")
	c.click("Mes factures")
	c.click("Factures réglées")
	c.see(waterInvoice, canteenInvoice)
}

func TestCancelThenRefuseAtTheDGFiP(t *testing.T) {
	c := newCitizen(t)
	c.login(demoEmail, demoPassword, false)
	c.open("/factures")
	c.click(canteenInvoice)
	c.click("Payer la facture")
	c.click("Payer la facture")
	c.click("Payer la facture sur le portail PayFiP")
	c.click("Annuler")
	c.see("Paiement en cours")
	c.audit("le retour d'un paiement abandonné")
	c.open("/factures")
	c.click(canteenInvoice)
	c.see("Paiement en cours", "Une nouvelle tentative sera possible à partir du")
	c.audit("une facture en cours de paiement")

	c.open("/factures")
	c.click(waterInvoice)
	c.click("Payer la facture")
	c.click("Payer la facture")
	c.click("Payer la facture sur le portail PayFiP")
	c.click("Refuser")
	c.see("Paiement refusé")
	c.audit("le retour d'un paiement refusé")
	c.open("/factures")
	c.click(waterInvoice)
	c.see("Non réglée", "Payer la facture")
}

func TestMyInformation(t *testing.T) {
	c := newCitizen(t)
	c.login(demoEmail, demoPassword, false)
	c.click("Fermer")
	c.click("Mes informations")
	c.see(demoEmail)
	c.audit("mes informations")

	c.fill("adresse-email", "camille.martin@exemple.fr")
	c.fill("adresse-current_password", demoPassword)
	c.click("Changer d'adresse")
	c.see("Un message de confirmation a été envoyé à votre nouvelle adresse.")
	c.followMailLink("camille.martin@exemple.fr", "confirmez votre nouvelle adresse")
	c.see("camille.martin@exemple.fr")
	c.audit("la confirmation de la nouvelle adresse")
	c.click("Confirmer")
	c.see("Votre nouvelle adresse de messagerie est enregistrée")

	c.open("/mes-informations")
	c.see("camille.martin@exemple.fr")
	c.fill("mdp-current_password", demoPassword)
	c.fill("mdp-password", "un-mot-de-passe-neuf")
	c.fill("mdp-confirm", "un-mot-de-passe-neuf")
	c.click("Changer de mot de passe")
	c.see("mot de passe")
	c.audit("mes informations après le changement de mot de passe")

	c.click("Je ne souhaite plus recevoir mes factures au format papier")
	c.see("En confirmant, un message est automatiquement envoyé au service de facturation")
	c.audit("la demande d'arrêt du papier")
	c.click("Je ne souhaite plus recevoir mes factures au format papier")
	c.see("vous ne recevez plus vos factures au format papier")

	c.click("Contact")
	c.see("Contacter le service")
	c.audit("le contact")
	c.click("Envoyer")
	c.see("Veuillez indiquer l'objet de votre message.")
	c.audit("le contact avec des erreurs")
	c.fill("subject", "Question sur ma facture d'eau")
	c.fill("body", "Bonjour, pouvez-vous m'expliquer le montant de la facture 2026-020-002059 ? Merci.")
	c.click("Envoyer")
	c.see("Votre message a été envoyé")

	c.click("Se déconnecter")
	c.login("camille.martin@exemple.fr", "un-mot-de-passe-neuf", false)
	c.see("Camille Martin")
}

func TestForgottenPassword(t *testing.T) {
	c := newCitizen(t)
	c.open("/connexion")
	c.click("Oublié ?")
	c.see("Mail :")
	c.audit("le mot de passe oublié")
	c.click("Annuler")
	c.see("Veuillez vous connecter")
	c.click("Oublié ?")
	c.fill("email", demoEmail)
	c.click("Valider")
	c.audit("la demande de nouveau mot de passe envoyée")
	c.followMailLink(demoEmail, "nouveau mot de passe")
	c.fill("password", "encore-un-autre")
	c.fill("confirm", "encore-un-autre")
	c.click("Enregistrer")
	c.see("Le nouveau mot de passe a été enregistré avec succès.")
	c.login(demoEmail, "encore-un-autre", false)
	c.see("Camille Martin")
}

func TestExpiredLink(t *testing.T) {
	// Links that live one millisecond are dead by the time they are opened.
	c := newCitizen(t, "PORTAL_TOKENS_RESET_TTL=1ms")
	c.open("/mot-de-passe-oublie")
	c.fill("email", demoEmail)
	c.click("Valider")
	c.followMailLink(demoEmail, "nouveau mot de passe")
	c.see("Ce lien a expiré")
	c.audit("un lien expiré")
	if !strings.Contains(c.url(), "/mot-de-passe") {
		t.Errorf("the expired link opened %s", c.url())
	}
}
