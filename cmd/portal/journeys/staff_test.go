//go:build browser

package journeys

import (
	"html/template"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports/demo"
)

// The staff's journeys through the pages issue #12 added or changed:
// the staff's administration from « Mon compte » and their forgotten
// password, the confirmation before rejecting a payment or refusing a
// declared one, a suspension and amount bounds seen by a citizen, a
// refused import, a new message, and a payment in the DGFiP's test
// environment. Every page they visit is audited at the window's width
// and at 320 px (auditNarrow).

const (
	agentEmail    = "claude.petit@demo.fr"
	agentName     = "Claude Petit"
	agentLabel    = agentName + " <" + agentEmail + ">"
	agentPassword = "premier-mot-de-passe"
	agentNewPass  = "second-mot-de-passe"
)

// auditNarrow audits the page at the window's width, then again on a
// 320 px wide screen (WCAG 1.4.10: nothing scrolls sideways), and gives
// the window its width back.
func (c *citizen) auditNarrow(page string) {
	c.t.Helper()
	c.audit(page)
	c.run("narrow the screen", emulation.SetDeviceMetricsOverride(320, 740, 1, true))
	c.audit(page + " à 320 px")
	c.run("widen the screen", emulation.ClearDeviceMetricsOverride())
}

// TestStaffAdministration runs the staff's journeys of the demo portal
// on one portal, in order: the administrator's, a gestionnaire's, the
// forgotten password (the reader's), the suspension seen by a citizen, a
// refused import, a new message and the amount bounds. Run it whole.
func TestStaffAdministration(t *testing.T) {
	if skipReason != "" {
		t.Skip(skipReason)
	}
	p := startPortal(t)
	t.Run("administrator", func(t *testing.T) { administratorManagesStaff(t, p) })
	t.Run("gestionnaire", func(t *testing.T) { gestionnaireManagesNoStaff(t, p) })
	t.Run("forgotten-password", func(t *testing.T) { staffForgotTheirPassword(t, p) })
	t.Run("suspension", func(t *testing.T) { suspensionSeenByTheCitizen(t, p) })
	t.Run("refused-import", func(t *testing.T) { refusedImport(t, p) })
	t.Run("new-message", func(t *testing.T) { newMessageState(t, p) })
	t.Run("amount-bounds", func(t *testing.T) { amountBoundsSeenByTheCitizen(t, p) })
}

