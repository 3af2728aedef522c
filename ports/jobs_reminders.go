package ports

import (
	"context"
	"time"

	"github.com/portail-factures/portail/domain"
)

// remindBatch is how many invoices one transaction of the reminders job
// handles.
const remindBatch = 500

// remindLogEvery is how many invoices the job reads between two progress
// lines in the log.
const remindLogEvery = 50_000

// RunReminders is the reminders job (issue 15, item 2): for each biller
// with reminders on, it walks the unpaid invoices whose due date is in the
// reminder's window (domain.Reminders.Window) and have no reminder of that
// kind yet, by batches over the unpaid invoices' due-date index (keyset:
// the next batch starts after the last due date and number). Each batch is
// one transaction: the invoices are locked and checked again
// (domain.Invoice.Remindable), the payer's account must be active with
// reminders on (domain.Account.Wants, the batch's accounts read at once),
// and the store records the reminders of the invoices kept (RecordNotices,
// at once) in the transaction that queues their mails: one mail per payer
// and batch, listing its invoices (mailNoticeBatch). An invoice
// another instance reminded meanwhile is not recorded twice, so neither is
// its mail. Run it as often as wanted; it returns how many invoices were
// reminded.
func (p Jobs) RunReminders(ctx context.Context) (int, error) {
	billers, err := p.store.Billers(ctx)
	if err != nil {
		return 0, domain.WrapInternal(err)
	}
	now := p.clock.Now()
	today := domain.Today(now)
	total := 0
	for _, b := range billers {
		for _, kind := range []domain.NoticeKind{domain.NoticeReminderBefore, domain.NoticeReminderAfter} {
			from, to, ok := b.Reminders.Window(kind, today, b.TreasuryDelayDays)
			if !ok {
				continue
			}
			n, err := p.remindBiller(ctx, b, RemindQuery{BillerID: b.ID, Kind: kind, From: from, To: to, Limit: remindBatch}, now)
			total += n
			if err != nil {
				return total, err
			}
		}
	}
	if total > 0 {
		p.mailsQueued(ctx)
	}
	return total, nil
}

// remindBiller walks one biller's window for one kind.
func (p *Portal) remindBiller(ctx context.Context, b domain.Biller, q RemindQuery, now time.Time) (int, error) {
	return p.walkNotices(ctx, "reminders", []any{"biller", b.ID, "kind", q.Kind}, q.Limit,
		func() ([]domain.Invoice, error) { return p.store.InvoicesToRemind(ctx, q) },
		func(batch []domain.Invoice) (int, error) { return p.remindBatch(ctx, b, q, batch, now) },
		func(last domain.Invoice) { q.AfterDue, q.AfterNumber = last.DueDate, last.Number })
}

// remindBatch reminds one batch in one transaction and returns how many
// invoices got their reminder.
func (p *Portal) remindBatch(ctx context.Context, b domain.Biller, q RemindQuery, batch []domain.Invoice, now time.Time) (int, error) {
	return p.mailNoticeBatch(ctx, b, q.Kind, batch, now,
		func(inv domain.Invoice) bool {
			return inv.Remindable(now) && !inv.DueDate.Before(q.From) && !q.To.Before(inv.DueDate)
		},
		func(a domain.Account, _ domain.Invoice) bool { return a.Wants(q.Kind) })
}
