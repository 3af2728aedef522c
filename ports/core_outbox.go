package ports

import (
	"context"
	"time"

	"github.com/portail-factures/portail/domain"
)

// Mails are queued in the transaction of the change that causes them
// (the outbox, jobs_outbox.go); after the commit the sender is woken, or
// the mails delivered at once when MailInline is set.

// enqueue writes m to the outbox in tx.
func (p *Portal) enqueue(ctx context.Context, tx Tx, m Mail, now time.Time) error {
	om, err := p.outboxMail(m, now)
	if err != nil {
		return err
	}
	return domain.WrapInternal(tx.EnqueueMail(ctx, om))
}

// outboxMail is m as enqueue writes it, for a PaymentStep to carry.
func (p *Portal) outboxMail(m Mail, now time.Time) (OutboxMail, error) {
	id, err := p.newID()
	if err != nil {
		return OutboxMail{}, err
	}
	return OutboxMail{ID: id, Mail: m, State: OutboxPending, NextAttemptAt: now, CreatedAt: now}, nil
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
