package domain_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
)

func TestAnAttemptRecordsItsEnvironment(t *testing.T) {
	pay, _, b := newPayment(t)
	assert.Equal(t, domain.SaisieProduction, pay.Saisie)
	assert.True(t, now.Add(b.LockDuration).Equal(pay.LockedUntil))
	assert.Empty(t, pay.ReportedSaisie)
	assert.False(t, pay.IsTest())

	_, err := pay.Apply(withSaisie(report(domain.OutcomePaid), domain.SaisieProduction), now.Add(time.Minute))
	require.NoError(t, err)
	assert.Equal(t, domain.SaisieProduction, pay.ReportedSaisie, "the echoed environment is kept")
}

func TestAResultOfAnAttemptInTIsATestPayment(t *testing.T) {
	b := mustBiller(t)
	b.Saisie = domain.SaisieTest
	p := mustPayer(t, b)
	invs := []domain.Invoice{mustInvoice(t, b, p, "2026-001", "100.00"), mustInvoice(t, b, p, "2026-002", "143.11")}
	pay, err := domain.NewPayment(uuid.New(), "ABCDEF123456", b, p, activeAccount(p), invs, now)
	require.NoError(t, err)
	require.NoError(t, pay.Begin("op-1", now))
	assert.True(t, pay.IsTest())

	// The answer carries no saisie: the attempt's own T decides.
	changed, err := pay.Apply(report(domain.OutcomePaid), now.Add(time.Minute))
	require.NoError(t, err)
	assert.True(t, changed)
	assert.Equal(t, domain.PaymentTest, pay.State)
	assert.True(t, pay.State.Final())
	assert.Equal(t, "Paiement de test", pay.State.Label())
	assert.Contains(t, domain.PaymentStates, domain.PaymentTest, "the back office can filter on it")

	assert.Empty(t, domain.SettleInvoices(&pay, nil, now), "nothing to settle from nothing")
	released := domain.ReleaseInvoices(pay, invs, now.Add(time.Minute))
	require.Len(t, released, 2, "a test payment releases its invoices at once")
	for _, inv := range released {
		assert.Equal(t, domain.InvoiceUnpaid, inv.State)
		assert.NoError(t, inv.Payable(b, now.Add(time.Minute)), "the invoice is still to pay")
	}

	_, err = pay.Apply(report(domain.OutcomePaid), now.Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, domain.PaymentTest, pay.State, "a test payment never becomes money")
}

func TestAForgedTestEchoDoesNotEndARealAttempt(t *testing.T) {
	pay, _, _ := newPayment(t)
	require.NoError(t, pay.Begin("", now))
	r := testReport(domain.OutcomeRefused)
	r.Confirmed = false
	changed, err := pay.Apply(r, now.Add(time.Minute))
	require.NoError(t, err)
	assert.False(t, changed)
	assert.Equal(t, domain.PaymentInProgress, pay.State)
}

func TestAnUnconfirmedPaidCannotReviveAnAttemptThatIsOver(t *testing.T) {
	for _, from := range []domain.PaymentState{domain.PaymentRefused, domain.PaymentExpired, domain.PaymentAbandoned} {
		t.Run(string(from), func(t *testing.T) {
			pay, _, _ := newPayment(t)
			require.NoError(t, pay.Begin("", now))
			pay.State = from
			r := report(domain.OutcomePaid)
			r.Confirmed = false
			changed, err := pay.Apply(r, now.Add(time.Hour))
			assert.Equal(t, domain.Conflict, domain.ErrorCode(err))
			assert.False(t, changed)
			assert.Equal(t, from, pay.State)

			changed, err = pay.Apply(report(domain.OutcomePaid), now.Add(time.Hour))
			require.NoError(t, err, "the DGFiP's own word still wins")
			assert.True(t, changed)
			assert.Equal(t, domain.PaymentPaid, pay.State)
		})
	}
}

