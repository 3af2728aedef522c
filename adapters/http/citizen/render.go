package citizen

import (
	"embed"
	"net/http"
	"strings"

	"github.com/portail-factures/portail/adapters/http/kit"
)

//go:embed templates/*.html
var templateFiles embed.FS

// Layout frames the citizens' pages, and the demo's (adapters/http/dev).
var Layout = kit.Layout{FS: templateFiles, File: "templates/layout.html"}

// The pages. Each is its own template set: layout.html and the kit's
// partials.html with the page's file, which defines "content". New fails if one is
// missing or does not parse: the start-up check of every page.
const (
	pageLogin        = "login"
	pageActivation   = "activation"
	pageForgot       = "forgot"
	pageSetPassword  = "password"
	pageDeadLink     = "dead_link"
	pageHome         = "home"
	pageInvoices     = "invoices"
	pageInvoice      = "invoice"
	pageSelection    = "selection"
	pageSummary      = "summary"
	pagePaymentBack  = "payment_return"
	pageProfile      = "profile"
	pagePaperless    = "paperless"
	pageConfirmEmail = "confirm_email"
	pageContact      = "contact"
	pageHelp         = "help"
	pageLegal        = "legal"
	pageA11y         = "accessibility"
	pageError        = "error"
	pageReceipt      = "receipt"
	pageVerification = "verification"
	pageUnsubscribe  = "unsubscribe"
	pageCertificate  = "certificate"
	pageMyData       = "mydata"
)

var pageNames = []string{
	pageLogin, pageActivation, pageForgot, pageSetPassword, pageDeadLink, pageHome,
	pageInvoices, pageInvoice, pageSelection, pageSummary, pagePaymentBack,
	pageProfile, pagePaperless, pageConfirmEmail, pageContact,
	pageHelp, pageLegal, pageA11y, pageError, pageReceipt, pageVerification, pageUnsubscribe,
	pageCertificate, pageMyData, pageCloseAccount,
}

// parsePages parses the citizens' pages over templates/layout.html.
func (s *Portal) parsePages() error {
	files := make([]string, len(pageNames))
	for i, name := range pageNames {
		files[i] = "templates/" + name + ".html"
	}
	var err error
	s.pages, err = s.site.ParsePages(Layout, templateFiles, files, nil)
	return err
}

// The menu entries.
const (
	menuHome     = "accueil"
	menuInvoices = "factures"
	menuProfile  = "informations"
	menuContact  = "contact"
)

// render fills the base page and writes the page through a buffer, so
// that a template failure never sends half a page.
func (s *Portal) render(w http.ResponseWriter, r *http.Request, st int, name string, p kit.Page) error {
	s.FillBase(w, r, p.PageBase())
	return s.pages.Render(w, st, name, p)
}

// FillBase fills what the citizens' layout shows: the menu when a
// citizen is logged in, the form token, the confirmation of ?message=.
// The demo's pages, drawn in this layout, are filled by it too.
func (s *Portal) FillBase(w http.ResponseWriter, r *http.Request, b *kit.Base) {
	token := ""
	if u := userFrom(r); u != nil {
		b.LoggedIn = true
		token = u.session.CSRFToken
	}
	s.site.FillBase(w, r, b, token, flashes, "message")
}

// The confirmations shown after a redirect (?message=code). Only these
// fixed texts can appear: a link cannot make the portal say anything.
const (
	flashActivation     = "activation"
	flashReset          = "oubli"
	flashPasswordSet    = "mot-de-passe"
	flashLoggedOut      = "deconnexion"
	flashSessionExpired = "session"
	flashEmailSent      = "adresse-envoyee"
	flashEmailConfirmed = "adresse-confirmee"
	flashPasswordChange = "mot-de-passe-change"
	flashPaperless      = "papier"
	flashMailChoices    = "courriels"
	flashContact        = "contact"
	flashDeclared       = "reglee"
	flashUndeclared     = "non-reglee"
)

var flashes = map[string]string{
	flashActivation:     "Un message d'activation du compte vous a été envoyé avec succès.",
	flashReset:          "Si l'adresse saisie est connue du service de facturation, un message contenant un lien pour choisir votre mot de passe vient de lui être envoyé.",
	flashPasswordSet:    "Le nouveau mot de passe a été enregistré avec succès.",
	flashLoggedOut:      "Vous êtes déconnecté.",
	flashSessionExpired: "Votre session a expiré. Veuillez vous reconnecter.",
	flashEmailSent:      "Un message de confirmation a été envoyé à votre nouvelle adresse. Cliquez sur le lien qu'il contient pour valider le changement.",
	flashEmailConfirmed: "Votre nouvelle adresse de messagerie est enregistrée : utilisez-la désormais pour vous connecter.",
	flashPasswordChange: "Votre mot de passe a été modifié.",
	flashPaperless:      "Votre demande a été transmise au service : vous ne recevrez plus vos factures au format papier.",
	flashMailChoices:    "Vos choix de courriels sont enregistrés.",
	flashContact:        "Votre message a été envoyé au service. La réponse vous parviendra sur votre adresse de messagerie.",
	flashDeclared:       "La facture a été marquée comme réglée.",
	flashUndeclared:     "La facture a été marquée comme non réglée.",
	flashAccountClosed:  "Votre compte est clos : un message de confirmation vous a été envoyé. Vous pourrez activer un nouveau compte à tout moment avec « J'active mon compte ».",
}

// redirect answers a POST with 303 See Other to target and an optional
// confirmation code.
func redirect(w http.ResponseWriter, r *http.Request, target, flash string) error {
	if flash != "" {
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		target += sep + "message=" + flash
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}
