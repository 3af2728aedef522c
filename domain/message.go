package domain

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// MessageKind says why a payer wrote to the billing service.
type MessageKind string

// The kinds of message a payer sends from the portal.
const (
	MessageContact   MessageKind = "contact"   // "Contacter le service"
	MessagePaperless MessageKind = "paperless" // request to stop paper invoices
)

// Valid reports whether k is a known kind.
func (k MessageKind) Valid() bool { return k == MessageContact || k == MessagePaperless }

// MessageState is the billing service's handling of a message.
type MessageState string

// The message states.
const (
	MessageNew     MessageState = "new"
	MessageHandled MessageState = "handled"
)

// Valid reports whether s is a known state.
func (s MessageState) Valid() bool { return s == MessageNew || s == MessageHandled }

// Label says the state in French.
func (s MessageState) Label() string {
	if s == MessageHandled {
		return "Traité"
	}
	return "Nouveau"
}

// Label says the kind in French.
func (k MessageKind) Label() string {
	if k == MessagePaperless {
		return "Arrêt des factures papier"
	}
	return "Message"
}

// Limits of a contact message.
const (
	MaxSubjectLength = 150
	MaxBodyLength    = 5000
)

// Message is what a payer sent to the billing service: kept in the store
// so the service can follow it up, and emailed to the service.
type Message struct {
	ID        uuid.UUID
	BillerID  uuid.UUID
	PayerID   uuid.UUID
	AccountID uuid.UUID
	Kind      MessageKind
	// FromEmail is the account's address when the message was sent; the
	// service's reply goes there.
	FromEmail string
	Subject   string
	Body      string
	State     MessageState
	CreatedAt time.Time
	HandledAt time.Time
}

// NewContactMessage checks and returns a contact message.
func NewContactMessage(id uuid.UUID, a Account, subject, body string, now time.Time) (Message, error) {
	subject = strings.TrimSpace(oneLine(subject))
	body = strings.TrimSpace(body)
	switch {
	case subject == "":
		return Message{}, FieldError("subject", "Veuillez indiquer l'objet de votre message.")
	case utf8.RuneCountInString(subject) > MaxSubjectLength:
		return Message{}, FieldError("subject", "L'objet ne doit pas dépasser 150 caractères.")
	case body == "":
		return Message{}, FieldError("body", "Veuillez écrire votre message.")
	case utf8.RuneCountInString(body) > MaxBodyLength:
		return Message{}, FieldError("body", "Le message ne doit pas dépasser 5000 caractères.")
	case !utf8.ValidString(subject) || !utf8.ValidString(body):
		return Message{}, FieldError("body", "Le message contient des caractères invalides.")
	}
	return Message{
		ID: id, BillerID: a.BillerID, PayerID: a.PayerID, AccountID: a.ID, Kind: MessageContact,
		FromEmail: a.Email, Subject: subject, Body: body, State: MessageNew, CreatedAt: now,
	}, nil
}

// NewPaperlessMessage returns the record of a payer's request to stop
// paper invoices.
func NewPaperlessMessage(id uuid.UUID, a Account, payer Payer, now time.Time) Message {
	return Message{
		ID: id, BillerID: a.BillerID, PayerID: a.PayerID, AccountID: a.ID, Kind: MessagePaperless,
		FromEmail: a.Email, Subject: "Demande d'arrêt des factures papier",
		Body:  payer.Name + " (référence " + payer.ExternalRef + ") ne souhaite plus recevoir ses factures au format papier.",
		State: MessageNew, CreatedAt: now,
	}
}

// oneLine folds line breaks, so that a subject can never carry a header.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.NewReplacer("\r", " ", "\n", " ").Replace(s)), " ")
}

// MarkHandled records that the billing service dealt with the message. It
// reports whether anything changed: marking twice keeps the first date.
func (m *Message) MarkHandled(now time.Time) bool {
	if m.State == MessageHandled {
		return false
	}
	m.State, m.HandledAt = MessageHandled, now
	return true
}

// Reopen puts a handled message back to new, when it was marked by
// mistake or needs another answer. It reports whether anything changed.
func (m *Message) Reopen() bool {
	if m.State == MessageNew {
		return false
	}
	m.State, m.HandledAt = MessageNew, time.Time{}
	return true
}
