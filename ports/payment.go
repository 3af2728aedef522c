package ports

import (
	"context"
	"errors"
	"net/url"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/portail-factures/portail/domain"
)

// Selection is the manual's selection screen: the invoices the payer may
// pay now, and whether several may be chosen.
type Selection struct {
	PayerName string
	Invoices  []domain.Invoice
	Multiple  bool
	// Suspended is the service's suspension message while online payment
	// is suspended (then Invoices is empty); "" otherwise.
	Suspended string
	// Refused are the unpaid invoices that cannot be paid online because
	// of their amount alone, each with the French reason.
	Refused []RefusedInvoice
}

// RefusedInvoice is an invoice the selection screen cannot offer, and why.
type RefusedInvoice struct {
	Invoice domain.Invoice
	Reason  string
}

// withMode gives a biller loaded from the store the instance's PayFiP
// mode, on which the limits of a payment depend.
func (p *Portal) withMode(b domain.Biller) domain.Biller {
	b.PayFiPMode = p.cfg.PayFiPMode
	return b
}

// PayableInvoices lists the caller's invoices that may be paid now.
func (p Citizens) PayableInvoices(ctx context.Context, c Citizen) (Selection, error) {
	_, payer, err := citizenAccount(ctx, p.store, c)
	if err != nil {
		return Selection{}, err
	}
	b, err := p.store.Biller(ctx, c.BillerID)
	if err != nil {
		return Selection{}, domain.WrapInternal(err)
	}
	b = p.withMode(b)
	now := p.clock.Now()
	sel := Selection{PayerName: payer.Name, Multiple: b.MultiplePayments, Suspended: b.Suspension.Notice(now)}
	for offset := 0; ; offset += MaxPerPage {
		page, total, err := p.store.ListInvoices(ctx, InvoiceQuery{PayerID: payer.ID, Tab: domain.TabUnpaid, Offset: offset, Limit: MaxPerPage})
		if err != nil {
			return Selection{}, domain.WrapInternal(err)
		}
		for _, inv := range page {
			if inv.Payable(b, now) == nil {
				sel.Invoices = append(sel.Invoices, inv)
			} else if err := inv.AmountPayable(b); err != nil {
				sel.Refused = append(sel.Refused, RefusedInvoice{Invoice: inv, Reason: domain.ErrorMessage(err)})
			}
		}
		if offset+MaxPerPage >= total || len(page) == 0 {
			break
		}
	}
	return sel, nil
}

// PaymentSummary is "Informations pour le paiement".
type PaymentSummary struct {
	Numcli   string // "Identifiant collectivité"
	Total    decimal.Decimal
	Invoices []domain.Invoice
	// LockDuration is how long an unfinished attempt blocks a new one
	// (the manual's "délai d'attente de 2 heures").
	LockDuration time.Duration
	// InTest is set while the biller is in PayFiP's test environment
	// (domain.Biller.InTest): the payment will take no money and leave
	// the invoices to pay, and the page says so.
	InTest bool
}

// PreparePayment checks a selection and returns its summary. Nothing is
// stored: the attempt begins only with StartPayment.
func (p Citizens) PreparePayment(ctx context.Context, c Citizen, ids []uuid.UUID) (PaymentSummary, error) {
	a, payer, err := citizenAccount(ctx, p.store, c)
	if err != nil {
		return PaymentSummary{}, err
	}
	b, err := p.store.Biller(ctx, c.BillerID)
	if err != nil {
		return PaymentSummary{}, domain.WrapInternal(err)
	}
	b = p.withMode(b)
	invs := make([]domain.Invoice, 0, len(ids))
	for _, id := range ids {
		inv, err := p.store.Invoice(ctx, id)
		if err != nil {
			return PaymentSummary{}, notFoundAs(err, domain.ErrNotFound)
		}
		invs = append(invs, inv)
	}
	total, err := domain.CheckSelection(b, payer, invs, p.clock.Now())
	if err != nil {
		return PaymentSummary{}, err
	}
	// The address PayFiP would refuse is said here, before the citizen
	// clicks; StartPayment checks it again (domain.NewPayment).
	if _, err := domain.PayFiPEmail(a.Email); err != nil {
		return PaymentSummary{}, err
	}
	return PaymentSummary{Numcli: b.Numcli, Total: total, Invoices: invs, LockDuration: b.LockDuration, InTest: b.InTest()}, nil
}