// administratorManagesStaff: the administrator adds an agent, who
// chooses a password through the invitation and logs in; the
// administrator resets the agent's password (the agent chooses a new one
// through the mail), then disables the agent, who can no longer log in.
// Each decision goes through its confirmation page, whose « Annuler »
// changes nothing.
func administratorManagesStaff(t *testing.T, p portal) {
	a := visitor(t, p)
	a.staffLogin(demo.AdminEmail, demo.AdminPassword)
	a.see("Administrateur")
	a.auditNarrow("le tableau de bord d'un administrateur")
	a.click(demo.AdminEmail)
	a.see("Mon compte", "Agents du service", "Ajouter un agent", demo.StaffEmail, demo.ReaderEmail)
	a.auditNarrow("mon compte d'administrateur")

	a.click("Ajouter")
	a.see("Erreur")
	a.auditNarrow("l'ajout d'un agent sans adresse")
	a.fill("agent-email", agentEmail)
	a.fill("agent-name", agentName)
	a.check("Gestionnaire")
	a.click("Ajouter")
	a.see("L'agent est ajouté", agentLabel, "Mot de passe à choisir")
	a.auditNarrow("l'agent ajouté")

	// The new agent follows the invitation.
	g := visitor(t, p)
	g.followMailLink(agentEmail, "Gestion du portail des factures : votre accès")
	g.see("Choisir mon mot de passe", agentEmail, "12 caractères au moins")
	g.auditNarrow("le choix du mot de passe d'un agent")
	g.fill("password", "court")
	g.fill("confirm", "court")
	g.click("Enregistrer")
	g.see("Erreur")
	g.auditNarrow("le mot de passe d'un agent trop court")
	g.fill("password", agentPassword)
	g.fill("confirm", agentPassword)
	g.click("Enregistrer")
	g.see("Votre mot de passe est enregistré.")
	g.auditNarrow("la connexion après le choix du mot de passe")
	g.staffLogin(agentEmail, agentPassword)
	g.see(agentEmail, "Gestionnaire")

	a.click(demo.AdminEmail)
	a.see(agentLabel, "Actif")

	// Reset: « Annuler » first, then for real.
	a.click("Réinitialiser le mot de passe de " + agentLabel)
	a.see("Réinitialiser le mot de passe de l'agent "+agentLabel+" ?", "Annuler")
	a.auditNarrow("la confirmation d'une réinitialisation")
	a.click("Annuler")
	a.see("Agents du service")
	a.notSee("réinitialisé")
	g.open("/gestion/")
	g.see("Tableau de bord") // the agent's session is still open
	a.click("Réinitialiser le mot de passe de " + agentLabel)
	a.click("Réinitialiser le mot de passe")
	a.see("Le mot de passe de l'agent est réinitialisé")
	a.auditNarrow("l'agent réinitialisé")
	g.open("/gestion/")
	g.see("Connexion à la gestion") // the reset closed the agent's session
	g.followMailLink(agentEmail, "votre mot de passe a été réinitialisé")
	g.see("Choisir mon mot de passe", agentEmail)
	g.fill("password", agentNewPass)
	g.fill("confirm", agentNewPass)
	g.click("Enregistrer")
	g.see("Votre mot de passe est enregistré.")
	g.staffLogin(agentEmail, agentNewPass)

	// Disable: « Annuler » first, then for real.
	a.click(demo.AdminEmail)
	a.click("Désactiver " + agentLabel)
	a.see("Désactiver l'agent "+agentLabel+" ?", "Annuler")
	a.auditNarrow("la confirmation d'une désactivation")
	a.click("Annuler")
	a.notSee("Désactivé")
	a.click("Désactiver " + agentLabel)
	a.click("Désactiver l'agent")
	a.see("L'agent est désactivé", "Désactivé")
	a.auditNarrow("l'agent désactivé")
	g.open("/gestion/")
	g.see("Connexion à la gestion")
	g.fill("email", agentEmail)
	g.fill("password", agentNewPass)
	g.click("Se connecter")
	g.see("Connexion à la gestion")
	g.notSee("Tableau de bord")
	g.auditNarrow("la connexion refusée d'un agent désactivé")
}

// gestionnaireManagesNoStaff: a gestionnaire's « Mon compte » lists the
// agents without a control to manage them.
func gestionnaireManagesNoStaff(t *testing.T, p portal) {
	m := visitor(t, p)
	m.staffLogin(demo.StaffEmail, demo.StaffPassword)
	m.click(demo.StaffEmail)
	m.see("Mon compte", "Les comptes des agents sont gérés par les administrateurs du service.", demo.AdminEmail)
	m.noControl("Désactiver")
	m.noControl("Réinitialiser le mot de passe")
	m.noControl("Ajouter")
	m.auditNarrow("mon compte de gestionnaire")
}

// staffForgotTheirPassword: « Mot de passe oublié ? » on the back
// office's login page, through the mail's link, to a new password.
func staffForgotTheirPassword(t *testing.T, p portal) {
	r := visitor(t, p)
	r.open("/gestion/connexion")
	r.click("Mot de passe oublié ?")
	r.see("Mot de passe oublié", "Valider")
	r.auditNarrow("le mot de passe oublié de la gestion")
	r.click("Annuler")
	r.see("Connexion à la gestion")
	r.click("Mot de passe oublié ?")
	r.click("Valider")
	r.see("Erreur")
	r.auditNarrow("le mot de passe oublié de la gestion sans adresse")
	r.fill("email", demo.ReaderEmail)
	r.click("Valider")
	r.see("un message contenant un lien pour choisir votre mot de passe")
	r.auditNarrow("la demande de lien de la gestion envoyée")
	r.followMailLink(demo.ReaderEmail, "choisir un nouveau mot de passe")
	r.see("Choisir mon mot de passe", demo.ReaderEmail)
	r.fill("password", "lecture-nouveau-1234")
	r.fill("confirm", "lecture-nouveau-1234")
	r.click("Enregistrer")
	r.see("Votre mot de passe est enregistré.")
	r.staffLogin(demo.ReaderEmail, "lecture-nouveau-1234")

	// The link serves once.
	again := visitor(t, p)
	again.followMailLink(demo.ReaderEmail, "choisir un nouveau mot de passe")
	again.see("Ce lien a déjà été utilisé.")
	again.auditNarrow("un lien de la gestion déjà utilisé")
}