func TestAnAttemptThatMayStillBePaidHoldsItsInvoices(t *testing.T) {
	for _, tt := range []struct {
		name  string
		r     domain.Report
		after time.Duration
		want  domain.PaymentState
	}{
		{"abandoned", report(domain.OutcomeAbandoned), domain.OperationWindow, domain.PaymentAbandoned},
		{"expired (P5 after the window)", report(domain.OutcomePending), domain.OperationWindow, domain.PaymentExpired},
		{"expired (P1 after the window)", report(domain.OutcomeUnknown), domain.OperationWindow, domain.PaymentExpired},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pay, invs, b := newPayment(t)
			require.NoError(t, pay.Begin("op-1", now))
			at := now.Add(tt.after)
			_, err := pay.Apply(tt.r, at)
			require.NoError(t, err)
			require.Equal(t, tt.want, pay.State)
			assert.True(t, pay.Holds(at))
			assert.Empty(t, domain.ReleaseInvoices(pay, invs, at), "nothing is released while money may come")
			for _, inv := range invs {
				assert.Equal(t, domain.Conflict, domain.ErrorCode(inv.Payable(b, at)), "not payable again yet")
				assert.Contains(t, domain.ErrorMessage(inv.Payable(b, at)), domain.FrenchDateTime(now.Add(2*time.Hour)))
			}
			end := now.Add(b.LockDuration)
			assert.False(t, pay.Holds(end))
			for _, inv := range invs {
				assert.NoError(t, inv.Payable(b, end), "payable again once the lock duration has passed")
			}

			// A late paid settles them.
			_, err = pay.Apply(report(domain.OutcomePaid), at.Add(time.Hour))
			require.NoError(t, err)
			settled := domain.SettleInvoices(&pay, invs, at.Add(time.Hour))
			assert.Len(t, settled, 2)
		})
	}
	refused, invs, _ := newPayment(t)
	require.NoError(t, refused.Begin("op-1", now))
	_, err := refused.Apply(report(domain.OutcomeRefused), now.Add(time.Minute))
	require.NoError(t, err)
	assert.False(t, refused.Holds(now.Add(time.Minute)))
	assert.Len(t, domain.ReleaseInvoices(refused, invs, now.Add(time.Minute)), 2, "a refusal releases at once")
}

func TestCloseUnstarted(t *testing.T) {
	pay, invs, b := newPayment(t)
	assert.False(t, pay.CloseUnstarted(now.Add(time.Minute)), "the gateway may still be answering")
	assert.True(t, pay.CloseUnstarted(now.Add(domain.UnstartedGrace)))
	assert.Equal(t, domain.PaymentFailed, pay.State)
	assert.False(t, pay.Holds(now.Add(domain.UnstartedGrace)))
	released := domain.ReleaseInvoices(pay, invs, now.Add(domain.UnstartedGrace))
	require.Len(t, released, 2)
	assert.NoError(t, released[0].Payable(b, now.Add(domain.UnstartedGrace)), "no operation exists: payable at once")

	begun, _, _ := newPayment(t)
	require.NoError(t, begun.Begin("op-1", now))
	assert.False(t, begun.CloseUnstarted(now.Add(time.Hour)), "only an attempt that never got its operation")
}

func TestAnUnconfirmedPaymentAwaitsTheService(t *testing.T) {
	pay, invs := unconfirmedPaid(t)
	b := mustBiller(t)
	for _, inv := range invs {
		assert.True(t, inv.AwaitingConfirmation)
		assert.Equal(t, domain.StatusAwaitingConfirmation, inv.StatusText(now))
		assert.NotEqual(t, "Réglée", inv.StatusText(now))
		assert.Equal(t, domain.TabUnpaid, inv.Tab(), "not among the settled invoices until confirmed")
		err := inv.Payable(b, now)
		assert.Equal(t, domain.Conflict, domain.ErrorCode(err), "not payable again")
		assert.Contains(t, domain.ErrorMessage(err), "en attente de confirmation")
		assert.False(t, inv.Actions(b, now).Pay)
	}
	_, err := pay.Confirm(now)
	require.NoError(t, err)
	confirmed := domain.SettleInvoices(&pay, invs, now)
	require.Len(t, confirmed, 2)
	for _, inv := range confirmed {
		assert.False(t, inv.AwaitingConfirmation)
		assert.Equal(t, "Réglée", inv.StatusText(now))
		assert.Equal(t, domain.TabPaid, inv.Tab())
	}

	rejected, invs2 := unconfirmedPaid(t)
	reject(t, &rejected, now)
	for _, inv := range domain.ReopenInvoices(rejected, invs2, now) {
		assert.False(t, inv.AwaitingConfirmation)
		assert.Equal(t, domain.TabUnpaid, inv.Tab())
		assert.NoError(t, inv.Payable(b, now))
	}
}

func TestAnAttemptInTDoesNotHoldItsInvoices(t *testing.T) {
	b := mustBiller(t)
	b.Saisie = domain.SaisieTest
	p := mustPayer(t, b)
	invs := []domain.Invoice{mustInvoice(t, b, p, "2026-001", "100.00")}
	pay, err := domain.NewPayment(uuid.New(), "ABCDEF123456", b, p, activeAccount(p), invs, now)
	require.NoError(t, err)
	require.NoError(t, pay.Begin("op-1", now))
	at := now.Add(domain.OperationWindow)
	require.True(t, pay.Expire(at))
	assert.False(t, pay.Holds(at), "no money can come from the test environment")
	assert.Len(t, domain.ReleaseInvoices(pay, invs, at), 1)
}