// StartPayment is "Payer la facture sur le portail PayFiP": it stores the
// attempt and locks its invoices before anything else, creates the
// operation at the gateway (exactly once per attempt) and returns where
// to send the browser. Of two concurrent starts on one invoice, exactly
// one wins; the other gets a Conflict.
func (p Citizens) StartPayment(ctx context.Context, c Citizen, ids []uuid.UUID) (domain.Payment, Checkout, error) {
	id, err := p.newID()
	if err != nil {
		return domain.Payment{}, Checkout{}, err
	}
	raw, err := p.randomBytes(domain.RefdetRandomBytes)
	if err != nil {
		return domain.Payment{}, Checkout{}, err
	}
	refdet, err := domain.NewRefdet(raw)
	if err != nil {
		return domain.Payment{}, Checkout{}, err
	}
	now := p.clock.Now()
	var pay domain.Payment
	var saisie domain.Saisie
	var site string
	err = p.store.Atomic(ctx, func(tx Tx) error {
		a, payer, err := citizenAccount(ctx, tx, c)
		if err != nil {
			return err
		}
		b, err := tx.Biller(ctx, c.BillerID)
		if err != nil {
			return domain.WrapInternal(err)
		}
		b = p.withMode(b)
		saisie, site = b.Saisie, p.SiteURL(b)
		invs, err := tx.InvoicesForUpdate(ctx, ids)
		if err != nil {
			return notFoundAs(err, domain.ErrNotFound)
		}
		pay, err = domain.NewPayment(id, refdet, b, payer, a, invs, now)
		if err != nil {
			return err
		}
		if err := mapSave(tx.SavePayment(ctx, pay)); err != nil {
			return err
		}
		for _, inv := range invs {
			if err := tx.SaveInvoice(ctx, inv); err != nil {
				return domain.WrapInternal(err)
			}
		}
		return p.paymentEvent(ctx, tx, pay, "", createdDetail(pay, invs))
	})
	if err != nil {
		return domain.Payment{}, Checkout{}, err
	}
	co, gerr := p.gateway.Start(ctx, PaymentRequest{
		PaymentID: pay.ID, Numcli: pay.Numcli, Saisie: saisie, Refdet: pay.Refdet, Year: pay.Year,
		Amount: pay.Total, Email: pay.Email, Object: pay.Object, SiteURL: site,
	})
	if gerr != nil {
		p.log.ErrorContext(ctx, "payment not created at the gateway", "payment", pay.ID, "err", gerr)
		// Keep the gateway's own code (PayFiP's R3, A2…) for the back
		// office when the error carries one.
		code := string(domain.ErrorCode(gerr))
		var gc interface{ GatewayCode() string }
		if errors.As(gerr, &gc) {
			code = gc.GatewayCode()
		}
		fail := func(pm *domain.Payment, now time.Time) bool { return pm.Fail(code, now) }
		if err := p.finish(ctx, pay.ID, fail, code, "La DGFiP a refusé de créer l'opération de paiement."); err != nil {
			p.log.ErrorContext(ctx, "failed payment not recorded", "payment", pay.ID, "err", err)
		}
		if domain.ErrorCode(gerr) == domain.Internal {
			return domain.Payment{}, Checkout{}, domain.WrapUnavailable(gerr)
		}
		return domain.Payment{}, Checkout{}, gerr
	}
	err = p.store.Atomic(ctx, func(tx Tx) error {
		cur, err := tx.PaymentForUpdate(ctx, pay.ID)
		if err != nil {
			return domain.WrapInternal(err)
		}
		if err := cur.Begin(co.OperationID, p.clock.Now()); err != nil {
			return err
		}
		pay = cur
		if err := mapSave(tx.SavePayment(ctx, cur)); err != nil {
			return err
		}
		return p.paymentEvent(ctx, tx, cur, "", "Redevable envoyé sur le site de paiement de la DGFiP, opération "+co.OperationID+".")
	})
	if err != nil {
		return domain.Payment{}, Checkout{}, err
	}
	return pay, co, nil
}

// finish applies a change to a payment and, when it becomes final
// unpaid, releases its invoices, in one transaction, and records the
// step (code, detail) in its timeline.
func (p *Portal) finish(ctx context.Context, id uuid.UUID, change func(*domain.Payment, time.Time) bool, code, detail string) error {
	now := p.clock.Now()
	return p.store.Atomic(ctx, func(tx Tx) error {
		pay, err := tx.PaymentForUpdate(ctx, id)
		if err != nil {
			return domain.WrapInternal(err)
		}
		if !change(&pay, now) {
			return nil
		}
		if err := tx.SavePayment(ctx, pay); err != nil {
			return domain.WrapInternal(err)
		}
		if err := p.paymentEvent(ctx, tx, pay, code, detail); err != nil {
			return err
		}
		return p.releaseOrSettle(ctx, tx, &pay, now)
	})
}