// suspensionSeenByTheCitizen: while online payment is suspended, the
// citizen's « Mes factures », an invoice and the selection page show the
// service's message and no « Payer la facture ».
func suspensionSeenByTheCitizen(t *testing.T, p portal) {
	const message = "Paiement en ligne interrompu pour la clôture des comptes : reprise lundi."
	m := visitor(t, p)
	m.staffLogin(demo.StaffEmail, demo.StaffPassword)
	m.click("Paramètres")
	m.check("Suspendre maintenant")
	m.fill("suspension_message", message)
	m.click("Enregistrer les paramètres")
	m.see("Les paramètres sont enregistrés.", "Le paiement en ligne est suspendu en ce moment.")
	m.auditNarrow("les paramètres avec une suspension")

	c := visitor(t, p)
	c.citizenLogin()
	c.noControl("Payer la facture")
	c.click("Mes factures")
	c.see("Factures non réglées", waterInvoice, message)
	c.noControl("Payer la facture")
	c.auditNarrow("mes factures pendant une suspension")
	c.click(waterInvoice)
	c.see(message)
	c.noControl("Payer la facture")
	c.auditNarrow("une facture pendant une suspension")
	c.open("/paiement")
	c.see(message)
	c.noControl("Payer la facture")
	c.auditNarrow("la sélection pendant une suspension")

	m.click("Paramètres")
	m.check("Aucune suspension")
	m.click("Enregistrer les paramètres")
	m.see("Les paramètres sont enregistrés.")
	c.click("Mes factures")
	c.notSee(message)
	c.see("Payer la facture")
}

// refusedImport: an import refused for one bad line says nothing was
// recorded and words what the others would have done as such.
func refusedImport(t *testing.T, p portal) {
	file := writeFile(t, "refuse.csv", "type;reference;name;email;payer_reference;number;issue_date;due_date;amount;object\n"+
		"payer;IMP-0009;Lou Garnier;lou@exemple.fr;;;;;;\n"+
		"invoice;;;;IMP-0009;2026-900-000009;05/11/2026;05/12/2026;douze euros;Cantine\n")
	m := visitor(t, p)
	m.staffLogin(demo.StaffEmail, demo.StaffPassword)
	m.click("Import")
	m.upload("fichier", file)
	m.click("Importer sans simuler")
	m.see("Le fichier n'a pas été importé : 1 ligne(s) rejetée(s). Rien n'a été enregistré.",
		"1 ligne(s) qui aurai(en)t été créée(s)", "Lignes rejetées", "2026-900-000009", "ce qui aurait été fait")
	m.notSee("ligne(s) créée(s)")
	m.auditNarrow("un import refusé")
}

// newMessageState: a message not handled yet says « Nouveau », with no
// dangling « le » and no date.
func newMessageState(t *testing.T, p portal) {
	const subject = "Question sur la facture de cantine"
	c := visitor(t, p)
	c.citizenLogin()
	c.click("Contact")
	c.fill("subject", subject)
	c.fill("body", "Bonjour, la facture de cantine compte-t-elle le mois d'octobre ? Merci.")
	c.click("Envoyer")
	c.see("Votre message a été envoyé")

	m := visitor(t, p)
	m.staffLogin(demo.StaffEmail, demo.StaffPassword)
	m.click("Messages")
	m.click(subject)
	var state string
	m.run("read the state", chromedp.Evaluate(`(() => {
		const dt = [...document.querySelectorAll("dt")].find(e => e.textContent.trim() === "État");
		return dt ? dt.nextElementSibling.textContent.trim() : "";
	})()`, &state))
	if state != "Nouveau" {
		t.Errorf("a new message's state reads %q, want « Nouveau »", state)
	}
	m.auditNarrow("un nouveau message")
	m.click("Marquer comme traité")
	m.see("Traité le")
	m.auditNarrow("un message traité")
}

