//go:build browser

package journeys

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports/demo"
)

// The billing service's journeys in the back office (/gestion/), with the
// mouse, auditing every page they visit. They share one portal and run in
// order: each leaves the demo data as the next expects it.

const (
	// The demo's second household, untouched by the citizen journeys.
	newcomerRef = "DEMO-0002"
	// What the import journey creates.
	importedRef     = "IMP-0001"
	importedInvoice = "2026-900-000001"
	importCSV       = "type;reference;name;email;payer_reference;number;issue_date;due_date;amount;object\n" +
		"payer;" + importedRef + ";Jeanne Durand;jeanne@exemple.fr;;;;;;\n" +
		"invoice;;;;" + importedRef + ";" + importedInvoice + ";05/11/2026;05/12/2026;12,30;Cantine\n"
	contactSubject = "Facture d'eau réglée au guichet"
	suspensionText = "Maintenance des factures : le paiement en ligne reprend demain matin."
)

// writeFile writes a file to upload and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// staffLogin logs in at /gestion/connexion and lands on the dashboard.
func (c *citizen) staffLogin(email, password string) {
	c.t.Helper()
	c.open("/gestion/connexion")
	c.fill("email", email)
	c.fill("password", password)
	c.click("Se connecter")
	c.see("Tableau de bord")
}

// citizenLogin logs the demo citizen in.
func (c *citizen) citizenLogin() {
	c.t.Helper()
	c.login(demoEmail, demoPassword, false)
	c.see("Camille Martin")
}

// clickFirst follows the first element matching a CSS selector (a link
// whose text the test cannot know, like a payment's reference).
func (c *citizen) clickFirst(selector string) {
	c.t.Helper()
	var found bool
	c.run("look for "+selector, chromedp.Evaluate(fmt.Sprintf(`document.querySelector(%q) !== null`, selector), &found))
	if !found {
		c.t.Fatalf("the page has no %s", selector)
	}
	c.clickAndWait("click "+selector, chromedp.Click(selector, chromedp.ByQuery, chromedp.NodeVisible))
}

// upload puts a file in the file input with that id.
func (c *citizen) upload(id, path string) {
	c.t.Helper()
	c.run("choose "+path, chromedp.SetUploadFiles("#"+id, []string{path}, chromedp.ByQuery))
}

// noControl fails if the page has a link or a button starting with label.
func (c *citizen) noControl(label string) {
	c.t.Helper()
	var n int
	xp := fmt.Sprintf(`//*[self::a or self::button][starts-with(normalize-space(.), %s)]`, xpathLiteral(label))
	c.run("count « "+label+" »", chromedp.Evaluate(fmt.Sprintf(`document.evaluate(%q, document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null).snapshotLength`, xp), &n))
	if n > 0 {
		c.t.Errorf("the page offers « %s »", label)
	}
}

// TestBackOffice runs the back office's journeys on one portal. Run it
// whole: a subtest alone lacks what the earlier ones left (the tour's
// payment, the import's invoice…).
func TestBackOffice(t *testing.T) {
	if skipReason != "" {
		t.Skip(skipReason)
	}
	p := startPortal(t)
	t.Run("tour", func(t *testing.T) { tourOfTheBackOffice(t, p) })
	t.Run("suspension", func(t *testing.T) { suspendPayments(t, p) })
	t.Run("import", func(t *testing.T) { importAFile(t, p) })
	t.Run("counter", func(t *testing.T) { paidAtTheCounter(t, p) })
	t.Run("reader", func(t *testing.T) { readerChangesNothing(t, p) })
	t.Run("small-screen", func(t *testing.T) { backOfficeOnASmallScreen(t, p) })
	t.Run("keyboard", func(t *testing.T) { backOfficeWithTheKeyboardOnly(t, p) })
}

