// Package domain is the model of Portail des factures and every rule of its
// user manual: who may activate an account, which invoices may be paid now,
// what may be paid together, how a payment attempt moves from one state to
// the next, and when an unpaid invoice goes to the Trésor public.
//
// The package is pure: it imports only the standard library,
// github.com/google/uuid and github.com/shopspring/decimal. It does no I/O
// and never reads the clock: the current time is always a parameter, and
// randomness arrives as bytes the caller drew. Other Go programs import it
// (with package ports) to run the portal's rules without any infrastructure.
//
// Money is always a decimal.Decimal in euros with two decimals; it becomes
// integer cents only at the PayFiP edge. Calendar dates (issue date, due
// date) are [Date] values; instants are time.Time, shown in [Paris].
//
// Errors returned by rules are *[Error] values carrying a [Code] and a
// French Message that is safe to show a citizen.
//
// # Glossary
//
// The manual is written in French; the code in English. The words map as
// follows:
//
//	collectivité, service de facturation   Biller
//	redevable, usager                      Payer
//	compte, espace                         Account
//	lien d'activation / de réinitialisation Token
//	facture                                Invoice
//	numéro de facture                      Invoice.Number
//	objet                                  Invoice.Object, Payment.Object
//	échéance                               Invoice.DueDate
//	facture non réglée / réglée            InvoiceUnpaid / InvoicePaid
//	facture en trésorerie                  InvoiceTreasury
//	avis de somme à payer                  (sent by post by the Trésor public)
//	règlement, paiement                    Payment
//	identifiant collectivité (numcli)      Biller.Numcli
//	référence de la dette (refdet)         Payment.Refdet
//	exercice (exer)                        Payment.Year
//	suspension des paiements               Suspension
//	message important                      Biller.Notice
//	texte d'accueil                        Biller.HomeText
//	factures papier / dématérialisation    Payer.Paperless
//	message au service                     Message
package domain
