package http

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/portail-factures/portail/domain"
)

//go:embed templates/*.html
var templateFiles embed.FS

// The pages. Each is its own template set: layout.html and partials.html
// with the page's file, which defines "content". New fails if one is
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
	pageDevMail      = "dev_mail"
)

var pageNames = []string{
	pageLogin, pageActivation, pageForgot, pageSetPassword, pageDeadLink, pageHome,
	pageInvoices, pageInvoice, pageSelection, pageSummary, pagePaymentBack,
	pageProfile, pagePaperless, pageConfirmEmail, pageContact,
	pageHelp, pageLegal, pageA11y, pageError, pageDevMail,
}

type pageTemplate = template.Template

func parsePages(funcs template.FuncMap) (map[string]*pageTemplate, error) {
	pages := make(map[string]*pageTemplate, len(pageNames))
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFiles,
			"templates/layout.html", "templates/partials.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("http: page %s: %w", name, err)
		}
		if t.Lookup("content") == nil || t.Lookup("layout") == nil {
			return nil, fmt.Errorf("http: page %s: no content or layout template", name)
		}
		pages[name] = t
	}
	// The back office's pages: every templates/gestion_*.html but its
	// layout, each with the back office's layout.
	staff, err := fs.Glob(templateFiles, "templates/gestion_*.html")
	if err != nil {
		return nil, fmt.Errorf("http: back-office pages: %w", err)
	}
	for _, file := range staff {
		name := strings.TrimSuffix(path.Base(file), ".html")
		if name == "gestion_layout" {
			continue
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFiles,
			"templates/gestion_layout.html", "templates/partials.html", file)
		if err != nil {
			return nil, fmt.Errorf("http: page %s: %w", name, err)
		}
		if t.Lookup("content") == nil || t.Lookup("gestion_layout") == nil {
			return nil, fmt.Errorf("http: page %s: no content or layout template", name)
		}
		pages[name] = t
	}
	return pages, nil
}

// basePage is what the layout needs; every page struct embeds it.
type basePage struct {
	// Title is the page's own title; the layout adds the portal's and
	// the biller's names, so that every title is unique (RGAA 8.6).
	Title      string
	BillerName string
	LoggedIn   bool
	// Menu is the current menu entry, marked with aria-current.
	Menu      string
	FormToken string
	// Flash is a confirmation after a redirect, read from ?message=.
	Flash string
	// Errors is the error summary at the top of the page (RGAA 11.10).
	Errors []summaryLine
	Dev    bool
}

func (b *basePage) base() *basePage { return b }

type page interface{ base() *basePage }

// The menu entries.
const (
	menuHome     = "accueil"
	menuInvoices = "factures"
	menuProfile  = "informations"
	menuContact  = "contact"
)

// render fills the base page and writes the page through a buffer, so
// that a template failure never sends half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, st int, name string, p page) error {
	t := s.pages[name]
	if t == nil {
		return domain.WrapInternal(fmt.Errorf("no page %q", name))
	}
	b := p.base()
	b.BillerName = s.billerName(r)
	b.Dev = s.dev != nil
	if u := userFrom(r); u != nil {
		b.LoggedIn = true
		b.FormToken = u.session.CSRFToken
	} else {
		b.FormToken = s.formToken(w, r)
	}
	if b.Flash == "" {
		b.Flash = flashes[r.URL.Query().Get("message")]
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		return domain.WrapInternal(fmt.Errorf("page %s: %w", name, err))
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(st)
	_, _ = w.Write(buf.Bytes())
	return nil
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
	flashContact:        "Votre message a été envoyé au service. La réponse vous parviendra sur votre adresse de messagerie.",
	flashDeclared:       "La facture a été marquée comme réglée.",
	flashUndeclared:     "La facture a été marquée comme non réglée.",
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

// funcs are the helpers templates may call.
func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"euros": domain.FormatEuros,
		"date":  func(d domain.Date) string { return d.French() },
		"datetime": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return domain.FrenchDateTime(t)
		},
		"day": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(domain.Paris).Format("02/01/2006")
		},
		"cents":  func(d decimal.Decimal) string { return d.Shift(2).StringFixed(0) },
		"static": s.assets.url,
		"add":    func(a, b int) int { return a + b },
		"join":   strings.Join,
		"pager": func(label, prev, next, position string) pagerView {
			return pagerView{Label: label, Prev: prev, Next: next, Position: position}
		},
	}
}

// pagerView is what the "pager" partial shows: the links to the
// neighbour pages (empty at either end), where the list stands, and the
// navigation's name for screen readers.
type pagerView struct {
	Label, Prev, Next, Position string
}