// tourOfTheBackOffice: a manager goes through every menu entry and the
// pages their links lead to, after the citizen has paid one invoice and
// declared another paid.
func tourOfTheBackOffice(t *testing.T, p portal) {
	citizen := visitor(t, p)
	citizen.citizenLogin()
	citizen.open("/factures")
	citizen.click(nurseryInvoice)
	citizen.click("Payer la facture")
	citizen.click("Payer la facture")
	citizen.click("Payer la facture sur le portail PayFiP")
	citizen.click("Payer par carte bancaire")
	citizen.see("Paiement accepté")
	citizen.open("/factures")
	citizen.click(waterInvoice)
	citizen.click("Marquer la facture comme réglée")
	citizen.see("Déclarée réglée")
	citizen.click("Contact")
	citizen.fill("subject", contactSubject)
	citizen.fill("body", "Bonjour, j'ai réglé la facture d'eau par chèque au guichet. Merci.")
	citizen.click("Envoyer")
	citizen.see("Votre message a été envoyé")

	m := visitor(t, p)
	m.open("/gestion/")
	m.see("Connexion à la gestion")
	m.audit("la connexion à la gestion")
	m.fill("email", demo.StaffEmail)
	m.fill("password", "mauvais-mot-de-passe")
	m.click("Se connecter")
	m.see("Connexion à la gestion")
	m.audit("la connexion à la gestion refusée")
	m.staffLogin(demo.StaffEmail, demo.StaffPassword)
	m.see("À traiter", "facture déclarée réglée par les redevables", "Service de facturation")
	m.audit("le tableau de bord")

	m.click("Paiements")
	m.see("176,25", "Camille Martin")
	m.audit("les paiements")
	m.clickFirst("table.liste tbody a")
	m.see("Paiement", nurseryInvoice, "Historique")
	m.audit("le détail d'un paiement")
	var refdet string
	m.run("read the PayFiP reference", chromedp.Evaluate(`document.querySelector("h1").textContent.replace("Paiement ", "").trim()`, &refdet))
	m.click("Retour aux paiements")
	m.click("Paiements à confirmer")
	m.see("Paiements à confirmer")
	m.audit("les paiements à confirmer")
	m.click("Retour aux paiements")
	m.click("Factures déclarées réglées par les redevables")
	m.see(waterInvoice, "Confirmer le règlement")
	m.audit("les factures déclarées réglées")
	m.click("Retour aux paiements")
	m.click("Relevé de règlement de la DGFiP")
	m.see("Fichier du relevé (CSV)")
	m.audit("l'envoi du relevé de règlement")
	// The DGFiP's report holds the citizen's payment and one it does not
	// know of.
	today := time.Now().In(domain.Paris).Format("02/01/2006")
	report := writeFile(t, "releve.csv", "EN-TETE;004200\n"+
		"LIGNE;"+today+";"+refdet+";176,25\n"+
		"LIGNE;"+today+";INCONNU000000000000000001;10,00\n"+
		"PIED-DE-PAGE;2\n")
	m.upload("releve", report)
	m.click("Rapprocher le relevé")
	m.see("Résultat du relevé de règlement", "Anomalies à examiner", "INCONNU000000000000000001")
	m.audit("le résultat du relevé de règlement")

	m.click("À rembourser")
	m.see("Doubles paiements à rembourser", "Aucun double paiement n'est à rembourser.")
	m.audit("les doubles paiements à rembourser")

	m.click("Factures")
	m.see(waterInvoice, canteenInvoice, "Camille Martin")
	m.audit("les factures")
	m.click(canteenInvoice)
	m.see("Facture "+canteenInvoice, "Restauration scolaire", "Marquer la facture comme réglée")
	m.audit("le détail d'une facture")
	m.click("Camille Martin")
	m.see("Camille Martin (DEMO-0001)", "Dernières factures", canteenInvoice)
	m.audit("la fiche d'un redevable")

	m.click("Redevables")
	m.audit("les redevables")
	m.fill("q", newcomerRef)
	m.click("Rechercher")
	m.see("Dominique Bernard")
	m.audit("la recherche d'un redevable")
	m.click(newcomerRef)
	m.see("Dominique Bernard ("+newcomerRef+")", "Envoyer le lien d'activation")
	m.audit("la fiche d'un redevable sans compte")

	m.click("Messages")
	m.see(contactSubject, "Nouveau")
	m.audit("les messages")
	m.click(contactSubject)
	m.see("j'ai réglé la facture d'eau par chèque", "Camille Martin (DEMO-0001)")
	m.audit("un message")
	m.click("Marquer comme traité")
	m.see("Traité")
	m.audit("un message traité")
	m.click("Import")
	m.see("Envoyer un fichier", "Simuler")
	m.audit("l'import")
	m.click("Paramètres")
	m.see("Suspension du paiement en ligne", "Enregistrer les paramètres")
	m.audit("les paramètres")
	m.click("Journal")
	m.see("Connexion à la gestion")
	m.audit("le journal")
	m.click(demo.StaffEmail)
	m.see("Mon compte", demo.ReaderEmail)
	m.audit("mon compte")
	m.click("Se déconnecter")
	m.see("Vous êtes déconnecté de la gestion.")
	m.audit("la déconnexion de la gestion")
}

