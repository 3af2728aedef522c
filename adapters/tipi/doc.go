// Package tipi is the DGFiP's payment service, PayFiP (formerly TIPI), as
// a ports.PaymentGateway, and a simulator of the DGFiP's side for the demo.
//
// The Gateway speaks one of two protocols, chosen by Config.Mode
// (docs/payfip.md gives the facts and their sources):
//
//   - ModePayFiP, the "régie web service" (§3): the operation is created
//     by the SOAP call creerPaiementSecurise, the payer is sent to the
//     payment page with its idOp, and the result is only ever taken from
//     the server-to-server call recupererDetailPaiementSecurise. The
//     notification and the browser return carry nothing but the idOp.
//   - ModeTIPI, the legacy "URL" mode (§2): the payer is sent to the
//     payment page with every field in the query string, and the result
//     comes back in an unauthenticated callback to urlcl, so its reports
//     are never Confirmed. There is no status query.
//
// The Simulator imitates the DGFiP's SOAP endpoint and payment pages over
// HTTP, so that the demo runs the production code path of the Gateway.
package tipi
