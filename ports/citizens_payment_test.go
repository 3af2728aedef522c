package ports_test

import (
	"errors"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

func notify(op string) url.Values { return url.Values{"idop": {op}} }

func TestPaySeveralInvoices(t *testing.T) {
	e := newEnv(t)
	sel, err := e.portal.Citizens().PayableInvoices(e.ctx, e.citizen)
	require.NoError(t, err)
	require.Len(t, sel.Invoices, 3)
	assert.True(t, sel.Multiple)

	ids := e.invoiceIDs(2)
	sum, err := e.portal.Citizens().PreparePayment(e.ctx, e.citizen, ids)
	require.NoError(t, err)
	assert.Equal(t, "004200", sum.Numcli)
	want := e.house.Invoices[0].Amount.Add(e.house.Invoices[1].Amount)
	assert.True(t, want.Equal(sum.Total))
	assert.Empty(t, e.gateway.Requests(), "preparing creates nothing")

	pay, co, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, ids)
	require.NoError(t, err)
	assert.Equal(t, domain.PaymentInProgress, pay.State)
	assert.Equal(t, "op-1", pay.OperationID)
	assert.Contains(t, co.RedirectURL, "idop=op-1")
	req, _ := e.gateway.LastRequest()
	assert.True(t, want.Equal(req.Amount))
	assert.Equal(t, pay.Refdet, req.Refdet)
	assert.Equal(t, "ref001@exemple.fr", req.Email)
	assert.Equal(t, domain.SaisieProduction, req.Saisie)
	assert.Equal(t, domain.SaisieProduction, pay.Saisie, "the attempt records its environment")
	for _, id := range ids {
		inv := e.invoice(t, id)
		assert.Equal(t, pay.ID, inv.LockedBy, "locked before the browser leaves")
	}
	d, err := e.portal.Citizens().Invoice(e.ctx, e.citizen, ids[0])
	require.NoError(t, err)
	assert.Equal(t, "Paiement en cours", d.Status)
	require.NotNil(t, d.Payment)
	assert.Equal(t, pay.ID, d.Payment.ID)

	e.advance(3 * time.Minute)
	e.gateway.SetOutcome("op-1", domain.OutcomePaid)
	got, err := e.portal.Jobs().HandleNotification(e.ctx, notify("op-1"))
	require.NoError(t, err)
	assert.Equal(t, domain.PaymentPaid, got.State)
	for _, id := range ids {
		inv := e.invoice(t, id)
		assert.Equal(t, domain.InvoicePaid, inv.State)
		assert.Equal(t, pay.ID, inv.PaymentID)
		assert.Equal(t, uuid.Nil, inv.LockedBy)
	}
	conf := e.mails.To("ref001@exemple.fr")
	require.Len(t, conf, 1, "the payer gets one confirmation")
	assert.Contains(t, conf[0].Subject, "Confirmation de votre paiement")
	assert.Equal(t, e.house.Biller.Email, conf[0].ReplyTo)

	// The same notification again, and the browser coming back: nothing moves twice.
	again, err := e.portal.Jobs().HandleNotification(e.ctx, url.Values{"IdOp": {"op-1"}})
	require.NoError(t, err)
	assert.Equal(t, domain.PaymentPaid, again.State)
	assert.Len(t, e.mails.To("ref001@exemple.fr"), 1, "no second confirmation")

	mine, err := e.portal.Citizens().Payment(e.ctx, e.citizen, pay.ID)
	require.NoError(t, err)
	assert.Equal(t, domain.PaymentPaid, mine.State)
}

func TestSeveralInvoicesRefusedWhenTheBillerDoesNotAllowIt(t *testing.T) {
	e := newEnv(t)
	e.setBiller(t, func(b *domain.Biller) { b.MultiplePayments = false })
	_, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(2))
	assert.Contains(t, domain.ErrorMessage(err), "qu'une facture à la fois")
	assert.Empty(t, e.gateway.Requests())
	sel, err := e.portal.Citizens().PayableInvoices(e.ctx, e.citizen)
	require.NoError(t, err)
	assert.False(t, sel.Multiple)
	_, _, err = e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
	assert.NoError(t, err)
}

