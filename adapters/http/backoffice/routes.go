package backoffice

import (
	"net/http"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/ports"
)

// Routes registers every route of the back office, under /gestion/: one
// list, area by area, each handler wrapped with who may use it
// (staffAnonymous before login, staffRead for any staff member,
// staffWrite for the role "gestionnaire", staffManage for an
// administrator).
func (s *BackOffice) Routes(mux *http.ServeMux) {
	// Session and dashboard (backoffice.go).
	mux.Handle("GET /gestion/connexion", s.staffAnonymous(s.showStaffLogin))
	mux.Handle("POST /gestion/connexion", s.staffAnonymous(s.staffLogin))
	mux.Handle("POST /gestion/deconnexion", s.staffRead(s.staffLogout))
	mux.Handle("GET /gestion/{$}", s.staffRead(s.staffHome))
	mux.Handle("GET /gestion", http.RedirectHandler("/gestion/", http.StatusMovedPermanently))

	// My account (account.go); changing one's own password is open to
	// every role.
	mux.Handle("GET "+staffAccountPath, s.staffRead(s.staffAccount))
	mux.Handle("POST "+staffAccountPassword, s.staffRead(s.changeStaffPassword))

	// The team and password links (staff.go).
	mux.Handle("GET "+staffForgotPath, s.staffAnonymous(s.showStaffForgot))
	mux.Handle("POST "+staffForgotPath, s.staffAnonymous(s.requestStaffReset))
	mux.Handle("GET "+ports.PathStaffSetPassword, s.staffAnonymous(s.showStaffSetPassword))
	mux.Handle("POST "+ports.PathStaffSetPassword, s.staffAnonymous(s.staffSetPassword))
	mux.Handle("POST "+staffMembersPath, s.staffManage(s.addStaffMember))
	mux.Handle("GET "+staffMembersPath+"/{id}/desactiver", s.staffManage(s.confirmStaffAction(staffDisable)))
	mux.Handle("POST "+staffMembersPath+"/{id}/desactiver", s.staffManage(s.disableStaffMember))
	mux.Handle("GET "+staffMembersPath+"/{id}/reinitialiser", s.staffManage(s.confirmStaffAction(staffReset)))
	mux.Handle("POST "+staffMembersPath+"/{id}/reinitialiser", s.staffManage(s.resetStaffMember))

	// Payments (payments.go).
	mux.Handle("GET /gestion/paiements", s.staffRead(s.staffPayments))
	mux.Handle("GET /gestion/paiements/export.csv", s.staffRead(s.staffExportPayments))
	mux.Handle("GET /gestion/paiements/a-confirmer", s.staffRead(s.staffUnconfirmed))
	mux.Handle("GET /gestion/paiements/{id}", s.staffRead(s.staffPayment))
	mux.Handle("POST /gestion/paiements/{id}/confirmer", s.staffWrite(s.staffConfirmPayment))
	mux.Handle("POST /gestion/paiements/{id}/rejeter", s.staffWrite(s.staffRejectPayment))

	// Invoices declared paid, the DGFiP's settlement report
	// (payments_review.go).
	mux.Handle("GET /gestion/factures-declarees", s.staffRead(s.staffDeclared))
	mux.Handle("POST /gestion/factures-declarees/{id}/confirmer", s.staffWrite(s.staffConfirmDeclared))
	mux.Handle("POST /gestion/factures-declarees/{id}/rejeter", s.staffWrite(s.staffRejectDeclared))
	mux.Handle("GET /gestion/releve", s.staffRead(s.staffSettlementForm))
	mux.Handle("POST /gestion/releve", s.staffWrite(s.staffSettlement))

	// Double payments to refund (refunds.go).
	mux.Handle("GET "+ports.PathRefunds, s.staffRead(s.staffRefunds))
	mux.Handle("GET "+ports.PathRefunds+"/export.csv", s.staffRead(s.staffExportRefunds))
	mux.Handle("POST "+ports.PathRefunds+"/{id}/rembourse", s.staffWrite(s.staffMarkRefunded))

	// Invoices (invoices.go).
	mux.Handle("GET /gestion/factures", s.staffRead(s.staffInvoices))
	mux.Handle("GET /gestion/factures/{id}", s.staffRead(s.staffInvoice))
	mux.Handle("POST /gestion/factures/{id}/etat", s.staffWrite(s.setStaffInvoiceState))

	// Payers' accounts (accounts.go).
	mux.Handle("GET /gestion/redevables", s.staffRead(s.showPayers))
	mux.Handle("GET /gestion/redevables/{id}", s.staffRead(s.showPayer))
	mux.Handle("GET /gestion/redevables/{id}/attestations/{year}", s.staffRead(s.staffCertificate))
	mux.Handle("GET /gestion/redevables/{id}/attestations/{year}"+ports.PathCertificatePDFSuffix, s.staffRead(s.staffCertificatePDF))
	mux.Handle("GET "+pathCertificatesZIP, s.staffRead(s.staffCertificatesZIP))
	mux.Handle("POST /gestion/redevables/{id}/activation", s.staffWrite(s.resendActivation))
	mux.Handle("POST /gestion/redevables/{id}/clore", s.staffWrite(s.closeAccount))

	// Messages (messages.go).
	mux.Handle("GET /gestion/messages", s.staffRead(s.showMessages))
	mux.Handle("GET /gestion/messages/{id}", s.staffRead(s.showMessage))
	mux.Handle("POST /gestion/messages/{id}/etat", s.staffWrite(s.setMessageState))

	// File import (import.go).
	mux.Handle("GET /gestion/import", s.staffRead(s.showImport))
	mux.Handle("POST /gestion/import", s.staffWrite(s.postImport))

	// Settings (settings.go).
	mux.Handle("GET /gestion/parametres", s.staffRead(s.showSettings))
	mux.Handle("POST /gestion/parametres", s.staffWrite(s.saveSettings))

	// The API keys, for administrators (apikeys.go).
	mux.Handle("GET "+apiKeysPath, s.staffAPIKeys(s.showAPIKeys))
	mux.Handle("POST "+apiKeysPath, s.staffAPIKeys(s.createAPIKey))
	mux.Handle("GET "+apiKeysPath+"/{id}/"+apiKeyRevokeSegment, s.staffAPIKeys(s.confirmRevokeAPIKey))
	mux.Handle("POST "+apiKeysPath+"/{id}/"+apiKeyRevokeSegment, s.staffAPIKeys(s.revokeAPIKey))

	// Audit log (audit.go).
	mux.Handle("GET /gestion/journal", s.staffRead(s.showAuditLog))

	// Anything else under /gestion/ is a back-office 404, for staff only.
	mux.Handle("/gestion/", s.staffRead(func(http.ResponseWriter, *http.Request) error { return kit.ErrNotFound }))
}

