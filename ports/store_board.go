package ports

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/portail-factures/portail/domain"
)

// BoardStore gives the figures of the back office dashboard's charts
// (issue 16, part 5): the money collected per Paris month by channel, the
// accounts and payers at each month's end, and the unpaid invoices by due
// date. A SQL store reads them from a summary that RefreshBoard rewrites
// (the board job), so that a chart costs a few rows read however many
// invoices the biller has; the memory store computes them on each call.
type BoardStore interface {
	// RefreshBoard computes again the figures of every biller for the
	// Paris months from the month of from to the month of now, both
	// included, and the unpaid invoices by due date, as they stand. A
	// store that computes its figures when asked does nothing.
	RefreshBoard(ctx context.Context, from, now time.Time) error
	// BoardFigures returns the biller's figures for the Paris months from
	// the month of from to the month of until, both included, one per
	// month, oldest first (zeros for a month without any), and its unpaid
	// invoices by due date, earliest first: as the last RefreshBoard
	// left them, or computed now.
	BoardFigures(ctx context.Context, billerID uuid.UUID, from, until time.Time) (BoardFigures, error)
}

// BoardFigures are one biller's figures for the charts.
type BoardFigures struct {
	Months      []BoardMonth
	Outstanding []OutstandingDue
	// At is when the figures were computed by RefreshBoard; zero when the
	// store computed them for this call, or has not computed them yet
	// (then Months and Outstanding are empty).
	At time.Time
}

// BoardMonth is one Paris month of a biller's figures.
type BoardMonth struct {
	// Month is the month's first day.
	Month domain.Date
	// Collected and Invoices are the amount and the number of the
	// invoices paid in the month (their PaidAt), by channel
	// (domain.Invoice.Channel).
	Collected map[domain.PaymentChannel]decimal.Decimal
	Invoices  map[domain.PaymentChannel]int
	// Payers and Activated count the payers created before the month's
	// end, and the accounts activated before it and not closed before it
	// (an account closed later still counts in the months it was active).
	Payers, Activated int
}

// OutstandingDue is the total of a biller's unpaid invoices due on one
// day (state unpaid: not those sent to treasury, cancelled, or whose
// payment awaits the service's confirmation; those the payer declared
// paid count until the service confirms them).
type OutstandingDue struct {
	Due      domain.Date
	Amount   decimal.Decimal
	Invoices int
}
