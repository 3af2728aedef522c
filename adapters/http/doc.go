// Package http is the portal's web server: Config, New (every audience
// on one ServeMux behind the kit's middleware), the health probes and the
// portal's French 404. The audiences live in packages of their own, each
// registering its routes explicitly: the citizens' portal in
// adapters/http/citizen, the billing software's API in adapters/http/api,
// the back office in adapters/http/backoffice, the demo's pages in
// adapters/http/dev. What they share is adapters/http/kit.
//
// The middleware's own errors (an unknown biller, a cross-origin form, a
// panic) are answered in JSON on the API's paths and with the citizens'
// error page elsewhere (Server.fail).
//
// Every request gets an id (X-Request-Id, kept from a trusted proxy only:
// Config.TrustRequestID), written on its log lines and its error page,
// and one access-log line naming its route pattern, never its path; a
// Config.Requests observer (the metrics) is told of each (requests.go).
//
// The package is named like the standard library's net/http, as in
// benbjohnson/wtf: inside it, "net/http" is imported as usual.
//
// # Routes
//
//	GET  /healthz                          "ok"
//	GET  /readyz                           "ready", or 503 and why
//	GET  /static/…                         style sheets and script (kit)
//	/connexion, /factures, /paiement…      the citizens' portal (adapters/http/citizen)
//	/gestion/…                             the back office (adapters/http/backoffice)
//	/api/v1/…                              the API (adapters/http/api)
//	GET  /_dev/mail, /_dev/payfip/…        demo mode only (adapters/http/dev)
//	everything else                        the French 404
//
// Every POST but the two payment callbacks (citizen.CallbackRoutes) also
// passes http.CrossOriginProtection.
package http