// suspendPayments: the manager suspends online payment with a message;
// the citizen sees the message instead of the pay button; the manager
// lifts the suspension and the button is back.
func suspendPayments(t *testing.T, p portal) {
	m := visitor(t, p)
	m.staffLogin(demo.StaffEmail, demo.StaffPassword)
	m.click("Paramètres")
	m.check("Suspendre maintenant")
	m.fill("suspension_message", suspensionText)
	m.click("Enregistrer les paramètres")
	m.see("Les paramètres sont enregistrés.", "Le paiement en ligne est suspendu en ce moment.")
	m.audit("les paramètres enregistrés")
	m.click("Tableau de bord")
	m.see("Paiement en ligne suspendu.", suspensionText)
	m.audit("le tableau de bord pendant une suspension")

	c := visitor(t, p)
	c.citizenLogin()
	c.open("/factures")
	c.click(canteenInvoice)
	c.see(suspensionText)
	c.noControl("Payer la facture")
	c.audit("une facture pendant la suspension")

	m.click("Paramètres")
	m.check("Aucune suspension")
	m.click("Enregistrer les paramètres")
	m.see("Les paramètres sont enregistrés.")
	m.notSee("Le paiement en ligne est suspendu en ce moment.")

	c.open("/factures")
	c.click(canteenInvoice)
	c.notSee(suspensionText)
	c.see("Payer la facture")
}

// importAFile: the manager uploads a CSV, simulates it, reads the outcome
// of each line, imports it, and finds the new invoice.
func importAFile(t *testing.T, p portal) {
	file := writeFile(t, "factures.csv", importCSV)
	m := visitor(t, p)
	m.staffLogin(demo.StaffEmail, demo.StaffPassword)
	m.click("Import")
	m.upload("fichier", file)
	m.click("Simuler")
	m.see("Simulation : rien n'a été enregistré.", "2 ligne(s) à créer", "Détail par ligne",
		importedRef, importedInvoice, "« factures.csv »")
	m.audit("la simulation d'un import")
	m.click("Factures")
	m.fill("numero", importedInvoice)
	m.click("Rechercher")
	m.see("0 factures")

	m.click("Import")
	m.upload("fichier", file)
	m.click("Simuler")
	m.upload("fichier", file)
	m.click("Importer ce fichier")
	m.see("Le fichier est importé.", "2 ligne(s) créée(s)")
	m.audit("l'import effectué")

	m.click("Factures")
	m.fill("numero", importedInvoice)
	m.click("Rechercher")
	m.see("1 facture", "Jeanne Durand ("+importedRef+")", "12,30")
	m.click(importedInvoice)
	m.see("Facture "+importedInvoice, "Cantine")
}

// paidAtTheCounter: the manager records an invoice paid at the counter
// from its detail; the citizen finds it among the paid invoices.
func paidAtTheCounter(t *testing.T, p portal) {
	m := visitor(t, p)
	m.staffLogin(demo.StaffEmail, demo.StaffPassword)
	m.click("Factures")
	m.click(canteenInvoice)
	m.click("Marquer la facture comme réglée")
	m.see("Réglée le", "hors du portail")
	m.noControl("Marquer la facture comme réglée")
	m.audit("une facture réglée au guichet")

	c := visitor(t, p)
	c.citizenLogin()
	c.open("/factures")
	c.notSee(canteenInvoice)
	c.click("Factures réglées")
	c.see(canteenInvoice)
}

