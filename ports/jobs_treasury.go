package ports

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/portail-factures/portail/domain"
)

// treasuryJob names the daily treasury run in Store.ClaimRun.
const treasuryJob = "treasury"

// RunTreasury is the daily treasury job: for each biller, once per Paris
// day whatever the number of portal instances (Store.ClaimRun with the
// date and the biller), it moves the unpaid invoices past due date +
// the biller's delay to treasury and writes one system event with the
// count in the biller's audit log. Run it as often as wanted: a second
// run on the same day does nothing. It returns how many invoices moved.
//
// A run that fails after its claim is not retried that day; the next
// day's run takes every overdue invoice, those left over included, so a
// failure delays the move by one day at most.
func (p Jobs) RunTreasury(ctx context.Context) (int, error) {
	now := p.clock.Now()
	day := domain.Today(now).String()
	billers, err := p.store.Billers(ctx)
	if err != nil {
		return 0, domain.WrapInternal(err)
	}
	moved := 0
	for _, b := range billers {
		claimed, err := p.store.ClaimRun(ctx, treasuryJob, day+" "+b.ID.String(), now)
		if err != nil {
			return moved, domain.WrapInternal(err)
		}
		if !claimed {
			continue
		}
		n, err := p.transferBiller(ctx, b, now)
		moved += n
		if err != nil {
			return moved, err
		}
		err = p.store.Atomic(ctx, func(tx Tx) error {
			return p.audit(ctx, tx, SystemActor(b.ID), domain.AuditTreasury, "Passage quotidien du "+domain.Today(now).French(),
				treasuryDetail(n, b.TreasuryDelayDays))
		})
		if err != nil {
			return moved, err
		}
	}
	return moved, nil
}

// transferBatch is how many invoices one transaction of the treasury
// moves.
const transferBatch = 500

// transferBiller moves the biller's unpaid invoices whose treasury date
// (domain.Biller.TreasuryDate) has come at now, batch by batch. Each
// batch is locked (InvoicesForUpdate) and every invoice checked again in
// its transaction, so that of concurrent runs each invoice moves once,
// and an invoice paid meanwhile stays paid.
func (p *Portal) transferBiller(ctx context.Context, b domain.Biller, now time.Time) (int, error) {
	// Due strictly before this date means today is on or after the
	// treasury date.
	limit := domain.Today(now).AddDays(-b.TreasuryDelayDays)
	moved := 0
	for {
		batch, err := p.store.InvoicesDueBefore(ctx, b.ID, limit, transferBatch)
		if err != nil {
			return moved, domain.WrapInternal(err)
		}
		n := 0
		err = p.store.Atomic(ctx, func(tx Tx) error {
			n = 0
			ids := make([]uuid.UUID, len(batch))
			for i, inv := range batch {
				ids[i] = inv.ID
			}
			invs, err := tx.InvoicesForUpdate(ctx, ids)
			if err != nil {
				return domain.WrapInternal(err)
			}
			for _, inv := range invs {
				if !inv.TreasuryDue(b, now) {
					continue
				}
				if ok, err := inv.MoveToTreasury(now); err != nil || !ok {
					continue
				}
				if err := tx.SaveInvoice(ctx, inv); err != nil {
					return domain.WrapInternal(err)
				}
				n++
			}
			return nil
		})
		if err != nil {
			return moved, err
		}
		moved += n
		// Invoices left unpaid (a live attempt holds them) would come
		// back in every batch: stop when a batch moves nothing.
		if len(batch) < transferBatch || n == 0 {
			break
		}
	}
	return moved, nil
}

// treasuryDetail says in French what a daily run did.
func treasuryDetail(moved, delay int) string {
	days := fmt.Sprintf("%d jours", delay)
	if delay <= 1 {
		days = fmt.Sprintf("%d jour", delay)
	}
	switch moved {
	case 0:
		return "Aucune facture à transmettre en trésorerie (échéance dépassée de plus de " + days + ")."
	case 1:
		return "1 facture transmise en trésorerie (échéance dépassée de plus de " + days + ")."
	}
	return fmt.Sprintf("%d factures transmises en trésorerie (échéance dépassée de plus de %s).", moved, days)
}

// TransferToTreasury sends every biller's unpaid invoices past their due
// date plus the biller's delay to the Trésor public. It is idempotent and
// safe to run concurrently (each invoice is locked and checked again
// before it moves), and returns how many invoices moved. The daily job
// is RunTreasury.
func (p Jobs) TransferToTreasury(ctx context.Context) (int, error) {
	billers, err := p.store.Billers(ctx)
	if err != nil {
		return 0, domain.WrapInternal(err)
	}
	moved := 0
	for _, b := range billers {
		n, err := p.transferBiller(ctx, b, p.clock.Now())
		moved += n
		if err != nil {
			return moved, err
		}
	}
	return moved, nil
}
