// Package http is the portal's web server (Config, New: every audience on
// one ServeMux behind the kit's middleware) and, until it gets a package
// of its own, the citizens' web portal: server-rendered French pages for
// every screen of the manual, over the use cases of ports.Portal. The
// shared web kit is adapters/http/kit, the back office
// adapters/http/backoffice, the billing software's API adapters/http/api,
// the demo's pages adapters/http/dev.
//
// Everything a citizen reads is French; the words of the manual are used
// as written. Pages are html/template files embedded in the binary, parsed
// once at start-up (one template set per page over its audience's layout
// and the kit's partials), filled from typed page structs and rendered to
// a buffer before anything is written. Handlers are kit.HandlerFunc and
// return errors; the kit's one pipeline (kit.Site.Fail) turns them into
// pages with the audience's renderer (citizenErrors in errors.go).
//
// The package is named like the standard library's net/http, as in
// benbjohnson/wtf: inside it, "net/http" is imported as usual.
//
// # Routes
//
//	GET  /healthz                          "ok"
//	GET  /static/…                         style sheet and script
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
//	GET  /mes-informations/papier, POST    paper invoices               private
//	GET  /mes-informations/confirmer-adresse?lien=…, POST              double-submit
//	GET  /contact, POST                    Contacter le service         private
//	GET  /aide, /mentions-legales, /accessibilite
//	GET  /_dev/mail, /_dev/payfip/…        demo mode only (adapters/http/dev)
//	/api/v1/…                              the API (adapters/http/api)
//	/gestion/…                             the back office (adapters/http/backoffice)
//
// Every POST but the two payment callbacks also passes
// http.CrossOriginProtection.
package http
