package ports

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// The outbox's driven port: mails kept in the store until sent.

// OutboxState is where a mail of the outbox stands.
type OutboxState string

// The outbox states.
const (
	OutboxPending OutboxState = "pending"
	OutboxSent    OutboxState = "sent"
	OutboxFailed  OutboxState = "failed"
)

// Valid reports whether s is a known state.
func (s OutboxState) Valid() bool {
	return s == OutboxPending || s == OutboxSent || s == OutboxFailed
}

// OutboxMail is one mail of the outbox.
type OutboxMail struct {
	ID    uuid.UUID
	Mail  Mail
	State OutboxState
	// Attempts counts the deliveries tried.
	Attempts int
	// NextAttemptAt is when the mail may be tried (again); a sender that
	// claims it pushes it forward, so that no other sender takes it.
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	SentAt        time.Time
	// Attach names the files the sender makes just before sending, after
	// Mail.Attachments: a payment's PDF receipt is laid out at delivery,
	// not in the payment's transaction (jobs_outbox_attachments.go). The
	// store keeps them with the mail, as it keeps the mail.
	Attach []AttachmentRef
}

// AttachmentKind says which file an AttachmentRef makes.
type AttachmentKind string

// The kinds of files made at delivery.
const (
	// AttachReceipt is the PDF receipt of the payment AttachmentRef.ID.
	AttachReceipt AttachmentKind = "receipt"
)

// Valid reports whether k is a known kind.
func (k AttachmentKind) Valid() bool { return k == AttachReceipt }

// AttachmentRef is a file of an outbox mail kept as what to make, not as
// bytes: small in the store, and made outside the transaction that
// queued the mail.
type AttachmentRef struct {
	Kind AttachmentKind
	// ID is the document's: the payment, for AttachReceipt.
	ID uuid.UUID
}

// OutboxCounts says how many mails wait and how many failed for good.
type OutboxCounts struct {
	Pending int
	Failed  int
}

// Outbox is the part of a store that keeps mails. EnqueueMail belongs in
// the transaction of the change that causes the mail; the others are
// used by the sender.
type Outbox interface {
	EnqueueMail(ctx context.Context, m OutboxMail) error
	// EnqueueMails adds the mails in one write: all of them or, on error,
	// none (a mail whose id is taken is a Conflict).
	EnqueueMails(ctx context.Context, ms []OutboxMail) error
	// ClaimMails takes up to limit pending mails due at now, oldest first,
	// and moves their NextAttemptAt to now+lease, so that another sender
	// (another portal instance) skips them until then.
	ClaimMails(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]OutboxMail, error)
	// SaveMailResult records the outcome of a delivery: state, attempts,
	// next attempt, last error, sent time.
	SaveMailResult(ctx context.Context, m OutboxMail) error
	OutboxCounts(ctx context.Context) (OutboxCounts, error)
	// CountFailedMails counts the mails of the biller (Mail.BillerID)
	// queued at or after since that failed for good (the dashboard's
	// count).
	CountFailedMails(ctx context.Context, billerID uuid.UUID, since time.Time) (int, error)
	// CancelMails deletes the biller's pending mails (waiting or being
	// retried) addressed to one of to, compared without case, and
	// returns how many it deleted: the mails queued for an account that
	// is being closed (core_accounts_close.go), in its transaction. Sent
	// and failed mails are kept (PurgeMails ends them).
	CancelMails(ctx context.Context, billerID uuid.UUID, to []string) (int, error)
	// PurgeMails deletes up to limit of the biller's mails that are over
	// (sent, or failed for good) and were queued before before, and
	// returns how many it deleted; billerID uuid.Nil purges the mails of
	// no biller (queued before migration 0014). A pending mail is never
	// deleted, however old (the retention job, jobs_retention.go).
	PurgeMails(ctx context.Context, billerID uuid.UUID, before time.Time, limit int) (int, error)
}
