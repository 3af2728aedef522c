package ports

import (
	"context"

	"github.com/google/uuid"
)

// Mail is a rendered message. The core renders the French texts, so every
// Mailer sends the same words; the sender address is the adapter's.
type Mail struct {
	To      string
	ReplyTo string
	Subject string
	Text    string
	HTML    string
	// Unsubscribe, when set, is the absolute URL that stops this kind of
	// mail in one click: a Mailer that writes headers announces it with
	// List-Unsubscribe and List-Unsubscribe-Post (RFC 8058), so that the
	// payer's mail provider may POST "List-Unsubscribe=One-Click" to it,
	// with no cookie and no form token. Empty for the mails a payer cannot
	// turn off (activation, password, address change).
	Unsubscribe string
	// Attachments are sent after the text and HTML bodies, in order.
	Attachments []Attachment
	// BillerID is the biller the mail is sent for (set by the templates'
	// renderer from the mail's data); the outbox keeps it so that a
	// biller's dashboard counts its own failed mails. Nil for a mail of
	// no biller. Not a header: a Mailer ignores it.
	BillerID uuid.UUID
}

// Attachment is a file sent with a mail.
type Attachment struct {
	// Name is the file name the recipient sees ("recu-PF2026-0001.pdf").
	Name string
	// ContentType is the file's media type ("application/pdf").
	ContentType string
	Data        []byte
}

// Mailer sends one message. An error with code Unavailable is temporary.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}
