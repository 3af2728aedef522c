package domain

import (
	"time"

	"github.com/google/uuid"
)

// ActorKind says who did what an audit event records.
type ActorKind string

// The actors of the audit log.
const (
	ActorStaff   ActorKind = "staff"   // a member of the billing service
	ActorCitizen ActorKind = "citizen" // a payer, or someone trying to log in as one
	ActorAPI     ActorKind = "api"     // the billing software, through an API key
	ActorSystem  ActorKind = "system"  // the portal itself (scheduled jobs)
)

// Valid reports whether k is a known actor kind.
func (k ActorKind) Valid() bool {
	return k == ActorStaff || k == ActorCitizen || k == ActorAPI || k == ActorSystem
}

// Label says the actor kind in French.
func (k ActorKind) Label() string {
	switch k {
	case ActorStaff:
		return "Agent"
	case ActorCitizen:
		return "Redevable"
	case ActorAPI:
		return "API"
	}
	return "Portail"
}

// AuditAction names what happened. Values are stable: they are stored and
// filtered on.
type AuditAction string

// Citizen security events.
const (
	AuditLogin             AuditAction = "citizen.login"
	AuditLoginFailed       AuditAction = "citizen.login_failed"
	AuditLogout            AuditAction = "citizen.logout"
	AuditActivationSent    AuditAction = "citizen.activation_sent"
	AuditPasswordResetSent AuditAction = "citizen.password_reset_sent"
	AuditPasswordSet       AuditAction = "citizen.password_set"
	AuditPasswordChanged   AuditAction = "citizen.password_changed"
	AuditEmailChangeAsked  AuditAction = "citizen.email_change_requested"
	AuditEmailChanged      AuditAction = "citizen.email_changed"
	// AuditMailPreferences: notices or reminders turned on or off, from
	// « Mes informations » or a mail's unsubscribe link (issue 15).
	AuditMailPreferences   AuditAction = "citizen.mail_preferences"
	AuditStaffLogin        AuditAction = "staff.login"
	AuditStaffLoginFailed  AuditAction = "staff.login_failed"
	AuditStaffLogout       AuditAction = "staff.logout"
	AuditSettingsChanged   AuditAction = "staff.settings_changed"
	AuditImport            AuditAction = "staff.import"
	AuditInvoiceStatus     AuditAction = "invoice.status_changed"
	AuditTreasury          AuditAction = "invoice.treasury"
	AuditPaymentConfirmed  AuditAction = "payment.confirmed"
	AuditPaymentRejected   AuditAction = "payment.rejected"
	AuditDeclaredConfirmed AuditAction = "invoice.declared_confirmed"
	AuditDeclaredRejected  AuditAction = "invoice.declared_rejected"
	AuditSettlementReport  AuditAction = "payment.settlement_report"
	AuditMessageHandled    AuditAction = "message.handled"
	AuditActivationResent  AuditAction = "account.activation_resent"
	AuditPayerSaved        AuditAction = "api.payer_saved"
	AuditInvoiceSaved      AuditAction = "api.invoice_saved"
	AuditDocumentSaved     AuditAction = "api.document_saved"
	AuditAPIKeyCreated     AuditAction = "apikey.created"
	AuditAPIKeyRevoked     AuditAction = "apikey.revoked"
	AuditStaffCreated      AuditAction = "staff.created"
	AuditPaymentsExported  AuditAction = "payment.exported"
	AuditStaffPassword     AuditAction = "staff.password_changed"
	// AuditMessageReopened puts a handled message back to new.
	AuditMessageReopened AuditAction = "message.reopened"
	// Staff managed by an administrator, and staff's own links.
	AuditStaffInvited     AuditAction = "staff.invited"
	AuditStaffDisabled    AuditAction = "staff.disabled"
	AuditStaffReset       AuditAction = "staff.reset"
	AuditStaffResetSent   AuditAction = "staff.password_reset_sent"
	AuditStaffPasswordSet AuditAction = "staff.password_set"
	// Yearly certificates produced by the staff: one payer's, or every
	// payer's of a year as one ZIP.
	AuditCertificateIssued    AuditAction = "certificate.issued"
	AuditCertificatesExported AuditAction = "certificate.exported"
	// An account closed by its payer or by the staff, and the retention
	// job's run that erased the data of closed accounts (issue 16).
	AuditAccountClosed AuditAction = "account.closed"
	AuditRetention     AuditAction = "account.retention"
)