// releaseOrSettle brings the invoices in line with a payment's state:
// settled when paid, released when otherwise final. A paid invoice that
// another payment already settled gets a refund to make (recordRefunds).
func (p *Portal) releaseOrSettle(ctx context.Context, tx Tx, pay *domain.Payment, now time.Time) error {
	if pay.Live() {
		return nil
	}
	invs, err := tx.InvoicesForUpdate(ctx, pay.InvoiceIDs)
	if err != nil {
		return domain.WrapInternal(err)
	}
	var changed []domain.Invoice
	if pay.State == domain.PaymentPaid {
		anomaly := pay.Anomaly
		refunds := domain.DoublePayments(*pay, invs, now)
		changed = domain.SettleInvoices(pay, invs, now)
		if pay.Anomaly != anomaly {
			p.log.ErrorContext(ctx, "payment received for an invoice already settled", "payment", pay.ID, "anomaly", pay.Anomaly)
			if err := tx.SavePayment(ctx, *pay); err != nil {
				return domain.WrapInternal(err)
			}
			if err := p.paymentEvent(ctx, tx, *pay, "", "Anomalie : "+pay.Anomaly); err != nil {
				return err
			}
		}
		if err := p.recordRefunds(ctx, tx, *pay, refunds, now); err != nil {
			return err
		}
	} else {
		changed = domain.ReleaseInvoices(*pay, invs, now)
	}
	for _, inv := range changed {
		if err := tx.SaveInvoice(ctx, inv); err != nil {
			return domain.WrapInternal(err)
		}
	}
	return nil
}

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
	var pay domain.Payment
	becamePaid := false
	err := p.store.Atomic(ctx, func(tx Tx) error {
		var err error
		pay, err = tx.PaymentForUpdate(ctx, id)
		if err != nil {
			return domain.WrapInternal(err)
		}
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
		if err := tx.SavePayment(ctx, pay); err != nil {
			return domain.WrapInternal(err)
		}
		if err := p.paymentEvent(ctx, tx, pay, r.Code, reportDetail(source, r, pay, true)); err != nil {
			return err
		}
		if err := p.releaseOrSettle(ctx, tx, &pay, now); err != nil {
			return err
		}
		if becamePaid {
			return p.enqueuePaid(ctx, tx, pay, now)
		}
		return nil
	})
	if err != nil {
		if domain.ErrorCode(err) == domain.Conflict {
			p.log.WarnContext(ctx, "payment report refused", "payment", id, "err", err)
			p.recordRefusedReport(ctx, id, r, source, err)
		}
		return pay, err
	}
	if becamePaid {
		p.mailsQueued(ctx)
	}
	return pay, nil
}

// enqueuePaid puts the payer's confirmation of a paid attempt in the
// outbox, in the transaction that records the payment: the receipt when
// the payment is confirmed, « Paiement reçu, en attente de confirmation
// par le service » while it is known only from the legacy URL mode's
// callback.
func (p *Portal) enqueuePaid(ctx context.Context, tx Tx, pay domain.Payment, now time.Time) error {
	b, err := tx.Biller(ctx, pay.BillerID)
	if err != nil {
		return domain.WrapInternal(err)
	}
	name := mailPaid
	if pay.Unconfirmed() {
		name = mailPaidUnconfirmed
	}
	m, err := p.mails.render(name, pay.Email, b.Email, mailData{Biller: b, Payment: pay})
	if err != nil {
		return err
	}
	return p.enqueue(ctx, tx, m, now)
}

// Payment returns one of the caller's attempts; another payer's gives
// domain.ErrNotFound.
func (p Citizens) Payment(ctx context.Context, c Citizen, id uuid.UUID) (domain.Payment, error) {
	pay, err := p.store.Payment(ctx, id)
	if err != nil {
		return pay, notFoundAs(err, domain.ErrNotFound)
	}
	if pay.PayerID != c.PayerID || pay.BillerID != c.BillerID {
		return domain.Payment{}, domain.ErrNotFound
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
	if pay.State == domain.PaymentCreated {
		// The gateway never gave an id (the portal stopped between the
		// two steps): the browser never left, no money can come.
		closeUnstarted := func(pm *domain.Payment, now time.Time) bool { return pm.CloseUnstarted(now) }
		err := p.finish(ctx, pay.ID, closeUnstarted, "", "Clos : l'opération n'a jamais été créée à la DGFiP ; factures libérées.")
		if err != nil {
			return pay, err
		}
		return p.store.Payment(ctx, pay.ID)
	}
	r, err := p.gateway.Status(ctx, pay)
	if errors.Is(err, ErrNoStatusQuery) {
		if pay.State.Final() {
			return pay, nil
		}
		b, berr := p.store.Biller(ctx, pay.BillerID)
		if berr != nil {
			return pay, berr
		}
		if !pay.LockExpired(p.clock.Now(), b.LockDuration) {
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
