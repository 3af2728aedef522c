package ports

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// RunNotices is the new-invoice notice job (issue 15, item 1): for each
// biller it walks the unpaid invoices that arrived in the last
// Config.NoticeLookback (import, API, back office alike: the job reads
// what the store holds, whoever wrote it) with no new-invoice notice yet
// and a payer whose account may take one, by batches over the unpaid
// invoices' arrival index (keyset on creation time and id). Each batch is
// one transaction, as in RunReminders: the invoices are locked and
// checked again, the payer's account must take the notice
// (domain.Account.Announces: active, notices on, activated before the
// invoice arrived), the store records each invoice's notice (RecordNotice,
// kind new_invoice) in the transaction that queues one mail per payer
// listing its new invoices. An invoice is announced once whatever the
// number of instances, runs and re-imports. It returns how many invoices
// were announced.
func (p Jobs) RunNotices(ctx context.Context) (int, error) {
	billers, err := p.store.Billers(ctx)
	if err != nil {
		return 0, domain.WrapInternal(err)
	}
	now := p.clock.Now()
	total := 0
	for _, b := range billers {
		n, err := p.announceBiller(ctx, b, AnnounceQuery{BillerID: b.ID, Since: now.Add(-p.cfg.NoticeLookback), Limit: remindBatch}, now)
		total += n
		if err != nil {
			return total, err
		}
	}
	if total > 0 {
		p.mailsQueued(ctx)
	}
	return total, nil
}

// announceBiller walks one biller's new invoices.
func (p *Portal) announceBiller(ctx context.Context, b domain.Biller, q AnnounceQuery, now time.Time) (int, error) {
	read, sent := 0, 0
	for {
		batch, err := p.store.InvoicesToAnnounce(ctx, q)
		if err != nil {
			return sent, domain.WrapInternal(err)
		}
		if len(batch) == 0 {
			break
		}
		n, err := p.announceBatch(ctx, b, batch, now)
		sent += n
		if err != nil {
			return sent, err
		}
		before := read / remindLogEvery
		read += len(batch)
		if read/remindLogEvery > before {
			p.log.InfoContext(ctx, "notices in progress", "biller", b.ID, "read", read, "sent", sent)
		}
		if len(batch) < q.Limit {
			break
		}
		last := batch[len(batch)-1]
		q.AfterCreated, q.AfterPayer, q.AfterID = last.CreatedAt, last.PayerID, last.ID
	}
	if read > 0 {
		p.log.InfoContext(ctx, "notices done", "biller", b.ID, "read", read, "sent", sent)
	}
	return sent, nil
}

// announceBatch announces one batch in one transaction and returns how
// many invoices got their notice.
func (p *Portal) announceBatch(ctx context.Context, b domain.Biller, batch []domain.Invoice, now time.Time) (int, error) {
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
			var listed []domain.Invoice
			for _, inv := range byPayer[payer] {
				if !a.Announces(inv, now) {
					continue
				}
				recorded, err := tx.RecordNotice(ctx, b.ID, inv.ID, domain.NoticeNewInvoice, now)
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
			slices.SortFunc(listed, func(x, y domain.Invoice) int {
				return cmp.Or(x.DueDate.Compare(y.DueDate), strings.Compare(x.Number, y.Number))
			})
			m, err := p.noticeMail(ctx, b, a, domain.NoticeNewInvoice, listed)
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
