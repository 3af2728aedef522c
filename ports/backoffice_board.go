package ports

import (
	"context"
	"time"

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
