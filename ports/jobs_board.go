package ports

import (
	"context"

	"github.com/portail-factures/portail/domain"
)

// RefreshBoard is the board job (issue 16, part 5): it has the store
// compute again the figures of the dashboard's charts (BoardStore) for
// every biller, over the months the charts show and the year before
// them. The charts read that summary, so they cost a few rows; a figure
// is as old as the job's last run (README, "Dashboard charts"). Running
// it twice, or on several instances, only computes the same figures
// again. It returns 0: the job changes no record.
func (p Jobs) RefreshBoard(ctx context.Context) (int, error) {
	now := p.clock.Now()
	from := domain.MonthOf(now).AddMonths(-(ChartMonths - 1) - 12)
	// One transaction: the pages read the former figures until the new
	// ones are all in.
	err := p.store.Atomic(ctx, func(tx Tx) error { return tx.RefreshBoard(ctx, from.Time(domain.Paris), now) })
	if err != nil {
		return 0, domain.WrapInternal(err)
	}
	return 0, nil
}
