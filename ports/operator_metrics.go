package ports

import (
	"context"
	"time"

	"github.com/portail-factures/portail/domain"
)

// Backlog is the work waiting in the store, as the operators' metrics
// show it at each scrape: how far the reconciler is behind and how many
// mails wait or failed.
type Backlog struct {
	// OldestLive is when the oldest attempt still live (created or in
	// progress) was created; zero when there is none. Its age is the
	// reconciler's lag: an attempt older than the biller's lock duration
	// and a few reconciler intervals means the reconciler is stuck.
	OldestLive time.Time
	Outbox     OutboxCounts
}

// Backlog reads the backlog with the stores' indexed reads (the live
// payments' and the outbox's partial indexes): cheap enough for every
// scrape.
func (p Operator) Backlog(ctx context.Context) (Backlog, error) {
	var b Backlog
	live, err := p.store.LivePayments(ctx, 1)
	if err != nil {
		return Backlog{}, domain.WrapInternal(err)
	}
	if len(live) > 0 {
		b.OldestLive = live[0].CreatedAt
	}
	if b.Outbox, err = p.store.OutboxCounts(ctx); err != nil {
		return Backlog{}, domain.WrapInternal(err)
	}
	return b, nil
}
