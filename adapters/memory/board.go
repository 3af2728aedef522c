package memory

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// RefreshBoard does nothing: BoardFigures computes the figures on each
// call (ports.BoardStore).
func (t *tx) RefreshBoard(context.Context, time.Time, time.Time) error {
	_, done, err := t.reading()
	if err != nil {
		return err
	}
	done()
	return nil
}

// BoardFigures computes the biller's figures from the records: every
// invoice, payer and account read once, enough for the demo and the
// tests.
func (t *tx) BoardFigures(_ context.Context, billerID uuid.UUID, from, until time.Time) (ports.BoardFigures, error) {
	t, done, err := t.reading()
	if err != nil {
		return ports.BoardFigures{}, err
	}
	defer done()
	first, last := domain.MonthOf(from), domain.MonthOf(until)
	var fig ports.BoardFigures
	index := map[domain.Date]int{}
	for m := first; !m.After(last); m = m.AddMonths(1) {
		index[m] = len(fig.Months)
		fig.Months = append(fig.Months, ports.BoardMonth{Month: m,
			Collected: map[domain.PaymentChannel]decimal.Decimal{}, Invoices: map[domain.PaymentChannel]int{}})
	}
	// Counted in each month whose end comes after the instant.
	upTo := func(at time.Time, add func(*ports.BoardMonth)) {
		for i := range fig.Months {
			if at.Before(fig.Months[i].Month.AddMonths(1).Time(domain.Paris)) {
				add(&fig.Months[i])
			}
		}
	}
	dues := map[domain.Date]int{}
	for _, inv := range t.t.invoices.rows {
		if inv.BillerID != billerID {
			continue
		}
		if inv.State == domain.InvoiceUnpaid {
			i, seen := dues[inv.DueDate]
			if !seen {
				i, dues[inv.DueDate] = len(fig.Outstanding), len(fig.Outstanding)
				fig.Outstanding = append(fig.Outstanding, ports.OutstandingDue{Due: inv.DueDate, Amount: decimal.Zero})
			}
			fig.Outstanding[i].Amount = fig.Outstanding[i].Amount.Add(inv.Amount)
			fig.Outstanding[i].Invoices++
		}
		ch, ok := inv.Channel()
		if !ok {
			continue
		}
		if i, in := index[domain.MonthOf(inv.PaidAt)]; in {
			m := &fig.Months[i]
			m.Collected[ch] = m.Collected[ch].Add(inv.Amount)
			m.Invoices[ch]++
		}
	}
	for _, p := range t.t.payers.rows {
		if p.BillerID == billerID {
			upTo(p.CreatedAt, func(m *ports.BoardMonth) { m.Payers++ })
		}
	}
	// An account counts in the months whose end comes after its
	// activation and not after its closure: closing it later does not
	// take it out of the months it was active.
	for _, a := range t.t.accounts.rows {
		if a.BillerID != billerID || a.ActivatedAt.IsZero() {
			continue
		}
		upTo(a.ActivatedAt, func(m *ports.BoardMonth) { m.Activated++ })
		if !a.ClosedAt.IsZero() {
			upTo(a.ClosedAt, func(m *ports.BoardMonth) { m.Activated-- })
		}
	}
	slices.SortFunc(fig.Outstanding, func(a, b ports.OutstandingDue) int { return a.Due.Compare(b.Due) })
	return fig, nil
}