// amountBoundsSeenByTheCitizen: with a maximum of 200,00 € set in
// « Paramètres », the water invoice (243,11 €) says why it cannot be paid
// online, and a selection over the maximum says to select fewer
// invoices.
func amountBoundsSeenByTheCitizen(t *testing.T, p portal) {
	m := visitor(t, p)
	m.staffLogin(demo.StaffEmail, demo.StaffPassword)
	m.click("Paramètres")
	var max string
	m.run("read the maximum", chromedp.Value("#max_amount", &max, chromedp.ByQuery))
	m.fill("max_amount", "200,00")
	m.click("Enregistrer les paramètres")
	m.see("Les paramètres sont enregistrés.")
	m.auditNarrow("les paramètres avec un maximum")

	c := visitor(t, p)
	c.citizenLogin()
	c.open("/factures")
	c.click(waterInvoice)
	c.see("ne peut pas être réglée en ligne", "dépasse le maximum de 200,00")
	c.noControl("Payer la facture")
	c.auditNarrow("une facture au-delà du maximum")
	c.open("/factures")
	c.click(nurseryInvoice)
	c.click("Payer la facture")
	c.check(canteenInvoice)
	c.click("Payer la facture")
	c.see("Le montant maximum d'un paiement en ligne est de 200,00", "sélectionnez moins de factures")
	c.auditNarrow("une sélection au-delà du maximum")

	m.fill("max_amount", max)
	m.click("Enregistrer les paramètres")
	m.see("Les paramètres sont enregistrés.")
}

