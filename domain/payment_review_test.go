package domain_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
)

// unconfirmedPaid returns an attempt paid on the word of a legacy URL-mode
// callback, and its invoices settled by it.
func unconfirmedPaid(t *testing.T) (domain.Payment, []domain.Invoice) {
	t.Helper()
	b := mustBiller(t)
	p := mustPayer(t, b)
	invs := []domain.Invoice{mustInvoice(t, b, p, "2026-001", "12.00"), mustInvoice(t, b, p, "2026-002", "30.00")}
	pay, err := domain.NewPayment(uuid.New(), "ABCDEF123456", b, p, activeAccount(p), invs, now)
	require.NoError(t, err)
	_, err = pay.Apply(domain.Report{Outcome: domain.OutcomePaid, Refdet: pay.Refdet, Amount: pay.Total, Code: "P"}, now)
	require.NoError(t, err)
	require.True(t, pay.Unconfirmed())
	settled := domain.SettleInvoices(&pay, invs, now)
	require.Len(t, settled, 2)
	return pay, settled
}

func TestConfirmPayment(t *testing.T) {
	pay, _ := unconfirmedPaid(t)
	changed, err := pay.Confirm(now)
	require.NoError(t, err)
	assert.True(t, changed)
	assert.True(t, pay.Confirmed)
	assert.False(t, pay.Unconfirmed())
	changed, err = pay.Confirm(now)
	require.NoError(t, err)
	assert.False(t, changed, "confirming twice is harmless")

	refused := domain.Payment{State: domain.PaymentRefused}
	_, err = refused.Confirm(now)
	assert.Equal(t, domain.Conflict, domain.ErrorCode(err), "only a paid attempt can be confirmed")
}

func TestRejectPayment(t *testing.T) {
	t.Run("an unconfirmed payment is rejected and its invoices reopen", func(t *testing.T) {
		pay, invs := unconfirmedPaid(t)
		later := now.Add(time.Hour)
		reject(t, &pay, later)
		assert.Equal(t, domain.PaymentRejected, pay.State)
		assert.True(t, pay.State.Final())
		assert.Equal(t, later, pay.FinishedAt)
		reopened := domain.ReopenInvoices(pay, invs, later)
		require.Len(t, reopened, 2)
		for _, inv := range reopened {
			assert.Equal(t, domain.InvoiceUnpaid, inv.State)
			assert.Equal(t, uuid.Nil, inv.PaymentID)
			assert.True(t, inv.PaidAt.IsZero())
		}
		changed, err := pay.Reject(later)
		require.NoError(t, err, "rejecting twice is harmless")
		assert.False(t, changed, "rejecting twice changes nothing")
	})
	t.Run("an invoice settled by something else stays settled", func(t *testing.T) {
		pay, invs := unconfirmedPaid(t)
		invs[1].PaymentID = uuid.New()
		reject(t, &pay, now)
		reopened := domain.ReopenInvoices(pay, invs, now)
		require.Len(t, reopened, 1)
		assert.Equal(t, invs[0].ID, reopened[0].ID)
	})
	t.Run("a confirmed payment cannot be rejected", func(t *testing.T) {
		pay, _ := unconfirmedPaid(t)
		_, err := pay.Confirm(now)
		require.NoError(t, err)
		_, err = pay.Reject(now)
		assert.Equal(t, domain.Conflict, domain.ErrorCode(err))
		assert.Contains(t, domain.ErrorMessage(err), "confirmé")
	})
	t.Run("an unpaid attempt cannot be rejected", func(t *testing.T) {
		for _, s := range []domain.PaymentState{domain.PaymentInProgress, domain.PaymentRefused, domain.PaymentExpired} {
			pay := domain.Payment{State: s}
			_, err := pay.Reject(now)
			assert.Equal(t, domain.Conflict, domain.ErrorCode(err), s)
		}
	})
	t.Run("a replayed unauthenticated callback does not undo a rejection", func(t *testing.T) {
		pay, _ := unconfirmedPaid(t)
		reject(t, &pay, now)
		changed, err := pay.Apply(domain.Report{Outcome: domain.OutcomePaid, Refdet: pay.Refdet, Amount: pay.Total, Code: "P"}, now)
		require.NoError(t, err)
		assert.False(t, changed)
		assert.Equal(t, domain.PaymentRejected, pay.State)
	})
	t.Run("a confirmed paid report still wins: the money was received", func(t *testing.T) {
		pay, _ := unconfirmedPaid(t)
		reject(t, &pay, now)
		changed, err := pay.Apply(domain.Report{Outcome: domain.OutcomePaid, Confirmed: true, Code: "P"}, now)
		require.NoError(t, err)
		assert.True(t, changed)
		assert.Equal(t, domain.PaymentPaid, pay.State)
		assert.True(t, pay.Confirmed)
	})
}

func TestFlagPayment(t *testing.T) {
	var p domain.Payment
	assert.True(t, p.Flag("Montant différent.", now))
	assert.False(t, p.Flag("Montant différent.", now), "the same note is not repeated")
	assert.True(t, p.Flag("Absent du relevé.", now))
	assert.Equal(t, "Montant différent. Absent du relevé.", p.Anomaly)
	assert.False(t, p.Flag("  ", now))
}

func TestDeclaredInvoiceReview(t *testing.T) {
	b := mustBiller(t)
	p := mustPayer(t, b)
	declaredAt := now.Add(-48 * time.Hour)
	declared := func() domain.Invoice {
		inv := mustInvoice(t, b, p, "2026-001", "12.00")
		require.NoError(t, inv.DeclarePaid(declaredAt))
		return inv
	}
	t.Run("confirmed: settled outside the portal on the day of the declaration", func(t *testing.T) {
		inv := declared()
		require.NoError(t, inv.ConfirmDeclared(now))
		assert.Equal(t, domain.InvoicePaid, inv.State)
		assert.Equal(t, uuid.Nil, inv.PaymentID)
		assert.Equal(t, declaredAt, inv.PaidAt)
		assert.False(t, inv.Declared())
		assert.Equal(t, declaredAt, inv.DeclaredPaidAt, "kept: it tells the channel")
		ch, ok := inv.Channel()
		assert.True(t, ok)
		assert.Equal(t, domain.ChannelDeclared, ch)
		assert.Equal(t, domain.TabPaid, inv.Tab())
	})
	t.Run("rejected: unpaid again", func(t *testing.T) {
		inv := declared()
		require.NoError(t, inv.RejectDeclared(now))
		assert.Equal(t, domain.InvoiceUnpaid, inv.State)
		assert.False(t, inv.Declared())
		assert.Equal(t, domain.TabUnpaid, inv.Tab())
	})
	t.Run("an invoice not declared is neither confirmed nor rejected", func(t *testing.T) {
		inv := mustInvoice(t, b, p, "2026-002", "12.00")
		assert.Equal(t, domain.Conflict, domain.ErrorCode(inv.ConfirmDeclared(now)))
		assert.Equal(t, domain.Conflict, domain.ErrorCode(inv.RejectDeclared(now)))
		assert.Equal(t, domain.InvoiceUnpaid, inv.State)
	})
}

// reject rejects pay at the given time and requires that it changed.
func reject(t *testing.T, pay *domain.Payment, at time.Time) {
	t.Helper()
	changed, err := pay.Reject(at)
	require.NoError(t, err)
	require.True(t, changed)
}