// flashes are the confirmations shown after a redirect to a back-office
// page with ?ok=code, area by area. Only these fixed texts can appear; a
// code used twice does not compile.
var flashes = map[string]string{
	flashStaffLoggedOut: "Vous êtes déconnecté de la gestion.",
	flashStaffExpired:   "Votre session a expiré. Veuillez vous reconnecter.",

	flashStaffPassword: "Votre nouveau mot de passe a été enregistré. Vos autres sessions de gestion ont été fermées.",

	flashStaffAdded:      "L'agent est ajouté : un message lui est envoyé avec un lien pour choisir son mot de passe.",
	flashStaffDisabled:   "L'agent est désactivé : il ne peut plus se connecter à la gestion.",
	flashStaffReset:      "Le mot de passe de l'agent est réinitialisé : un message lui est envoyé avec un lien pour en choisir un nouveau.",
	flashStaffLinkSent:   "Si l'adresse saisie est celle d'un agent du service, un message contenant un lien pour choisir votre mot de passe vient de lui être envoyé.",
	flashStaffPasswordOK: "Votre mot de passe est enregistré. Vous pouvez vous connecter à la gestion.",

	flashPaymentConfirmed: "Le paiement est confirmé.",
	flashPaymentRejected:  "Le paiement est rejeté : ses factures sont de nouveau à régler.",

	flashDeclaredConfirmed: "La facture est réglée (règlement hors du portail, à la date de la déclaration).",
	flashDeclaredRejected:  "La déclaration est refusée : la facture est de nouveau à régler et le redevable en est informé.",

	flashRefunded: "Le double paiement est marqué comme remboursé.",

	flashInvoicePaid:      "La facture est enregistrée comme réglée hors du portail.",
	flashInvoiceTreasury:  "La facture est transmise en trésorerie.",
	flashInvoiceCancelled: "La facture est annulée : le redevable ne la voit plus.",
	flashInvoiceSame:      "La facture était déjà dans cet état : rien n'a changé.",

	flashActivationSent: "Le lien d'activation est envoyé au redevable.",
	flashAccountClosed:  "Le compte du redevable est clos : il ne peut plus se connecter et un courriel l'en informe.",

	flashMessageDone:   "Le message est marqué comme traité.",
	flashMessageReopen: "Le message est de nouveau à traiter.",

	flashSettingsSaved: "Les paramètres sont enregistrés.",

	flashAPIKeyRevoked: "La clé d'API est révoquée : l'API refuse désormais les requêtes faites avec elle.",
}
