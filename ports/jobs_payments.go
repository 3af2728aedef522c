package ports

import (
	"context"
	"errors"
	"net/url"
	"time"

	"github.com/google/uuid"
	"github.com/portail-factures/portail/domain"
)

// HandleNotification processes a gateway's callback or a browser coming
// back from the DGFiP (params: query and body merged). It acts only on an
// attempt this portal created, and only on the gateway's own answer to a
// server-to-server query, except in the legacy URL mode, whose result is
// accepted unconfirmed when refdet, amount and client number match. It is
// idempotent. It returns the attempt as it stands afterwards.
func (p Jobs) HandleNotification(ctx context.Context, params url.Values) (domain.Payment, error) {
	n, err := p.gateway.ReadNotification(ctx, params)
	if err != nil {
		return domain.Payment{}, err
	}
	var pay domain.Payment
	switch {
	case n.OperationID != "":
		pay, err = p.store.PaymentByOperation(ctx, n.OperationID)
	case n.Refdet != "":
		pay, err = p.store.PaymentByRefdet(ctx, n.Refdet)
	default:
		return domain.Payment{}, domain.Errorf(domain.Invalid, "Notification de paiement sans référence.")
	}
	if err != nil {
		// Unknown: not ours. The gateway is not asked, so the endpoint
		// cannot be used to make the portal call PayFiP (docs/payfip.md §4.2).
		return domain.Payment{}, notFoundAs(err, domain.ErrNotFound)
	}
	if n.Report != nil {
		return p.applyReport(ctx, pay.ID, *n.Report, sourceCallback)
	}
	r, err := p.statuses.status(ctx, p.gateway, pay)
	if err != nil {
		if errors.Is(err, ErrNoStatusQuery) {
			return pay, nil
		}
		if domain.ErrorCode(err) == domain.Unavailable {
			// PayFiP cannot be reached now: the attempt stays as it is and
			// the reconciler asks again later.
			p.log.WarnContext(ctx, "payment status unavailable", "payment", pay.ID, "err", err)
			return pay, nil
		}
		return pay, err
	}
	return p.applyReport(ctx, pay.ID, r, sourceNotification)
}

// applyReport moves a payment by a gateway report in one transaction,
// settling or releasing its invoices, records the report in the
// payment's timeline with where it came from, and mails the payer when
// it became paid.
func (p *Portal) applyReport(ctx context.Context, id uuid.UUID, r domain.Report, source string) (domain.Payment, error) {
	now := p.clock.Now()
	var (
		pay     domain.Payment
		before  domain.PaymentState
		doubles int
	)
	becamePaid := false
	err := p.store.Atomic(ctx, func(tx Tx) error {
		var err error
		pay, err = tx.PaymentForUpdate(ctx, id)
		if err != nil {
			return domain.WrapInternal(err)
		}
		before = pay.State
		wasPaid, wasUnconfirmed := pay.State == domain.PaymentPaid, pay.Unconfirmed()
		changed, err := pay.Apply(r, now)
		if err != nil {
			return err
		}
		if !changed {
			return p.paymentEvent(ctx, tx, pay, r.Code, reportDetail(source, r, pay, false))
		}
		// The payer is mailed when the attempt becomes paid, and again
		// when an unconfirmed payment is confirmed. A test payment is
		// never mailed: no money was taken.
		becamePaid = !wasPaid && pay.State == domain.PaymentPaid ||
			wasUnconfirmed && pay.State == domain.PaymentPaid && pay.Confirmed
		// The payer's mail goes with the step (enqueuePaid's).
		var mails []OutboxMail
		if becamePaid {
			m, err := p.paidMail(ctx, tx, pay, now)
			if err != nil {
				return err
			}
			mails = append(mails, m)
		}
		doubles, err = p.saveStep(ctx, tx, &pay, r.Code, reportDetail(source, r, pay, true), now, mails)
		return err
	})
	if err != nil {
		if domain.ErrorCode(err) == domain.Conflict {
			p.log.WarnContext(ctx, "payment report refused", "payment", id, "err", err)
			p.recordRefusedReport(ctx, id, r, source, err)
		}
		return pay, err
	}
	p.countEnded(ctx, before, pay, doubles)
	if becamePaid {
		p.mailsQueued(ctx)
	}
	return pay, nil
}

// reconcileBatch bounds how many attempts one pass of the reconciler asks
// about, per list.
const reconcileBatch = 1000

