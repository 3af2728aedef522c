package ports

import (
	"context"
	"time"

	"github.com/shopspring/decimal"

	"github.com/portail-factures/portail/domain"
)

// The back office's home: the board of what awaits the service.

// StaffBoard is the back office's dashboard: what needs the service's
// attention.
type StaffBoard struct {
	Biller domain.Biller
	// SuspendedNow is true while payment is suspended; SuspensionPlanned
	// when a suspension is scheduled to start later.
	SuspendedNow      bool
	SuspensionPlanned bool
	NewMessages       int
	// UnconfirmedPayments are legacy-mode results awaiting confirmation.
	UnconfirmedPayments int
	// DeclaredInvoices are invoices payers say they paid by other means.
	DeclaredInvoices int
	// Anomalies are payments with a problem to look at (money received
	// twice, a mismatch with the settlement report).
	Anomalies int
	// Refunds are double payments still to refund (« À rembourser »).
	Refunds int
	// RemindedBefore and RemindedAfter count the invoices reminded this
	// Paris month before and after their due date (issue 15).
	RemindedBefore, RemindedAfter int
	// Announced counts the invoices announced by a new-invoice notice
	// this Paris month (issue 15, item 6).
	Announced int
	// FailedMails counts the biller's mails queued this Paris month that
	// could not be delivered, retries over (outbox state failed): every
	// mail, not only notices, since a payer missing a payment
	// confirmation matters as much.
	FailedMails int
}

// StaffBoard returns the dashboard of the actor's biller.
func (p BackOffice) StaffBoard(ctx context.Context, a Actor) (StaffBoard, error) {
	if err := a.canRead(a.BillerID); err != nil {
		return StaffBoard{}, err
	}
	var board StaffBoard
	b, err := p.store.Biller(ctx, a.BillerID)
	if err != nil {
		return board, notFoundAs(err, domain.ErrNotFound)
	}
	now := p.clock.Now()
	board.Biller = b
	board.SuspendedNow = b.Suspension.In(now)
	board.SuspensionPlanned = b.Suspension.Active && !board.SuspendedNow && now.Before(b.Suspension.From)
	if _, board.NewMessages, err = p.store.SearchMessages(ctx, MessageSearch{BillerID: b.ID, State: domain.MessageNew, Limit: 1}); err != nil {
		return board, domain.WrapInternal(err)
	}
	if _, board.UnconfirmedPayments, err = p.store.Payments(ctx, PaymentQuery{BillerID: b.ID, Unconfirmed: true, Limit: 1}); err != nil {
		return board, domain.WrapInternal(err)
	}
	if _, board.Anomalies, err = p.store.Payments(ctx, PaymentQuery{BillerID: b.ID, Anomaly: true, Limit: 1}); err != nil {
		return board, domain.WrapInternal(err)
	}
	if _, board.DeclaredInvoices, err = p.store.SearchInvoices(ctx, InvoiceSearch{BillerID: b.ID, Declared: true, Limit: 1}); err != nil {
		return board, domain.WrapInternal(err)
	}
	if _, board.Refunds, err = p.store.Refunds(ctx, RefundQuery{BillerID: b.ID, State: domain.RefundPending, Limit: 1, CountUpTo: BackOfficeCountLimit}); err != nil {
		return board, domain.WrapInternal(err)
	}
	notices, err := p.store.CountNotices(ctx, b.ID, monthStart(now))
	if err != nil {
		return board, domain.WrapInternal(err)
	}
	board.RemindedBefore, board.RemindedAfter = notices[domain.NoticeReminderBefore], notices[domain.NoticeReminderAfter]
	board.Announced = notices[domain.NoticeNewInvoice]
	if board.FailedMails, err = p.store.CountFailedMails(ctx, b.ID, monthStart(now)); err != nil {
		return board, domain.WrapInternal(err)
	}
	return board, nil
}

// monthStart is the first instant of now's month in Paris.
func monthStart(now time.Time) time.Time {
	t := now.In(domain.Paris)
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, domain.Paris)
}

// ChartMonths is how many Paris months the dashboard's charts show, the
// current one included.
const ChartMonths = 13

