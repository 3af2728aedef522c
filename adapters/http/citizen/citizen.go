// Package citizen is the citizens' web portal: server-rendered French
// pages for every screen of the manual (account, session, invoices,
// payment and the gateway's callbacks, « Mes informations », contact, the
// footer's pages), over the use cases of ports.Portal
// (CitizenAccounts, Citizens, and Jobs for the payment callbacks). Its
// templates live in templates/ beside it: layout.html and one file per
// page, defining "content".
//
// Portal.Routes registers every route explicitly. Every handler is a
// kit.HandlerFunc; the logged-in citizen is in the request's context
// (userFrom). Errors go through the kit's one pipeline (kit.Site.Fail)
// with this package's renderer (Portal.Errors), which also draws the
// portal's 404 and the middleware's errors outside the API, and the demo's
// pages (adapters/http/dev) are drawn in its layout (Layout,
// Portal.FillBase).
//
// Everything a citizen reads is French; the words of the manual are used
// as written.
//
// # Routes
//
//	GET  /connexion, POST                  login                        form token: double-submit cookie
//	POST /deconnexion                      logout                       session form token
//	GET  /activation, POST                 J'active mon compte          double-submit
//	GET  /mot-de-passe-oublie, POST        Oublié ?                     double-submit
//	GET  /mot-de-passe?lien=…, POST        Saisissez votre nouveau…     double-submit
//	GET  /                                 home and important notice    private
//	POST /information/fermer               Fermer (the notice)          private
//	GET  /factures?onglet=…&page=…         Mes factures                 private
//	GET  /factures/{id}                    invoice detail               private
//	GET  /factures/{id}/pdf                the invoice's document       private
//	GET  /factures/{id}/recu, /recu.pdf    the receipt of a paid invoice private
//	GET  /attestations/{year}, /pdf        a yearly certificate         private
//	POST /factures/{id}/reglee             Marquer … comme réglée       private
//	POST /factures/{id}/non-reglee         Marquer … comme non réglée   private
//	GET  /paiement?facture=…               selection                    private
//	GET  /paiement/recapitulatif?facture=… Informations pour le paiement private
//	POST /paiement                         to PayFiP (303)              private
//	GET|POST /paiement/notification        gateway's notification       no token, any origin
//	GET|POST /paiement/retour              back from the DGFiP          no token, any origin
//	GET  /mes-informations                 Mes informations             private
//	POST /mes-informations/adresse         change of address            private
//	POST /mes-informations/mot-de-passe    change of password           private
//	POST /mes-informations/courriels       notices and reminders on/off private
//	GET  /mes-informations/papier, POST    paper invoices               private
//	GET  /mes-informations/clore, POST     closing the account          private
//	GET  /mes-informations/confirmer-adresse?lien=…, POST              double-submit
//	GET  /contact, POST                    Contacter le service         private
//	GET  /verification?code=…, POST        Vérifier un document         public, double-submit, AuthPerIP
//	GET  /desabonnement/{token}, POST      Ne plus recevoir ces courriels public, signed link, AuthPerIP;
//	                                       the POST takes no form token (RFC 8058 one-click)
//	GET  /aide, /mentions-legales, /accessibilite
//
// Every POST but the two payment callbacks (CallbackRoutes) also passes
// http.CrossOriginProtection, set up by adapters/http.
package citizen

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/ports"
)

// Portal serves the citizens' portal over the kit's Site.
type Portal struct {
	site   *kit.Site
	portal *ports.Portal
	log    *slog.Logger
	clock  ports.Clock
	limits *kit.Limiters
	pages  *kit.Pages
	// paymentOrigins is appended to form-action on the summary page.
	paymentOrigins string
}

// New parses the citizens' pages (it fails if one is missing or does not
// parse: the start-up check of every page). paymentPages are the URLs of
// the payment pages the browser is sent to (PayFiP's): their origins are
// allowed as form targets on the summary page; empty, any https origin.
func New(site *kit.Site, paymentPages []string) (*Portal, error) {
	s := &Portal{site: site, portal: site.Portal, log: site.Log, clock: site.Clock, limits: site.Limits}
	s.paymentOrigins = " https:"
	if len(paymentPages) > 0 {
		s.paymentOrigins = ""
		for _, page := range paymentPages {
			pu, err := url.Parse(page)
			if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
				return nil, fmt.Errorf("http: payment page %q: want an absolute http(s) URL", page)
			}
			if o := pu.Scheme + "://" + pu.Host; o != site.Origin {
				s.paymentOrigins += " " + o
			}
		}
	}
	if err := s.parsePages(); err != nil {
		return nil, err
	}
	return s, nil
}

// CallbackRoutes are the routes the DGFiP reaches cross-origin by nature:
// its servers notify, and a browser comes back from the DGFiP's site with
// a POST. They change nothing on the citizen's behalf (they only make the
// portal ask the gateway, server to server, what happened), so they are
// exempt from the cross-origin protection.
var CallbackRoutes = []string{"POST " + ports.PathPaymentNotify, "POST " + ports.PathPaymentReturn}

