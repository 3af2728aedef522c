//go:build browser

package journeys

import (
	"testing"

	"github.com/portail-factures/portail/ports/demo"
)

// TestCloseAccountAndRetention follows issue 16, item 7 on one demo
// portal: the administrateur sets « Conservation des comptes clos »; the
// citizen closes their account from « Mes informations » (a wrong
// password first), cannot log in any more, reads the legal notice,
// activates again as a new account; a gestionnaire closes that account
// from the payer's page, through its confirmation page. Every new page is
// audited with axe-core at full width and at 320 px.
func TestCloseAccountAndRetention(t *testing.T) {
	admin := newCitizen(t)
	admin.staffLogin(demo.AdminEmail, demo.AdminPassword)
	admin.open("/gestion/parametres")
	admin.see("Conservation des comptes clos", "Durée de conservation après la clôture (en mois)")
	admin.fill("retention_months", "0")
	admin.click("Enregistrer les paramètres")
	admin.see("entre 1 et 60 mois")
	admin.auditNarrow("les paramètres, durée de conservation refusée")
	admin.fill("retention_months", "24")
	admin.click("Enregistrer les paramètres")
	admin.see("Les paramètres sont enregistrés.")
	admin.auditNarrow("les paramètres, avec la conservation des comptes clos")

	c := visitor(t, admin.portal)
	c.citizenLogin()
	c.open("/mes-informations")
	c.see("Clore mon compte")
	c.click("Clore mon compte")
	c.see("Clore mon compte", "effacées 24 mois après la clôture", "J'active mon compte")
	c.auditNarrow("la clôture du compte")
	c.fill("current_password", "mauvais")
	c.click("Clore définitivement mon compte")
	c.see("Le mot de passe actuel est incorrect.")
	c.auditNarrow("la clôture du compte, mot de passe incorrect")
	c.fill("current_password", demoPassword)
	c.click("Clore définitivement mon compte")
	c.see("Votre compte est clos")
	c.auditNarrow("la connexion après la clôture du compte")

	c.login(demoEmail, demoPassword, false)
	c.see("Adresse de messagerie ou mot de passe incorrect")
	c.open("/mentions-legales")
	c.see("Données personnelles", "24 mois après sa clôture", "Clore votre compte")
	c.auditNarrow("les mentions légales")

	// Coming back: « J'active mon compte » makes a new account.
	c.open("/activation")
	c.fill("email", demoEmail)
	c.click("Activation")
	c.see("Un message d'activation du compte vous a été envoyé avec succès.")
	c.followMailLink(demoEmail, "Accès au portail des factures")
	c.fill("password", "nouveau-mot-de-passe")
	c.fill("confirm", "nouveau-mot-de-passe")
	c.click("Enregistrer")
	c.see("Le nouveau mot de passe a été enregistré avec succès.")
	c.login(demoEmail, "nouveau-mot-de-passe", false)
	c.see("Camille Martin")

	m := visitor(t, admin.portal)
	m.staffLogin(demo.StaffEmail, demo.StaffPassword)
	m.open("/gestion/redevables?q=DEMO-0001")
	m.click("DEMO-0001")
	m.see("Camille Martin (DEMO-0001)", "Compte clos", "Clore le compte")
	m.auditNarrow("la fiche d'un redevable avec un compte clos et un nouveau compte")
	m.click("Clore le compte")
	m.see("Clore le compte de Camille Martin (DEMO-0001) ?", "effacées 24 mois après la clôture")
	m.auditNarrow("la confirmation de la clôture d'un compte")
	m.click("Clore le compte")
	m.see("Le compte du redevable est clos")
	m.noControl("Clore le compte")
	m.auditNarrow("la fiche d'un redevable après la clôture")

	c.open("/factures")
	c.see("Veuillez vous connecter")
}
