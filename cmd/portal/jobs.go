package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/portail-factures/portail/ports"
)

// startJob runs fn at once, then every interval, in the background until
// Close: a process restarted more often than the interval (deployments)
// still runs its jobs. Each run
// gets the job's context, cancelled at Close; a failure is logged and the
// next tick tries again. Several portal instances may run the same jobs:
// the use cases they call are idempotent.
func (m *Main) startJob(ctx context.Context, name string, interval time.Duration, fn func(context.Context) (int, error)) {
	ctx, cancel := context.WithCancel(ctx)
	ticker := time.NewTicker(interval)
	done := make(chan struct{})
	fn = m.countSuccess(name, fn)
	go func() {
		defer close(done)
		log := m.Logger.With("job", name)
		runOnce(ctx, log, fn)
		runEvery(ctx, ticker.C, log, fn)
	}()
	m.onClose(func() error {
		cancel()
		ticker.Stop()
		<-done
		return nil
	})
}

// startTreasury runs the daily treasury job (ports.Portal.RunTreasury)
// every interval. The job moves invoices once per Paris day, claimed in
// the store, so with several instances or a short interval it still
// runs once a day; the interval only bounds how long after midnight
// (Paris) the invoices move.
func (m *Main) startTreasury(ctx context.Context, portal *ports.Portal) {
	m.startJob(ctx, "treasury", m.Config.Treasury.Interval, portal.Jobs().RunTreasury)
}

// startReminders runs the reminders job (ports.Jobs.RunReminders) at
// start and every interval. Each invoice gets each kind of reminder once,
// recorded in the store with its mail: several instances may run it.
func (m *Main) startReminders(ctx context.Context, portal *ports.Portal) {
	m.startJob(ctx, "reminders", m.Config.Reminders.Interval, portal.Jobs().RunReminders)
}

// startNotices runs the new-invoice notice job (ports.Jobs.RunNotices) at
// start and every interval. Each invoice is announced once, recorded in
// the store with its mail: several instances may run it.
func (m *Main) startNotices(ctx context.Context, portal *ports.Portal) {
	m.startJob(ctx, "notices", m.Config.Notices.Interval, portal.Jobs().RunNotices)
}

// startRetention runs the retention job (ports.Jobs.RunRetention) at
// start and every interval. It erases closed accounts once per Paris day,
// claimed in the store: with several instances, or a short interval, it
// still runs once a day, and writes one audit line per biller.
func (m *Main) startRetention(ctx context.Context, portal *ports.Portal) {
	m.startJob(ctx, "retention", m.Config.Retention.Interval, portal.Jobs().RunRetention)
}

// startBoard runs the board job (ports.Jobs.RefreshBoard) at start and
// every interval: the dashboard's charts read the figures it computes.
// Several instances may run it; each run computes the same figures again.
func (m *Main) startBoard(ctx context.Context, portal *ports.Portal) {
	m.startJob(ctx, "board", m.Config.Board.RefreshInterval, portal.Jobs().RefreshBoard)
}

// startNightlyPaymentCheck runs the nightly payment check
// (ports.Portal.RunNightlyPaymentCheck) at the reconciler's interval. The
// check asks PayFiP once more about the attempts that ended unpaid in the
// last 48 hours, once per Paris day from ports.NightlyCheckHour (02:00),
// claimed in the store: with several instances, or a short interval, it
// still runs once a night.
func (m *Main) startNightlyPaymentCheck(ctx context.Context, portal *ports.Portal) {
	m.startJob(ctx, "nightly payment check", m.Config.Payment.ReconcileInterval, portal.Jobs().RunNightlyPaymentCheck)
}

// runEvery calls fn at each tick until ctx is done.
func runEvery(ctx context.Context, tick <-chan time.Time, log *slog.Logger, fn func(context.Context) (int, error)) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
			runOnce(ctx, log, fn)
		}
	}
}

// runOnce calls fn and logs what it did; a failure is logged, not fatal.
func runOnce(ctx context.Context, log *slog.Logger, fn func(context.Context) (int, error)) {
	if ctx.Err() != nil {
		return
	}
	n, err := fn(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		log.Error("job failed", "err", err)
	case n > 0:
		log.Info("job done", "changed", n)
	}
}

// startMailSender delivers the outbox until Close: at once when a use case
// queued mails, and every interval for the retries. It logs the counts of
// waiting and failed mails whenever they change, for the operators.
func (m *Main) startMailSender(ctx context.Context, portal *ports.Portal, interval time.Duration) {
	ctx, cancel := context.WithCancel(ctx)
	ticker := time.NewTicker(interval)
	done := make(chan struct{})
	log := m.Logger.With("job", "mail sender")
	portal.WatchMailSender(interval) // /readyz fails if the loop below stops running
	go func() {
		defer close(done)
		var last ports.OutboxCounts
		for {
			if _, err := portal.Jobs().DeliverMails(ctx); err != nil && ctx.Err() == nil {
				log.Error("mail outbox", "err", err)
			} else if err == nil {
				m.jobSucceeded("mail sender")
			}
			if c, err := portal.Jobs().OutboxCounts(ctx); err == nil && c != last {
				level := slog.LevelInfo
				if c.Failed > last.Failed {
					level = slog.LevelError
				}
				log.Log(ctx, level, "mail outbox", "pending", c.Pending, "failed", c.Failed)
				last = c
			}
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
			case <-portal.Jobs().MailsWaiting():
			}
		}
	}()
	m.onClose(func() error {
		cancel()
		ticker.Stop()
		<-done
		return nil
	})
}