// auditLabels name every action in French, for the back office's log.
var auditLabels = map[AuditAction]string{
	AuditLogin:                "Connexion",
	AuditLoginFailed:          "Connexion refusée",
	AuditLogout:               "Déconnexion",
	AuditActivationSent:       "Lien d'activation envoyé",
	AuditPasswordResetSent:    "Lien de mot de passe oublié envoyé",
	AuditPasswordSet:          "Mot de passe choisi par lien",
	AuditPasswordChanged:      "Mot de passe changé",
	AuditEmailChangeAsked:     "Changement d'adresse demandé",
	AuditEmailChanged:         "Adresse changée",
	AuditMailPreferences:      "Choix des avis et rappels par courriel",
	AuditStaffLogin:           "Connexion à la gestion",
	AuditStaffLoginFailed:     "Connexion à la gestion refusée",
	AuditStaffLogout:          "Déconnexion de la gestion",
	AuditStaffPassword:        "Mot de passe d'agent changé",
	AuditStaffCreated:         "Agent créé ou modifié",
	AuditSettingsChanged:      "Paramètres modifiés",
	AuditImport:               "Import",
	AuditInvoiceStatus:        "État de facture changé",
	AuditTreasury:             "Transmission en trésorerie",
	AuditPaymentConfirmed:     "Paiement confirmé",
	AuditPaymentRejected:      "Paiement rejeté",
	AuditDeclaredConfirmed:    "Déclaration de règlement confirmée",
	AuditDeclaredRejected:     "Déclaration de règlement refusée",
	AuditSettlementReport:     "Relevé de la DGFiP",
	AuditPaymentsExported:     "Export des paiements",
	AuditMessageHandled:       "Message traité",
	AuditMessageReopened:      "Message remis à traiter",
	AuditActivationResent:     "Activation renvoyée",
	AuditPayerSaved:           "Redevable enregistré",
	AuditInvoiceSaved:         "Facture enregistrée",
	AuditDocumentSaved:        "Document PDF enregistré",
	AuditAPIKeyCreated:        "Clé d'API créée",
	AuditAPIKeyRevoked:        "Clé d'API révoquée",
	AuditStaffInvited:         "Agent invité",
	AuditStaffDisabled:        "Agent désactivé",
	AuditStaffReset:           "Mot de passe d'agent réinitialisé",
	AuditStaffResetSent:       "Lien de mot de passe oublié envoyé à un agent",
	AuditStaffPasswordSet:     "Mot de passe d'agent choisi par lien",
	AuditCertificateIssued:    "Attestation annuelle produite",
	AuditCertificatesExported: "Attestations annuelles exportées (ZIP)",
	AuditAccountClosed:        "Compte clos",
	AuditRetention:            "Anonymisation des comptes clos",
}

// Label says the action in French; an action this version does not know
// (written by a newer one) is shown as its code.
func (a AuditAction) Label() string {
	if l, ok := auditLabels[a]; ok {
		return l
	}
	return string(a)
}

// AuditEvent is one line of the audit log: who did what, when, from where.
// It never holds a password, a token or a card detail.
type AuditEvent struct {
	ID       uuid.UUID
	BillerID uuid.UUID
	At       time.Time
	Actor    ActorKind
	// ActorID is the staff member, account or API key; Nil when unknown
	// (a failed login with an unknown address).
	ActorID uuid.UUID
	// ActorLabel is what a reader recognises: an address, a key's name.
	ActorLabel string
	Action     AuditAction
	// Target names the record acted on: an invoice number, a refdet, an
	// address.
	Target string
	// Detail is a short French sentence for the reader.
	Detail string
	// IP is the client's address, when the event came over HTTP.
	IP string
}