// dgfipURLMode stands for the DGFiP's legacy URL-mode payment page
// (docs/payfip.md §2): its « Payer par carte bancaire » posts the payer's
// browser to urlcl with a "paid" result, as PayFiP does. The portal
// mounts its simulator only in the demo's web-service mode, whose
// results are always confirmed; only the URL mode leaves a payment for
// the staff to confirm or reject.
func dgfipURLMode(t *testing.T) *httptest.Server {
	t.Helper()
	page := template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Paiement (mode URL)</title></head>
<body><main><h1>Paiement de {{.Montant}} centimes</h1>
<form method="post" action="{{.URLCL}}">
{{range $name, $value := .Fields}}<input type="hidden" name="{{$name}}" value="{{$value}}">
{{end}}<button type="submit">Payer par carte bancaire</button>
</form></main></body></html>`))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		now := time.Now().In(domain.Paris)
		fields := map[string]string{
			"resultrans": "P", "numauto": "123456",
			"dattrans": now.Format("02012006"), "heurtrans": now.Format("1504"),
		}
		for _, name := range []string{"numcli", "exer", "refdet", "montant", "mel", "objet", "saisie"} {
			fields[name] = q.Get(name)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		err := page.Execute(w, struct {
			Montant string
			URLCL   template.URL
			Fields  map[string]string
		}{q.Get("montant"), template.URL(q.Get("urlcl")), fields})
		if err != nil {
			t.Errorf("the DGFiP's page: %v", err)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestConfirmBeforeRejecting: staff reject a payment awaiting
// confirmation, and refuse an invoice its payer declared paid, each
// after a confirmation page whose « Annuler » changes nothing. The
// portal runs in the legacy URL mode against dgfipURLMode.
func TestConfirmBeforeRejecting(t *testing.T) {
	if skipReason != "" {
		t.Skip(skipReason)
	}
	dgfip := dgfipURLMode(t)
	p := startPortal(t, "PORTAL_PAYMENT_MODE=tipi", "PORTAL_PAYMENT_TIPI_URL="+dgfip.URL+"/tpa/paiement.web")

	// The citizen pays the nursery invoice in the URL mode, and declares
	// the water invoice paid.
	c := visitor(t, p)
	c.citizenLogin()
	c.payAtTheSimulator(nurseryInvoice)
	c.see(domain.StatusAwaitingConfirmation, nurseryInvoice, "176,25")
	c.auditNarrow("le retour d'un paiement en attente de confirmation")
	c.open("/factures")
	c.see(nurseryInvoice, domain.StatusAwaitingConfirmation) // still among « Factures non réglées »
	c.click(nurseryInvoice)
	c.see(domain.StatusAwaitingConfirmation)
	c.noControl("Payer la facture")
	c.auditNarrow("une facture en attente de confirmation")
	c.open("/factures")
	c.click(waterInvoice)
	c.click("Marquer la facture comme réglée")
	c.see("Déclarée réglée")

	m := visitor(t, p)
	m.staffLogin(demo.StaffEmail, demo.StaffPassword)
	m.click("Paiements")
	m.click("Paiements à confirmer")
	m.see("1 paiement à confirmer", nurseryInvoice)
	m.auditNarrow("les paiements à confirmer")

	// Rejecting from the list: « Annuler » goes back to it, unchanged.
	m.click("Rejeter")
	m.see(nurseryInvoice, "Annuler")
	m.auditNarrow("la confirmation du rejet d'un paiement")
	m.click("Annuler")
	m.see("1 paiement à confirmer", nurseryInvoice)
	m.notSee("Le paiement est rejeté")

	// Rejecting from the payment's page, confirmed.
	m.clickFirst("table.liste tbody a")
	m.see(nurseryInvoice, "Rejeter")
	m.auditNarrow("un paiement à confirmer")
	m.click("Rejeter")
	m.see(nurseryInvoice, "Annuler")
	m.click("Annuler")
	m.see("Paiement à confirmer.")
	c.open("/_dev/mail")
	c.notSee("non reçu par le service")
	m.click("Rejeter")
	m.clickFirst("main form button[type=submit]") // the confirming button
	m.see("Le paiement est rejeté")
	m.noControl("Rejeter")
	m.auditNarrow("un paiement rejeté")
	m.click("Paiements")
	m.click("Paiements à confirmer")
	m.see("Aucun paiement n'attend de confirmation.")

	c.open("/_dev/mail")
	c.see("non reçu par le service")
	c.open("/factures")
	c.click(nurseryInvoice)
	c.see("Non réglée", "Payer la facture")

	// Refusing a declared payment: « Annuler » first, then for real.
	m.click("Paiements")
	m.click("Factures déclarées réglées par les redevables")
	m.see("1 facture déclarée", waterInvoice)
	m.auditNarrow("les factures déclarées réglées")
	m.click("Refuser")
	m.see("Refuser la déclaration de la facture "+waterInvoice+" ?", demoEmail, "Annuler")
	m.auditNarrow("la confirmation du refus d'une déclaration")
	m.click("Annuler")
	m.see("1 facture déclarée", waterInvoice)
	m.notSee("La déclaration est refusée")
	c.open("/_dev/mail")
	c.notSee("Facture " + waterInvoice + " : règlement non reçu")
	m.click("Refuser")
	m.click("Confirmer")
	m.see("La déclaration est refusée", "Aucune facture n'est déclarée réglée par son redevable.")
	m.auditNarrow("une déclaration refusée")

	c.open("/_dev/mail")
	c.see("Facture " + waterInvoice + " : règlement non reçu")
	c.open("/factures")
	c.click(waterInvoice)
	c.see("Non réglée", "Payer la facture")
}

// TestTestPayment: with the demo biller in the DGFiP's test environment
// (saisie T), a card payment through the simulator takes no money: the
// return page says so, the invoice is still to pay, no receipt is
// mailed, and the back office lists it as a test.
func TestTestPayment(t *testing.T) {
	c := newCitizen(t, "PORTAL_PAYMENT_SAISIE=T")
	c.citizenLogin()
	c.open("/factures")
	c.click(nurseryInvoice)
	c.click("Payer la facture")
	c.click("Payer la facture")
	c.see("Informations pour le paiement", "176,25", "Le service de paiement est en mode test")
	c.auditNarrow("le récapitulatif d'un paiement en test")
	c.click("Payer la facture sur le portail PayFiP")
	c.see("Paiement de test (saisie T)")
	c.auditNarrow("la page de paiement simulée en test")
	c.click("Payer par carte bancaire")
	c.see("Paiement de test", "aucune somme n'a été prélevée", "la facture reste à payer")
	c.auditNarrow("le retour d'un paiement de test")
	c.click("Mes factures")
	c.see("Factures non réglées", nurseryInvoice)
	c.click(nurseryInvoice)
	c.see("Non réglée", "Payer la facture")
	c.auditNarrow("une facture après un paiement de test")
	c.open("/_dev/mail")
	c.notSee("Confirmation de votre paiement")

	m := visitor(t, c.portal)
	m.staffLogin(demo.StaffEmail, demo.StaffPassword)
	m.click("Paiements")
	m.see("Paiement de test", nurseryInvoice)
	m.run("choose the state « Paiement de test »", chromedp.SetValue("#etat", string(domain.PaymentTest), chromedp.ByQuery))
	m.click("Rechercher")
	m.see("1 paiement", nurseryInvoice)
	m.auditNarrow("les paiements de test")
	m.clickFirst("table.liste tbody a")
	m.see("Paiement de test", nurseryInvoice)
	m.auditNarrow("le détail d'un paiement de test")
}
