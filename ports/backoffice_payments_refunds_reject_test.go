package ports_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// urlPaid lets the legacy URL mode's unauthenticated callback say op was
// paid: the payment is paid, not confirmed.
func (e *env) urlPaid(t *testing.T, op string) domain.Payment {
	t.Helper()
	pay, err := e.store.PaymentByOperation(e.ctx, op)
	require.NoError(t, err)
	e.gateway.SetReport(op, domain.Report{Outcome: domain.OutcomePaid, Refdet: pay.Refdet, Amount: pay.Total,
		Numcli: pay.Numcli, Method: domain.MethodCard, Authorization: "AUT-" + op, Code: "P",
		TransactionAt: e.clock.Now().Add(-time.Minute)})
	got, err := e.portal.Jobs().HandleNotification(e.ctx, notify(op))
	require.NoError(t, err)
	require.True(t, got.Unconfirmed())
	return got
}

// The scenario of a first payment rejected while a second one waits to
// be refunded, in the legacy URL mode (no status query): attempt B is
// still at the DGFiP when its hold on invoice F ends, so the payer starts
// attempt A; A's unauthenticated "paid" settles F (awaiting
// confirmation), then B's arrives too (F already settled: noted, not yet
// a refund). The service finds B's money and confirms it: B is a double
// payment to refund. Then it finds no money for A and rejects it. F must
// not reopen, since B's money did come: F is settled by B and B's refund
// is cancelled.
func TestRejectingAPaymentSettlesByTheDoublePaymentToRefund(t *testing.T) {
	e := newEnv(t)
	ids := e.invoiceIDs(1)
	_, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, ids)
	require.NoError(t, err)
	e.advance(domain.DefaultLockDuration + time.Minute) // B's hold ended; no reconciler pass yet
	_, _, err = e.portal.Citizens().StartPayment(e.ctx, e.citizen, ids)
	require.NoError(t, err, "F is free again: a new attempt may start")
	a := e.urlPaid(t, "op-2")
	require.True(t, e.invoice(t, ids[0]).AwaitingConfirmation)
	e.advance(time.Minute)
	b := e.urlPaid(t, "op-1")
	assert.Equal(t, a.ID, e.invoice(t, ids[0]).PaymentID)
	require.NoError(t, e.portal.BackOfficePayments().ConfirmPayment(e.ctx, e.manager(), b.ID))
	b = e.payment(t, b.ID)
	inv := e.invoice(t, ids[0])
	r := e.onlyRefund(t, b, inv)
	assert.Equal(t, a.ID, r.EarlierPaymentID)
	e.checkCitizenSees(t, r)

	e.advance(time.Hour)
	e.mails.Reset()
	require.NoError(t, e.portal.BackOfficePayments().RejectPayment(e.ctx, e.manager(), a.ID))

	inv = e.checkPaidOnce(t, ids[0], b.ID)
	assert.False(t, inv.AwaitingConfirmation, "B is confirmed: money received")
	assert.True(t, b.TransactionAt.Equal(inv.PaidAt), "paid when B was")
	assert.Equal(t, domain.PaymentRejected, e.payment(t, a.ID).State)

	pending, err := e.portal.BackOfficePayments().Refunds(e.ctx, e.manager(), ports.RefundQuery{State: domain.RefundPending})
	require.NoError(t, err)
	assert.Zero(t, pending.Total, "nothing is owed to the payer any more")
	cancelled, err := e.portal.BackOfficePayments().Refunds(e.ctx, e.manager(), ports.RefundQuery{State: domain.RefundCancelled})
	require.NoError(t, err)
	require.Equal(t, 1, cancelled.Total, "the refund stays listed, cancelled")
	got := cancelled.Rows[0].Refund
	assert.Equal(t, r.ID, got.ID)
	assert.Equal(t, domain.RefundCancelled, got.State())
	assert.Equal(t, "Annulé", got.State().Label())
	assert.True(t, e.clock.Now().Equal(got.CancelledAt))
	assert.Contains(t, got.CancelReason, a.Refdet)
	_, err = e.portal.BackOfficePayments().MarkRefunded(e.ctx, e.manager(), r.ID)
	assert.Equal(t, domain.Conflict, domain.ErrorCode(err), "a cancelled refund cannot be marked refunded")

	d, err := e.portal.Citizens().Invoice(e.ctx, e.citizen, ids[0])
	require.NoError(t, err)
	assert.Empty(t, d.Refunds, "the citizen is no longer told a refund will come")
	assert.Equal(t, "Réglée", d.Invoice.StatusText(e.clock.Now()))

	tlA := details(e.timeline(t, a.ID))
	assert.Contains(t, tlA[len(tlA)-1], "facture 2025-000001 réglée par le paiement "+b.Refdet)
	tlB := details(e.timeline(t, b.ID))
	assert.Contains(t, tlB[len(tlB)-1], "règle désormais la facture 2025-000001")
	assert.Contains(t, tlB[len(tlB)-1], "plus à rembourser")
	audits := e.audits(t, domain.AuditRefundCancelled)
	require.Len(t, audits, 1)
	assert.Equal(t, "2025-000001", audits[0].Target)
	assert.Contains(t, audits[0].Detail, b.Refdet)

	mails := e.mails.To(a.Email)
	require.Len(t, mails, 1)
	assert.NotContains(t, mails[0].Text, "est donc de nouveau à régler", "no invoice is to pay again")
	for _, body := range []string{mails[0].Text, mails[0].HTML} {
		assert.Contains(t, body, "La facture 2025-000001 reste réglée par votre autre paiement en ligne de 10,01\u00a0€ (référence du paiement : "+b.Refdet+")")
		assert.Contains(t, body, "ne vous sera donc pas remboursé")
	}
	sel, err := e.portal.Citizens().PayableInvoices(e.ctx, e.citizen)
	require.NoError(t, err)
	assert.Len(t, sel.Invoices, 2, "F cannot be paid a third time")

	// Rejecting again changes nothing.
	require.NoError(t, e.portal.BackOfficePayments().RejectPayment(e.ctx, e.manager(), a.ID))
	assert.Len(t, e.audits(t, domain.AuditRefundCancelled), 1)
}

// A refund already made is not undone: the payer got B's money back, so
// rejecting A reopens F as before.
func TestRejectingAPaymentAfterTheRefundReopens(t *testing.T) {
	e := newEnv(t)
	ids := e.invoiceIDs(1)
	_, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, ids)
	require.NoError(t, err)
	e.advance(domain.DefaultLockDuration + time.Minute)
	_, _, err = e.portal.Citizens().StartPayment(e.ctx, e.citizen, ids)
	require.NoError(t, err)
	a := e.urlPaid(t, "op-2")
	b := e.urlPaid(t, "op-1")
	require.NoError(t, e.portal.BackOfficePayments().ConfirmPayment(e.ctx, e.manager(), b.ID))
	r := e.onlyRefund(t, e.payment(t, b.ID), e.invoice(t, ids[0]))
	_, err = e.portal.BackOfficePayments().MarkRefunded(e.ctx, e.manager(), r.ID)
	require.NoError(t, err)

	require.NoError(t, e.portal.BackOfficePayments().RejectPayment(e.ctx, e.manager(), a.ID))
	inv := e.invoice(t, ids[0])
	assert.Equal(t, domain.InvoiceUnpaid, inv.State, "B's money went back to the payer")
	got, err := e.store.Refund(e.ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, domain.RefundRefunded, got.State())
}