func TestRefusedAndAbandonedAttempts(t *testing.T) {
	t.Run("refused releases the invoices at once", func(t *testing.T) {
		e := newEnv(t)
		_, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
		require.NoError(t, err)
		e.gateway.SetOutcome("op-1", domain.OutcomeRefused)
		pay, err := e.portal.Jobs().HandleNotification(e.ctx, notify("op-1"))
		require.NoError(t, err)
		assert.Equal(t, domain.PaymentRefused, pay.State)
		assert.False(t, e.invoice(t, e.house.Invoices[0].ID).Locked(e.clock.Now()))
		_, _, err = e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
		assert.NoError(t, err, "a new attempt is possible")
	})
	t.Run("abandoned keeps the invoices locked while the operation can still complete", func(t *testing.T) {
		e := newEnv(t)
		_, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
		require.NoError(t, err)
		e.gateway.SetOutcome("op-1", domain.OutcomeAbandoned)
		e.advance(2 * time.Minute)
		pay, err := e.portal.Jobs().HandleNotification(e.ctx, notify("op-1"))
		require.NoError(t, err)
		assert.Equal(t, domain.PaymentInProgress, pay.State)
		_, _, err = e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
		assert.Equal(t, domain.Conflict, domain.ErrorCode(err), "no second attempt that could pay twice")

		// The first attempt is completed after all: paid once.
		e.gateway.SetOutcome("op-1", domain.OutcomePaid)
		e.advance(5 * time.Minute)
		n, err := e.portal.Jobs().Reconcile(e.ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		assert.Equal(t, domain.InvoicePaid, e.invoice(t, e.house.Invoices[0].ID).State)
	})
	t.Run("abandoned becomes final after the window", func(t *testing.T) {
		e := newEnv(t)
		_, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
		require.NoError(t, err)
		e.gateway.SetOutcome("op-1", domain.OutcomeAbandoned)
		_, err = e.portal.Jobs().HandleNotification(e.ctx, notify("op-1"))
		require.NoError(t, err)
		e.advance(domain.OperationWindow)
		_, err = e.portal.Jobs().Reconcile(e.ctx)
		require.NoError(t, err)
		pay, err := e.store.PaymentByOperation(e.ctx, "op-1")
		require.NoError(t, err)
		assert.Equal(t, domain.PaymentAbandoned, pay.State)
		assert.True(t, e.invoice(t, e.house.Invoices[0].ID).Locked(e.clock.Now()), "held for the lock duration: money may still come")
		e.advance(2*time.Hour - domain.OperationWindow)
		assert.False(t, e.invoice(t, e.house.Invoices[0].ID).Locked(e.clock.Now()), "payable again once the lock duration has passed")
		_, _, err = e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
		assert.NoError(t, err)
	})
}

func TestLostNotificationRecoveredByTheReconciler(t *testing.T) {
	e := newEnv(t)
	_, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
	require.NoError(t, err)
	n, err := e.portal.Jobs().Reconcile(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "P5 within the window changes nothing")
	e.gateway.SetOutcome("op-1", domain.OutcomePaid)
	e.advance(10 * time.Minute)
	n, err = e.portal.Jobs().Reconcile(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, domain.InvoicePaid, e.invoice(t, e.house.Invoices[0].ID).State)
	n, err = e.portal.Jobs().Reconcile(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing left to reconcile")
}

func TestPendingExpiresAfterTwentyMinutesThenPaidStillSettles(t *testing.T) {
	e := newEnv(t)
	_, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
	require.NoError(t, err)
	e.advance(20 * time.Minute)
	n, err := e.portal.Jobs().Reconcile(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	pay, err := e.store.PaymentByOperation(e.ctx, "op-1")
	require.NoError(t, err)
	assert.Equal(t, domain.PaymentExpired, pay.State)
	assert.True(t, e.invoice(t, e.house.Invoices[0].ID).Locked(e.clock.Now()), "an expired attempt holds its invoices for the lock duration")

	// A late confirmed "paid" for the expired attempt: the money was received.
	e.gateway.SetOutcome("op-1", domain.OutcomePaid)
	pay, err = e.portal.Jobs().HandleNotification(e.ctx, notify("op-1"))
	require.NoError(t, err)
	assert.Equal(t, domain.PaymentPaid, pay.State)
	assert.Equal(t, domain.InvoicePaid, e.invoice(t, e.house.Invoices[0].ID).State)
}

func TestNotificationForAnUnknownOperationChangesNothing(t *testing.T) {
	e := newEnv(t)
	_, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
	require.NoError(t, err)
	_, err = e.portal.Jobs().HandleNotification(e.ctx, notify("op-999"))
	assert.ErrorIs(t, err, domain.ErrNotFound)
	assert.Empty(t, e.gateway.StatusQueries(), "the gateway is not asked about an operation the portal did not create")
	_, err = e.portal.Jobs().HandleNotification(e.ctx, url.Values{})
	assert.Equal(t, domain.Invalid, domain.ErrorCode(err))
}

func TestForgedUnconfirmedReportWithTheWrongAmountIsRefused(t *testing.T) {
	e := newEnv(t)
	pay, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
	require.NoError(t, err)
	forged := domain.Report{Outcome: domain.OutcomePaid, Refdet: pay.Refdet, Amount: pay.Total.Div(domainTen()), Numcli: "004200"}
	e.gateway.SetReport("op-1", forged)
	_, err = e.portal.Jobs().HandleNotification(e.ctx, notify("op-1"))
	assert.Equal(t, domain.Conflict, domain.ErrorCode(err))
	got, err := e.store.Payment(e.ctx, pay.ID)
	require.NoError(t, err)
	assert.Equal(t, domain.PaymentInProgress, got.State)
	assert.Equal(t, domain.InvoiceUnpaid, e.invoice(t, e.house.Invoices[0].ID).State)
}

func TestGatewayFailureReleasesTheInvoices(t *testing.T) {
	e := newEnv(t)
	e.gateway.FailNextStarts(1, domain.Errorf(domain.Unavailable, "Le service de paiement de la DGFiP est momentanément indisponible."))
	_, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
	assert.Equal(t, domain.Unavailable, domain.ErrorCode(err))
	assert.False(t, e.invoice(t, e.house.Invoices[0].ID).Locked(e.clock.Now()), "the citizen can try again")
	_, _, err = e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
	assert.NoError(t, err)
}

// TestConcurrentStartsOnOneInvoice: of many simultaneous starts on the same
// invoice, exactly one wins (run with -race).
func TestConcurrentStartsOnOneInvoice(t *testing.T) {
	e := newEnv(t)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		assert.Equal(t, domain.Conflict, domain.ErrorCode(err), "%v", err)
	}
	assert.Equal(t, 1, won)
	assert.Len(t, e.gateway.Requests(), 1, "exactly one operation is created at the DGFiP")
}

func TestAttemptClosedWhileTheGatewayCreatesItsOperationIsNotBegun(t *testing.T) {
	e := newEnv(t)
	ids := e.invoiceIDs(1)
	e.gateway.OnStart = func(ports.PaymentRequest) {
		// The reconciler finds the attempt still without its operation
		// past the grace, and closes it, releasing its invoice.
		e.advance(domain.UnstartedGrace + time.Minute)
		_, err := e.portal.Jobs().Reconcile(e.ctx)
		require.NoError(t, err)
	}
	_, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, ids)
	require.Error(t, err)
	assert.Equal(t, domain.Conflict, domain.ErrorCode(err), "%v", err)
	pays, err := e.store.LivePayments(e.ctx, 10)
	require.NoError(t, err)
	assert.Empty(t, pays, "the closed attempt stays closed")
	inv, err := e.store.Invoice(e.ctx, ids[0])
	require.NoError(t, err)
	assert.True(t, inv.LockedBy == uuid.Nil, "the invoice stays released")
}

func TestAnotherPayersPaymentIsInvisible(t *testing.T) {
	e := newEnv(t)
	pay, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
	require.NoError(t, err)
	stranger := ports.Citizen{BillerID: e.biller(), AccountID: uuid.New(), PayerID: e.newbie.ID}
	_, err = e.portal.Citizens().Payment(e.ctx, stranger, pay.ID)
	assert.ErrorIs(t, err, domain.ErrNotFound)
	assert.False(t, e.portal.Citizens().Owns(stranger, pay))
	assert.True(t, e.portal.Citizens().Owns(e.citizen, pay))
	other := ports.Citizen{BillerID: uuid.New(), AccountID: e.citizen.AccountID, PayerID: e.citizen.PayerID}
	assert.False(t, e.portal.Citizens().Owns(other, pay), "the same payer id under another biller")
	assert.False(t, e.portal.Citizens().Owns(e.citizen, domain.Payment{}), "no attempt")
}

type codedErr struct{ code string }

func (e codedErr) Error() string       { return "fault " + e.code }
func (e codedErr) GatewayCode() string { return e.code }

func TestGatewayRefusalKeepsItsCode(t *testing.T) {
	e := newEnv(t)
	e.gateway.FailNextStarts(1, &domain.Error{Code: domain.Invalid, Message: "Référence invalide.", Err: codedErr{"R3"}})
	_, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
	assert.Equal(t, "Référence invalide.", domain.ErrorMessage(err))
	req, ok := e.gateway.LastRequest()
	require.True(t, ok)
	pay, err := e.store.Payment(e.ctx, req.PaymentID)
	require.NoError(t, err)
	assert.Equal(t, domain.PaymentFailed, pay.State)
	assert.Equal(t, "R3", pay.LastCode, "PayFiP's own code is kept for the back office")
	assert.False(t, e.invoice(t, e.house.Invoices[0].ID).Locked(e.clock.Now()))
}

func TestReturnWhilePayFiPIsUnreachable(t *testing.T) {
	e := newEnv(t)
	pay, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
	require.NoError(t, err)
	e.gateway.SetStatusError("op-1", domain.WrapUnavailable(errors.New("timeout")))
	got, err := e.portal.Jobs().HandleNotification(e.ctx, notify("op-1"))
	require.NoError(t, err, "the browser's return is not an error page: the reconciler asks later")
	assert.Equal(t, pay.ID, got.ID)
	assert.Equal(t, domain.PaymentInProgress, got.State)
	sum, err := e.portal.Citizens().PreparePayment(e.ctx, e.citizen, e.invoiceIDs(2)[1:])
	require.NoError(t, err)
	assert.Equal(t, 2*time.Hour, sum.LockDuration)
}