// Routes registers every page of the citizens' portal.
func (s *Portal) Routes(mux *http.ServeMux) {
	// Account: login, activation, forgotten password, password links.
	mux.Handle("GET /connexion", s.anonymous(s.showLogin))
	mux.Handle("POST /connexion", s.anonymous(s.login))
	mux.Handle("POST /deconnexion", s.private(s.logout))
	mux.Handle("GET /activation", s.anonymous(s.showActivation))
	mux.Handle("POST /activation", s.anonymous(s.requestActivation))
	mux.Handle("GET /mot-de-passe-oublie", s.anonymous(s.showForgot))
	mux.Handle("POST /mot-de-passe-oublie", s.anonymous(s.requestReset))
	mux.Handle("GET "+ports.PathSetPassword, s.anonymous(s.showSetPassword))
	mux.Handle("POST "+ports.PathSetPassword, s.anonymous(s.setPassword))
	mux.Handle("GET /{$}", s.private(s.home))
	mux.Handle("POST /information/fermer", s.private(s.closeNotice))

	// Invoices.
	mux.Handle("GET /factures", s.private(s.invoices))
	mux.Handle("GET /factures/{id}", s.private(s.invoice))
	mux.Handle("GET /factures/{id}/pdf", s.private(s.invoicePDF))
	mux.Handle("GET /factures/{id}/recu", s.private(s.receipt))
	mux.Handle("GET /factures/{id}/recu.pdf", s.private(s.receiptPDF))
	mux.Handle("GET "+ports.PathCertificates+"/{year}", s.private(s.certificate))
	mux.Handle("GET "+ports.PathCertificates+"/{year}"+ports.PathCertificatePDFSuffix, s.private(s.certificatePDF))
	mux.Handle("POST /factures/{id}/reglee", s.private(s.declarePaid))
	mux.Handle("POST /factures/{id}/non-reglee", s.private(s.undoDeclarePaid))

	// Payment, and the gateway's callbacks.
	mux.Handle("GET /paiement", s.private(s.selection))
	mux.Handle("GET /paiement/recapitulatif", s.private(s.summary))
	mux.Handle("POST /paiement", s.private(s.startPayment))
	mux.Handle("GET "+ports.PathPaymentNotify, s.limits.LimitPaymentCallbacks(http.HandlerFunc(s.notify), s.Fail))
	mux.Handle("POST "+ports.PathPaymentNotify, s.limits.LimitPaymentCallbacks(http.HandlerFunc(s.notify), s.Fail))
	mux.Handle("GET "+ports.PathPaymentReturn, s.limits.LimitPaymentCallbacks(s.Public(s.paymentReturn), s.Fail))
	mux.Handle("POST "+ports.PathPaymentReturn, s.limits.LimitPaymentCallbacks(s.Public(s.paymentReturn), s.Fail))

	// Mes informations.
	mux.Handle("GET /mes-informations", s.private(s.profile))
	mux.Handle("POST /mes-informations/adresse", s.private(s.changeEmail))
	mux.Handle("POST /mes-informations/mot-de-passe", s.private(s.changePassword))
	mux.Handle("POST /mes-informations/courriels", s.private(s.mailPreferences))
	mux.Handle("GET /mes-informations/papier", s.private(s.showPaperless))
	mux.Handle("POST /mes-informations/papier", s.private(s.paperless))
	mux.Handle("GET "+pathMyData, s.private(s.myData))
	mux.Handle("GET "+pathMyDataJSON, s.private(s.myDataJSON))
	mux.Handle("GET /mes-informations/clore", s.private(s.showCloseAccount))
	mux.Handle("POST /mes-informations/clore", s.private(s.closeAccount))
	mux.Handle("GET "+ports.PathConfirmEmail, s.anonymous(s.showConfirmEmail))
	mux.Handle("POST "+ports.PathConfirmEmail, s.anonymous(s.confirmEmail))

	// Contact and the footer's pages.
	mux.Handle("GET /contact", s.private(s.showContact))
	mux.Handle("POST /contact", s.private(s.contact))
	mux.Handle("GET "+ports.PathVerification, s.Public(s.showVerification))
	mux.Handle("POST "+ports.PathVerification, s.anonymous(s.checkVerification))
	mux.Handle("GET "+ports.PathUnsubscribe+"/{token}", s.Public(s.showUnsubscribe))
	mux.Handle("POST "+ports.PathUnsubscribe+"/{token}", s.Public(s.unsubscribe))
	mux.Handle("GET /aide", s.Public(s.help))
	mux.Handle("GET /mentions-legales", s.Public(s.legal))
	mux.Handle("GET /accessibilite", s.Public(s.accessibility))
}
