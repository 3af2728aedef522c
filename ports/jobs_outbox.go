package ports

import (
	"context"
	"time"

	"github.com/portail-factures/portail/domain"
)

// The outbox keeps every mail in the store, written in the same
// transaction as the change that caused it (the token, the message, the
// payment), so that no mail is lost when the mail server is down and none
// is sent for a change that was rolled back. A sender delivers them,
// retries temporary failures with backoff, and gives up on permanent ones.
// The store's side is store_outbox.go; every use case queues its mails
// with Portal.enqueue (core_outbox.go).

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

// MailsWaiting is closed over by the sender loop: a value arrives when a
// use case has queued mails.
func (p Jobs) MailsWaiting() <-chan struct{} { return p.wake }

// DeliverMails sends the mails of the outbox that are due, with the files
// they name made just before (mailToSend): a success is
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
			// The files the mail names are made now, outside the
			// transaction that queued it (jobs_outbox_attachments.go).
			mail, err := p.mailToSend(ctx, m, now)
			if err == nil {
				err = p.mailer.Send(ctx, mail)
			}
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
			err = p.store.SaveMailResult(context.WithoutCancel(ctx), m)
			if domain.ErrorCode(err) == domain.NotFound {
				// Cancelled while it was being sent: its account was
				// closed (cancelQueuedMails). Nothing left to record.
				p.log.WarnContext(ctx, "mail cancelled while being sent", "mail", m.ID, "state", m.State)
				continue
			}
			if err != nil {
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