// BoardCharts are the figures of the dashboard's three charts (issue 16,
// part 5), over the ChartMonths Paris months ending with the current one.
type BoardCharts struct {
	Collected   []CollectedMonth
	Outstanding []OutstandingAge
	TakeUp      []TakeUpMonth
	// Today is the Paris day the ages count from.
	Today domain.Date
	// At is when the store computed the figures (the board job's last
	// run); zero when they were computed for this page.
	At time.Time
}

// CollectedMonth is the money collected in one Paris month, by channel,
// with the same month's total a year earlier.
type CollectedMonth struct {
	Month      domain.Date
	ByChannel  map[domain.PaymentChannel]decimal.Decimal
	Total      decimal.Decimal
	YearBefore decimal.Decimal
}

// OutstandingAge is the total of the unpaid invoices of one age band.
type OutstandingAge struct {
	Age      domain.OverdueAge
	Amount   decimal.Decimal
	Invoices int
}

// TakeUpMonth is the portal's take-up at one Paris month: accounts
// activated and not closed, out of payers, at the month's end
// (BoardMonth), and the invoices paid in the month, online and in all.
type TakeUpMonth struct {
	Month                    domain.Date
	Payers, Activated        int
	PaidInvoices, PaidOnline int
	// ActivatedShare and OnlineShare are percentages rounded to a tenth;
	// HasPaid is false when no invoice was paid in the month (no share).
	ActivatedShare, OnlineShare decimal.Decimal
	HasPaid                     bool
}

// StaffCharts returns the figures of the dashboard's charts for the
// actor's biller: read from the store's summary (BoardStore), so that
// the page costs a few rows whatever the biller's size.
func (p BackOffice) StaffCharts(ctx context.Context, a Actor) (BoardCharts, error) {
	if err := a.canRead(a.BillerID); err != nil {
		return BoardCharts{}, err
	}
	now := p.clock.Now()
	this := domain.MonthOf(now)
	// The year before the first month shown, for the comparison.
	first := this.AddMonths(-(ChartMonths - 1) - 12)
	fig, err := p.store.BoardFigures(ctx, a.BillerID, first.Time(domain.Paris), now)
	if err != nil {
		return BoardCharts{}, domain.WrapInternal(err)
	}
	charts := BoardCharts{Today: domain.Today(now), At: fig.At}
	byMonth := map[domain.Date]BoardMonth{}
	for _, m := range fig.Months {
		byMonth[m.Month] = m
	}
	for i := range ChartMonths {
		m := this.AddMonths(i - (ChartMonths - 1))
		figures, before := byMonth[m], byMonth[m.AddMonths(-12)]
		c := CollectedMonth{Month: m, ByChannel: map[domain.PaymentChannel]decimal.Decimal{}, Total: decimal.Zero, YearBefore: decimal.Zero}
		for _, ch := range domain.PaymentChannels {
			amount := figures.Collected[ch]
			c.ByChannel[ch] = amount
			c.Total = c.Total.Add(amount)
			c.YearBefore = c.YearBefore.Add(before.Collected[ch])
		}
		charts.Collected = append(charts.Collected, c)
		t := TakeUpMonth{Month: m, Payers: figures.Payers, Activated: figures.Activated, PaidOnline: figures.Invoices[domain.ChannelOnline]}
		for _, ch := range domain.PaymentChannels {
			t.PaidInvoices += figures.Invoices[ch]
		}
		t.ActivatedShare = percent(t.Activated, t.Payers)
		t.OnlineShare, t.HasPaid = percent(t.PaidOnline, t.PaidInvoices), t.PaidInvoices > 0
		charts.TakeUp = append(charts.TakeUp, t)
	}
	for _, age := range domain.OverdueAges {
		charts.Outstanding = append(charts.Outstanding, OutstandingAge{Age: age, Amount: decimal.Zero})
	}
	for _, d := range fig.Outstanding {
		o := &charts.Outstanding[domain.AgeOf(d.Due, charts.Today)]
		o.Amount = o.Amount.Add(d.Amount)
		o.Invoices += d.Invoices
	}
	return charts, nil
}

// percent is n out of of as a percentage rounded to a tenth; zero when of
// is zero.
func percent(n, of int) decimal.Decimal {
	if of == 0 {
		return decimal.Zero
	}
	return decimal.NewFromInt(int64(n)).Mul(decimal.NewFromInt(100)).DivRound(decimal.NewFromInt(int64(of)), 1)
}
