package ports

import "context"

// Mail is a rendered message. The core renders the French texts, so every
// Mailer sends the same words; the sender address is the adapter's.
type Mail struct {
	To      string
	ReplyTo string
	Subject string
	Text    string
	HTML    string
}

// Mailer sends one message. An error with code Unavailable is temporary.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}