// Reconcile asks the gateway about every attempt still live, and about
// every attempt that ended unpaid but still holds its invoices
// (domain.Payment.Holds), for the notifications that never came or came
// late (docs/payfip.md §3.5, §4.2.3): a paid one settles its invoices, a
// refused or expired one releases them or keeps them held until its lock
// ends. An attempt that never got its operation is closed after
// domain.UnstartedGrace. Attempts the gateway cannot be asked about
// expire once the biller's lock duration has passed. It returns how many
// attempts changed; a failure on one attempt is logged and the others go
// on.
func (p Jobs) Reconcile(ctx context.Context) (int, error) {
	live, err := p.store.LivePayments(ctx, reconcileBatch)
	if err != nil {
		return 0, domain.WrapInternal(err)
	}
	held, err := p.store.HeldPayments(ctx, p.clock.Now(), reconcileBatch)
	if err != nil {
		return 0, domain.WrapInternal(err)
	}
	return p.reconcileAll(ctx, append(live, held...), sourceReconcile)
}

// reconcileAll asks about each attempt of list and counts those that
// changed.
func (p *Portal) reconcileAll(ctx context.Context, list []domain.Payment, source string) (int, error) {
	changed := 0
	for _, pay := range list {
		if ctx.Err() != nil {
			return changed, ctx.Err()
		}
		before := pay.State
		after, err := p.reconcileOne(ctx, pay, source)
		if err != nil {
			p.log.WarnContext(ctx, "payment not reconciled", "payment", pay.ID, "err", err)
			continue
		}
		if after.State != before {
			changed++
		}
	}
	return changed, nil
}

func (p *Portal) reconcileOne(ctx context.Context, pay domain.Payment, source string) (domain.Payment, error) {
	if pay.Unstarted() {
		closeUnstarted := func(pm *domain.Payment, now time.Time) bool { return pm.CloseUnstarted(now) }
		err := p.finish(ctx, pay.ID, closeUnstarted, "", "Clos : l'opération n'a jamais été créée à la DGFiP ; factures libérées.")
		if err != nil {
			return pay, err
		}
		return p.store.Payment(ctx, pay.ID)
	}
	r, err := p.gateway.Status(ctx, pay)
	if errors.Is(err, ErrNoStatusQuery) {
		if !pay.Live() {
			return pay, nil // nothing to close: no need to read the biller
		}
		b, berr := p.biller(ctx, pay.BillerID)
		if berr != nil {
			return pay, berr
		}
		if !pay.Expired(p.clock.Now(), b.LockDuration) {
			return pay, nil
		}
		err := p.finish(ctx, pay.ID, expire, "", "Clos : aucun résultat reçu de la DGFiP pendant la réservation des factures.")
		if err != nil {
			return pay, err
		}
		return p.store.Payment(ctx, pay.ID)
	}
	if err != nil {
		return pay, err
	}
	return p.applyReport(ctx, pay.ID, r, source)
}

func expire(pm *domain.Payment, now time.Time) bool { return pm.Expire(now) }

// nightlyJob names the nightly payment check in Store.ClaimRun.
const nightlyJob = "payments-nightly"

// NightlyCheckHour is the Paris hour from which the nightly payment check
// runs, once per Paris day: the DGFiP may notify a result during the
// night (docs/payfip.md §3.5).
const NightlyCheckHour = 2

// NightlyCheckWindow is how far back the nightly check looks: every
// attempt that ended unpaid in the last 48 hours is asked about once more.
const NightlyCheckWindow = 48 * time.Hour

// RunNightlyPaymentCheck asks the gateway once more about every attempt
// that ended refused, abandoned or expired in the last NightlyCheckWindow
// (not test payments, not attempts that never reached PayFiP), so that a
// result notified late or during the night is not lost: a late "paid"
// settles its invoices (or, if they were paid meanwhile, is flagged as a
// double payment). It runs once per Paris day whatever the number of
// instances (Store.ClaimRun), on its first call at or after
// NightlyCheckHour; earlier calls do nothing. It returns how many
// attempts changed.
func (p Jobs) RunNightlyPaymentCheck(ctx context.Context) (int, error) {
	now := p.clock.Now()
	if now.In(domain.Paris).Hour() < NightlyCheckHour {
		return 0, nil
	}
	claimed, err := p.store.ClaimRun(ctx, nightlyJob, domain.Today(now).String(), now)
	if err != nil {
		return 0, domain.WrapInternal(err)
	}
	if !claimed {
		return 0, nil
	}
	since := now.Add(-NightlyCheckWindow)
	seen := make(map[uuid.UUID]bool)
	changed := 0
	for {
		list, err := p.store.EndedUnpaidPayments(ctx, since, reconcileBatch)
		if err != nil {
			return changed, domain.WrapInternal(err)
		}
		var fresh []domain.Payment
		for _, pay := range list {
			if !seen[pay.ID] {
				seen[pay.ID] = true
				fresh = append(fresh, pay)
			}
		}
		n, err := p.reconcileAll(ctx, fresh, sourceNightly)
		changed += n
		if err != nil {
			return changed, err
		}
		if len(list) < reconcileBatch || len(fresh) == 0 {
			return changed, nil
		}
		since = list[len(list)-1].FinishedAt
	}
}