// readerChangesNothing: a "lecture" staff member sees the same pages
// without the buttons that change something.
func readerChangesNothing(t *testing.T, p portal) {
	r := visitor(t, p)
	r.staffLogin(demo.ReaderEmail, demo.ReaderPassword)
	r.see(demo.ReaderEmail, "Lecture seule")
	r.audit("le tableau de bord en lecture")
	r.click("Paramètres")
	r.see("Votre rôle « lecture » permet de consulter ces paramètres mais pas de les modifier.")
	r.noControl("Enregistrer les paramètres")
	r.audit("les paramètres en lecture")
	r.click("Import")
	r.see("Votre rôle « lecture » ne permet pas d'importer de fichier.")
	r.noControl("Simuler")
	r.audit("l'import en lecture")
	r.click("Factures")
	r.click(waterInvoice)
	r.see("Facture " + waterInvoice)
	r.noControl("Marquer la facture comme réglée")
	r.noControl("Annuler la facture")
	r.noControl("Transmettre la facture en trésorerie")
	r.audit("le détail d'une facture en lecture")
	r.open("/gestion/factures-declarees")
	r.see(waterInvoice)
	r.noControl("Confirmer le règlement")
	r.noControl("Refuser")
	r.audit("les factures déclarées en lecture")
	r.click("Redevables")
	r.fill("q", newcomerRef)
	r.click("Rechercher")
	r.click(newcomerRef)
	r.noControl("Envoyer le lien d'activation")
	r.audit("la fiche d'un redevable en lecture")
	r.open("/gestion/releve")
	r.noControl("Rapprocher le relevé")
	r.audit("le relevé en lecture")
}

// backOfficeOnASmallScreen: at 360×740 no page scrolls sideways; wide
// tables scroll inside their own box.
func backOfficeOnASmallScreen(t *testing.T, p portal) {
	m := visitor(t, p)
	m.viewport(360, 740)
	m.open("/gestion/connexion")
	m.audit("la connexion à la gestion sur petit écran")
	m.staffLogin(demo.StaffEmail, demo.StaffPassword)
	m.audit("le tableau de bord sur petit écran")
	m.click("Paiements")
	m.audit("les paiements sur petit écran")
	m.tableScrollsInItsBox("les paiements")
	m.clickFirst("table.liste tbody a")
	m.audit("le détail d'un paiement sur petit écran")
	m.click("À rembourser")
	m.audit("les doubles paiements à rembourser sur petit écran")
	m.click("Factures")
	m.audit("les factures sur petit écran")
	m.tableScrollsInItsBox("les factures")
	m.click(waterInvoice)
	m.audit("le détail d'une facture sur petit écran")
	m.click("Redevables")
	m.audit("les redevables sur petit écran")
	m.click("Import")
	m.audit("l'import sur petit écran")
	m.click("Paramètres")
	m.audit("les paramètres sur petit écran")
	m.click("Journal")
	m.audit("le journal sur petit écran")
	m.tableScrollsInItsBox("le journal")
	m.click(demo.StaffEmail)
	m.audit("mon compte sur petit écran")
}

// tableScrollsInItsBox fails unless the page's first table is wider than
// the screen and scrolls inside its box (the page itself does not: audit
// checks that).
func (c *citizen) tableScrollsInItsBox(page string) {
	c.t.Helper()
	var scrolls bool
	c.run("measure the table of "+page, chromedp.Evaluate(`(() => {
		const box = document.querySelector(".tableau-defilant");
		return !!box && box.scrollWidth > box.clientWidth && getComputedStyle(box).overflowX === "auto";
	})()`, &scrolls))
	if !scrolls {
		c.t.Errorf("the table of %s does not scroll in its own box", page)
	}
}

// backOfficeWithTheKeyboardOnly: login, dashboard, the invoices' search
// form and an invoice's detail, with Tab and Enter only; every control
// on the way shows its focus.
func backOfficeWithTheKeyboardOnly(t *testing.T, p portal) {
	k := visitor(t, p)
	k.open("/gestion/connexion")
	k.tabTo("Aller au contenu", false, 3)
	k.tabTo("email", false, 10)
	k.typeText(demo.StaffEmail)
	k.tabTo("password", false, 3)
	k.typeText(demo.StaffPassword)
	k.tabTo("Se connecter", false, 3)
	k.enter()
	k.see("Tableau de bord", "À traiter")

	k.tabTo("Factures", false, 20)
	k.enter()
	k.see("Rechercher")
	k.tabTo("numero", false, 20)
	k.typeText(waterInvoice)
	k.tabTo("Rechercher", false, 10)
	k.enter()
	k.see("1 facture")
	k.tabTo(waterInvoice, false, 20)
	k.enter()
	k.see("Facture " + waterInvoice)
	k.tabTo("Camille Martin", false, 30)
	k.enter()
	k.see("Dernières factures")
}
