package ports

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

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
// reminders on (domain.Account.Wants), and for each invoice kept the store
// records the reminder (RecordNotice) in the transaction that queues its
// mail: one mail per payer and batch, listing its invoices. An invoice
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
	read, sent := 0, 0
	for {
		batch, err := p.store.InvoicesToRemind(ctx, q)
		if err != nil {
			return sent, domain.WrapInternal(err)
		}
		if len(batch) == 0 {
			break
		}
		n, err := p.remindBatch(ctx, b, q, batch, now)
		sent += n
		if err != nil {
			return sent, err
		}
		before := read / remindLogEvery
		read += len(batch)
		if read/remindLogEvery > before {
			p.log.InfoContext(ctx, "reminders in progress", "biller", b.ID, "kind", q.Kind, "read", read, "sent", sent)
		}
		if len(batch) < q.Limit {
			break
		}
		last := batch[len(batch)-1]
		q.AfterDue, q.AfterNumber = last.DueDate, last.Number
	}
	if read > 0 {
		p.log.InfoContext(ctx, "reminders done", "biller", b.ID, "kind", q.Kind, "read", read, "sent", sent)
	}
	return sent, nil
}

// remindBatch reminds one batch in one transaction and returns how many
// invoices got their reminder.
func (p *Portal) remindBatch(ctx context.Context, b domain.Biller, q RemindQuery, batch []domain.Invoice, now time.Time) (int, error) {
	ids := make([]uuid.UUID, len(batch))
	for i, inv := range batch {
		ids[i] = inv.ID
	}
	// The mails' unsubscribe key is read (or made) outside the
	// transaction: see unsubscribeKey.
	if _, err := p.unsubscribeKey(ctx); err != nil {
		return 0, err
	}
	sent := 0
	err := p.store.Atomic(ctx, func(tx Tx) error {
		sent = 0
		invs, err := tx.InvoicesForUpdate(ctx, ids)
		if err != nil {
			return domain.WrapInternal(err)
		}
		byPayer := map[uuid.UUID][]domain.Invoice{}
		var payers []uuid.UUID
		for _, inv := range invs {
			if !inv.Remindable(now) || inv.DueDate.Before(q.From) || q.To.Before(inv.DueDate) {
				continue
			}
			if _, seen := byPayer[inv.PayerID]; !seen {
				payers = append(payers, inv.PayerID)
			}
			byPayer[inv.PayerID] = append(byPayer[inv.PayerID], inv)
		}
		for _, payer := range payers {
			a, err := tx.AccountByPayer(ctx, payer)
			if err != nil && domain.ErrorCode(err) == domain.NotFound {
				continue
			} else if err != nil {
				return domain.WrapInternal(err)
			}
			if !a.Wants(q.Kind) {
				continue
			}
			var listed []domain.Invoice
			for _, inv := range byPayer[payer] {
				recorded, err := tx.RecordNotice(ctx, b.ID, inv.ID, q.Kind, now)
				if err != nil {
					return domain.WrapInternal(err)
				}
				if recorded {
					listed = append(listed, inv)
				}
			}
			if len(listed) == 0 {
				continue
			}
			slices.SortFunc(listed, func(x, y domain.Invoice) int { return x.DueDate.Compare(y.DueDate) })
			m, err := p.noticeMail(ctx, b, a, q.Kind, listed)
			if err != nil {
				return err
			}
			if err := p.enqueue(ctx, tx, m, now); err != nil {
				return err
			}
			sent += len(listed)
		}
		return nil
	})
	return sent, err
}
