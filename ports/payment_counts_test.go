package ports_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// paymentCounter is a ports.PaymentObserver that remembers its counts.
type paymentCounter struct {
	mu sync.Mutex
	n  map[ports.PaymentCount]int
}

func (c *paymentCounter) CountPayment(_ context.Context, k ports.PaymentCount) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[ports.PaymentCount]int{}
	}
	c.n[k]++
}

func (c *paymentCounter) get() map[ports.PaymentCount]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[ports.PaymentCount]int{}
	for k, v := range c.n {
		out[k] = v
	}
	return out
}

func TestPaymentsAreCountedWhereTheyHappen(t *testing.T) {
	t.Run("started, then settled once however often notified", func(t *testing.T) {
		e := newEnv(t)
		pay, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(2))
		require.NoError(t, err)
		assert.Equal(t, map[ports.PaymentCount]int{ports.PaymentStarted: 1}, e.payCounts.get())
		e.gateway.SetOutcome(pay.OperationID, domain.OutcomePaid)
		for range 2 {
			_, err = e.portal.Jobs().HandleNotification(e.ctx, notify(pay.OperationID))
			require.NoError(t, err)
		}
		assert.Equal(t, map[ports.PaymentCount]int{ports.PaymentStarted: 1, ports.PaymentSettled: 1}, e.payCounts.get())
	})
	t.Run("refused", func(t *testing.T) {
		e := newEnv(t)
		pay, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
		require.NoError(t, err)
		e.gateway.SetOutcome(pay.OperationID, domain.OutcomeRefused)
		_, err = e.portal.Jobs().HandleNotification(e.ctx, notify(pay.OperationID))
		require.NoError(t, err)
		assert.Equal(t, map[ports.PaymentCount]int{ports.PaymentStarted: 1, ports.PaymentRefused: 1}, e.payCounts.get())
	})
	t.Run("test mode", func(t *testing.T) {
		e := newEnv(t)
		e.setBiller(t, func(b *domain.Biller) { b.Saisie = domain.SaisieTest })
		pay, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
		require.NoError(t, err)
		e.gateway.SetOutcome(pay.OperationID, domain.OutcomePaid)
		_, err = e.portal.Jobs().HandleNotification(e.ctx, notify(pay.OperationID))
		require.NoError(t, err)
		assert.Equal(t, map[ports.PaymentCount]int{ports.PaymentStarted: 1, ports.PaymentTested: 1}, e.payCounts.get())
	})
	t.Run("a gateway that refuses the operation", func(t *testing.T) {
		e := newEnv(t)
		e.gateway.FailNextStarts(1, domain.Errorf(domain.Invalid, "refusé"))
		_, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
		require.Error(t, err)
		assert.Equal(t, map[ports.PaymentCount]int{ports.PaymentStarted: 1, ports.PaymentFailed: 1}, e.payCounts.get())
	})
	t.Run("expired by the reconciler", func(t *testing.T) {
		e := newEnv(t)
		pay, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
		require.NoError(t, err)
		e.gateway.SetStatusError(pay.OperationID, ports.ErrNoStatusQuery)
		e.advance(3 * time.Hour)
		_, err = e.portal.Jobs().Reconcile(e.ctx)
		require.NoError(t, err)
		assert.Equal(t, domain.PaymentExpired, e.payment(t, pay.ID).State)
		assert.Equal(t, map[ports.PaymentCount]int{ports.PaymentStarted: 1, ports.PaymentExpired: 1}, e.payCounts.get())
	})
	t.Run("an unconfirmed payment the service rejects", func(t *testing.T) {
		e := newEnv(t)
		pay := e.paidUnconfirmed(t)
		require.NoError(t, e.portal.BackOfficePayments().RejectPayment(e.ctx, e.manager(), pay.ID))
		assert.Equal(t, 1, e.payCounts.get()[ports.PaymentSettled], "settled on the callback's word")
		assert.Equal(t, 1, e.payCounts.get()[ports.PaymentRejected])
	})
	t.Run("a double payment met when the service confirms", func(t *testing.T) {
		// As in TestRejectingAPaymentSettlesByTheDoublePaymentToRefund:
		// two unconfirmed attempts on one invoice, the later confirmed.
		e := newEnv(t)
		ids := e.invoiceIDs(1)
		_, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, ids)
		require.NoError(t, err)
		e.advance(domain.DefaultLockDuration + time.Minute)
		_, _, err = e.portal.Citizens().StartPayment(e.ctx, e.citizen, ids)
		require.NoError(t, err)
		e.urlPaid(t, "op-2")
		e.advance(time.Minute)
		b := e.urlPaid(t, "op-1")
		require.Zero(t, e.payCounts.get()[ports.PaymentDouble], "noted, not yet a refund")
		require.NoError(t, e.portal.BackOfficePayments().ConfirmPayment(e.ctx, e.manager(), b.ID))
		assert.Equal(t, 1, e.payCounts.get()[ports.PaymentDouble])
	})
	t.Run("double payment", func(t *testing.T) {
		e := newEnv(t)
		doublePaid(t, e)
		assert.Equal(t, map[ports.PaymentCount]int{ports.PaymentStarted: 1, ports.PaymentSettled: 1, ports.PaymentDouble: 1}, e.payCounts.get())
	})
}

func TestBacklogTellsTheOldestLiveAttemptAndTheOutbox(t *testing.T) {
	e := newEnv(t)
	b, err := e.portal.Operator().Backlog(e.ctx)
	require.NoError(t, err)
	assert.True(t, b.OldestLive.IsZero(), "nothing live")
	start := e.clock.Now()
	_, _, err = e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
	require.NoError(t, err)
	e.advance(time.Minute)
	_, _, err = e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(2)[1:])
	require.NoError(t, err)
	b, err = e.portal.Operator().Backlog(e.ctx)
	require.NoError(t, err)
	assert.True(t, start.Equal(b.OldestLive), "the oldest: %s", b.OldestLive)
}
