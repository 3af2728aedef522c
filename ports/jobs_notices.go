package ports

import (
	"context"
	"time"

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
// invoice arrived), the store records the invoices' notices at once
// (RecordNotices, kind new_invoice) in the transaction that queues one mail
// per payer listing its new invoices (mailNoticeBatch). An invoice is announced once whatever the
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
	return p.walkNotices(ctx, "notices", []any{"biller", b.ID}, q.Limit,
		func() ([]domain.Invoice, error) { return p.store.InvoicesToAnnounce(ctx, q) },
		func(batch []domain.Invoice) (int, error) { return p.announceBatch(ctx, b, batch, now) },
		func(last domain.Invoice) {
			q.AfterCreated, q.AfterPayer, q.AfterID = last.CreatedAt, last.PayerID, last.ID
		})
}

// announceBatch announces one batch in one transaction and returns how
// many invoices got their notice.
func (p *Portal) announceBatch(ctx context.Context, b domain.Biller, batch []domain.Invoice, now time.Time) (int, error) {
	return p.mailNoticeBatch(ctx, b, domain.NoticeNewInvoice, batch, now,
		func(domain.Invoice) bool { return true },
		func(a domain.Account, inv domain.Invoice) bool { return a.Announces(inv, now) })
}
