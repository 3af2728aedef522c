package ports

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// The outbox keeps every mail in the store, written in the same
// transaction as the change that caused it (the token, the message, the
// payment), so that no mail is lost when the mail server is down and none
// is sent for a change that was rolled back. A sender delivers them,
// retries temporary failures with backoff, and gives up on permanent ones.

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
	// ClaimMails takes up to limit pending mails due at now, oldest first,
	// and moves their NextAttemptAt to now+lease, so that another sender
	// (another portal instance) skips them until then.
	ClaimMails(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]OutboxMail, error)
	// SaveMailResult records the outcome of a delivery: state, attempts,
	// next attempt, last error, sent time.
	SaveMailResult(ctx context.Context, m OutboxMail) error
	OutboxCounts(ctx context.Context) (OutboxCounts, error)
}

// Delivery policy of the outbox.
const (
	mailLease     = 2 * time.Minute // a claimed mail is another sender's again after this
	mailBatch     = 50
	firstRetry    = time.Minute
	maxRetryDelay = time.Hour
)

// retryDelay doubles from one minute up to an hour.
func retryDelay(attempts int) time.Duration {
	d := firstRetry
	for i := 1; i < attempts && d < maxRetryDelay; i++ {
		d *= 2
	}
	return min(d, maxRetryDelay)
}

// enqueue writes m to the outbox in tx.
func (p *Portal) enqueue(ctx context.Context, tx Tx, m Mail, now time.Time) error {
	id, err := p.newID()
	if err != nil {
		return err
	}
	return domain.WrapInternal(tx.EnqueueMail(ctx, OutboxMail{
		ID: id, Mail: m, State: OutboxPending, NextAttemptAt: now, CreatedAt: now,
	}))
}

// mailsQueued is called after a transaction that enqueued mails: inline,
// they are delivered before the use case returns (the demo's mailbox,
// tests); otherwise the background sender is woken.
func (p *Portal) mailsQueued(ctx context.Context) {
	if p.cfg.MailInline {
		if _, err := p.Jobs().DeliverMails(ctx); err != nil {
			p.log.ErrorContext(ctx, "mail outbox", "err", err)
		}
		return
	}
	select {
	case p.wake <- struct{}{}:
	default: // a wake-up is already waiting
	}
}

// MailsWaiting is closed over by the sender loop: a value arrives when a
// use case has queued mails.
func (p Jobs) MailsWaiting() <-chan struct{} { return p.wake }

// DeliverMails sends the mails of the outbox that are due: a success is
// recorded as sent and never sent again; a temporary failure (code
// Unavailable) is retried later, with a delay doubling from one minute to
// an hour, until the mail is older than Config.MailRetryFor; a permanent
// failure is recorded as failed at once. Failures are logged at error
// level. It returns how many mails were sent.
func (p Jobs) DeliverMails(ctx context.Context) (int, error) {
	sent := 0
	for {
		p.beatSender()
		now := p.clock.Now()
		batch, err := p.store.ClaimMails(ctx, now, mailLease, mailBatch)
		if err != nil {
			return sent, domain.WrapInternal(err)
		}
		for _, m := range batch {
			if ctx.Err() != nil {
				return sent, ctx.Err()
			}
			m.Attempts++
			p.beatSender()
			err := p.mailer.Send(ctx, m.Mail)
			now := p.clock.Now()
			switch {
			case err == nil:
				m.State, m.SentAt, m.LastError = OutboxSent, now, ""
				sent++
			case domain.ErrorCode(err) == domain.Unavailable && now.Sub(m.CreatedAt) < p.cfg.MailRetryFor:
				m.NextAttemptAt = now.Add(retryDelay(m.Attempts))
				m.LastError = err.Error()
				p.log.WarnContext(ctx, "mail not sent, will retry", "mail", m.ID, "attempt", m.Attempts, "retry_at", m.NextAttemptAt, "err", err)
			default:
				m.State, m.LastError = OutboxFailed, err.Error()
				p.log.ErrorContext(ctx, "mail failed for good", "mail", m.ID, "subject", m.Mail.Subject, "attempts", m.Attempts, "err", err)
			}
			// Recorded even if the request that woke us was cancelled: a
			// sent mail must never be sent again.
			if err := p.store.SaveMailResult(context.WithoutCancel(ctx), m); err != nil {
				return sent, domain.WrapInternal(err)
			}
		}
		if len(batch) < mailBatch {
			return sent, nil
		}
	}
}

// OutboxCounts tells the operator how many mails wait and failed.
func (p Jobs) OutboxCounts(ctx context.Context) (OutboxCounts, error) {
	c, err := p.store.OutboxCounts(ctx)
	return c, domain.WrapInternal(err)
}
