package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
)

// settle does what the use case does with a paid attempt: the refunds of
// its invoices as they stood, then their settlement.
func settle(p *domain.Payment, invs []domain.Invoice, now time.Time) ([]domain.Invoice, []domain.Refund) {
	refunds := domain.DoublePayments(*p, invs, now)
	return domain.SettleInvoices(p, invs, now), refunds
}

// paidAttempt returns an attempt on invs, paid at the DGFiP.
func paidAttempt(t *testing.T, b domain.Biller, p domain.Payer, refdet string, invs ...domain.Invoice) domain.Payment {
	t.Helper()
	pay, err := domain.NewPayment(uuid.New(), refdet, b, p, activeAccount(p), invs, now)
	require.NoError(t, err)
	require.NoError(t, pay.Begin("op-"+refdet, now))
	_, err = pay.Apply(domain.Report{Outcome: domain.OutcomePaid, Method: domain.MethodCard, Authorization: "NA" + refdet[:4],
		TransactionAt: now.Add(time.Minute), Confirmed: true, Code: "P"}, now.Add(2*time.Minute))
	require.NoError(t, err)
	return pay
}

func TestSettleTellsWhoPaidBefore(t *testing.T) {
	b := mustBiller(t)
	p := mustPayer(t, b)
	inv := mustInvoice(t, b, p, "2026-001", "12.00")
	first := uuid.New()
	_, err := inv.Settle(first, now, now)
	require.NoError(t, err)
	_, err = inv.Settle(uuid.New(), now.Add(time.Hour), now.Add(time.Hour))
	assert.Equal(t, domain.Conflict, domain.ErrorCode(err))
	var before *domain.SettledBefore
	require.True(t, errors.As(err, &before))
	assert.Equal(t, first, before.PaymentID)
	assert.True(t, now.Equal(before.PaidAt))
	assert.Equal(t, "La facture 2026-001 était déjà réglée par un autre paiement.", domain.ErrorMessage(err))
}

func TestASecondPaymentOfOneInvoiceIsToRefundWhole(t *testing.T) {
	b := mustBiller(t)
	p := mustPayer(t, b)
	inv := mustInvoice(t, b, p, "2026-001", "12.00")
	first := paidAttempt(t, b, p, "FIRST1234567", inv)
	settled, refunds := settle(&first, []domain.Invoice{inv}, now.Add(2*time.Minute))
	require.Len(t, settled, 1)
	assert.Empty(t, refunds)
	inv = settled[0]

	second := paidAttempt(t, b, p, "SECOND123456", mustInvoice(t, b, p, "2026-009", "12.00"))
	second.InvoiceIDs, second.InvoiceNumbers = []uuid.UUID{inv.ID}, []string{inv.Number}
	later := now.Add(3 * time.Hour)
	changed, refunds := settle(&second, []domain.Invoice{inv}, later)
	assert.Empty(t, changed, "the invoice stays paid once, by the first payment")
	require.Len(t, refunds, 1)
	r := refunds[0]
	assert.Equal(t, domain.RefundID(second.ID, inv.ID), r.ID)
	assert.Equal(t, b.ID, r.BillerID)
	assert.Equal(t, p.ID, r.PayerID)
	assert.Equal(t, inv.ID, r.InvoiceID)
	assert.Equal(t, "2026-001", r.InvoiceNumber)
	assert.True(t, second.Total.Equal(r.Amount))
	assert.Equal(t, second.ID, r.PaymentID)
	assert.Equal(t, "SECOND123456", r.Refdet)
	assert.Equal(t, "op-SECOND123456", r.OperationID)
	assert.Equal(t, "NASECO", r.Authorization)
	assert.True(t, now.Add(time.Minute).Equal(r.TransactionAt))
	assert.Equal(t, first.ID, r.EarlierPaymentID)
	assert.True(t, r.EarlierOnline())
	assert.True(t, now.Add(time.Minute).Equal(r.EarlierPaidAt), "paid first at the first attempt's transaction time")
	assert.True(t, later.Equal(r.CreatedAt))
	assert.Equal(t, domain.RefundPending, r.State())
	assert.Contains(t, second.Anomaly, "12,00\u00a0€ à rembourser")

	// The same "paid" applied again notes nothing twice and gives the same refund.
	anomaly := second.Anomaly
	_, again := settle(&second, []domain.Invoice{inv}, later.Add(time.Minute))
	require.Len(t, again, 1)
	assert.Equal(t, r.ID, again[0].ID, "one refund per payment and invoice")
	assert.Equal(t, anomaly, second.Anomaly)
}

func TestOnlyTheAlreadyPaidInvoicesShareIsToRefund(t *testing.T) {
	b := mustBiller(t)
	p := mustPayer(t, b)
	a := mustInvoice(t, b, p, "2026-001", "12.00")
	c := mustInvoice(t, b, p, "2026-002", "30.50")
	_, err := a.Settle(uuid.Nil, now, now) // paid at the counter
	require.NoError(t, err)
	pay := paidAttempt(t, b, p, "BOTH12345678", mustInvoice(t, b, p, "x1", "12.00"), mustInvoice(t, b, p, "x2", "30.50"))
	pay.InvoiceIDs, pay.InvoiceNumbers = []uuid.UUID{a.ID, c.ID}, []string{a.Number, c.Number}
	changed, refunds := settle(&pay, []domain.Invoice{a, c}, now.Add(time.Hour))
	require.Len(t, changed, 1)
	assert.Equal(t, c.ID, changed[0].ID)
	require.Len(t, refunds, 1)
	assert.Equal(t, "12", refunds[0].Amount.String(), "only the already paid invoice's share, not the 42,50 € paid")
	assert.False(t, refunds[0].EarlierOnline())
	assert.Contains(t, refunds[0].EarlierLabel(), "hors du portail")
}

func TestMarkRefundedOnce(t *testing.T) {
	r := domain.Refund{InvoiceNumber: "2026-001"}
	require.NoError(t, r.MarkRefunded("Agnès Martin", now))
	assert.Equal(t, domain.RefundRefunded, r.State())
	assert.Equal(t, "Agnès Martin", r.RefundedBy)
	err := r.MarkRefunded("Paul Durand", now.Add(time.Hour))
	assert.Equal(t, domain.Conflict, domain.ErrorCode(err))
	assert.Contains(t, domain.ErrorMessage(err), "déjà été marqué comme remboursé")
	assert.Contains(t, domain.ErrorMessage(err), "Agnès Martin")
	assert.Equal(t, "Agnès Martin", r.RefundedBy, "the first mark stays")
	assert.True(t, now.Equal(r.RefundedAt))
}

func TestAnUnconfirmedPaymentGetsItsRefundOnlyOnceConfirmed(t *testing.T) {
	b := mustBiller(t)
	p := mustPayer(t, b)
	inv := mustInvoice(t, b, p, "2026-001", "12.00")
	_, err := inv.Settle(uuid.Nil, now, now) // paid at the counter
	require.NoError(t, err)
	pay, err := domain.NewPayment(uuid.New(), "URLMODE12345", b, p, activeAccount(p), []domain.Invoice{mustInvoice(t, b, p, "x", "12.00")}, now)
	require.NoError(t, err)
	pay.InvoiceIDs, pay.InvoiceNumbers = []uuid.UUID{inv.ID}, []string{inv.Number}
	// A "paid" known only from the legacy URL mode's callback, which anyone can forge.
	_, err = pay.Apply(domain.Report{Outcome: domain.OutcomePaid, Code: "P"}, now)
	require.NoError(t, err)
	require.True(t, pay.Unconfirmed())
	_, refunds := settle(&pay, []domain.Invoice{inv}, now)
	assert.Empty(t, refunds, "nobody is told to refund money that may never have come")
	assert.Contains(t, pay.Anomaly, "si ce paiement est confirmé")
	assert.Empty(t, domain.DoublePayments(pay, []domain.Invoice{inv}, now))

	changed, err := pay.Confirm(now.Add(time.Hour))
	require.NoError(t, err)
	require.True(t, changed)
	refunds = domain.DoublePayments(pay, []domain.Invoice{inv}, now.Add(time.Hour))
	require.Len(t, refunds, 1)
	assert.Equal(t, domain.RefundID(pay.ID, inv.ID), refunds[0].ID)
	assert.False(t, refunds[0].EarlierOnline())
	assert.True(t, inv.Amount.Equal(refunds[0].Amount))

	other := mustInvoice(t, b, p, "2026-002", "5.00")
	_, err = other.Settle(uuid.New(), now, now)
	require.NoError(t, err)
	assert.Empty(t, domain.DoublePayments(pay, []domain.Invoice{other}, now), "only the payment's own invoices")
}

// unconfirmedAttempt returns an attempt on invs, paid on the word of the
// legacy URL mode's unauthenticated callback.
func unconfirmedAttempt(t *testing.T, b domain.Biller, p domain.Payer, refdet string, invs ...domain.Invoice) domain.Payment {
	t.Helper()
	pay, err := domain.NewPayment(uuid.New(), refdet, b, p, activeAccount(p), invs, now)
	require.NoError(t, err)
	require.NoError(t, pay.Begin("op-"+refdet, now))
	_, err = pay.Apply(domain.Report{Outcome: domain.OutcomePaid, Method: domain.MethodCard, TransactionAt: now.Add(time.Minute), Code: "P"}, now.Add(2*time.Minute))
	require.NoError(t, err)
	require.True(t, pay.Unconfirmed())
	return pay
}

func TestRejectingTheFirstSettlementLetsAConfirmedDoublePaymentSettle(t *testing.T) {
	b := mustBiller(t)
	p := mustPayer(t, b)
	fresh := mustInvoice(t, b, p, "2026-001", "12.00")
	later := now.Add(time.Hour)
	second := paidAttempt(t, b, p, "SECOND123456", fresh)
	third := paidAttempt(t, b, p, "THIRD1234567", fresh)
	first := unconfirmedAttempt(t, b, p, "FIRST1234567", fresh)
	settled, refunds := settle(&first, []domain.Invoice{fresh}, now)
	require.Len(t, settled, 1)
	require.Empty(t, refunds, "an unconfirmed payment settles first")
	inv := settled[0]
	var owed []domain.Refund
	for _, pay := range []*domain.Payment{&second, &third} {
		_, rs := settle(pay, []domain.Invoice{inv}, now)
		require.Len(t, rs, 1)
		owed = append(owed, rs[0])
	}
	reject(t, &first, later)

	t.Run("the oldest refund still to do settles it and is cancelled", func(t *testing.T) {
		r, ok := domain.RejectionSettler(first, inv, owed)
		require.True(t, ok)
		assert.Equal(t, second.ID, r.PaymentID)
		got := domain.UndoRejected(first, []domain.Invoice{inv}, map[uuid.UUID][]domain.Refund{inv.ID: owed}, later)
		assert.Empty(t, got.Reopened)
		require.Len(t, got.Resettled, 1)
		res := got.Resettled[0]
		assert.Equal(t, domain.InvoicePaid, res.State)
		assert.Equal(t, second.ID, res.PaymentID)
		assert.True(t, second.TransactionAt.Equal(res.PaidAt))
		assert.False(t, res.AwaitingConfirmation)
		require.Len(t, got.Cancelled, 1)
		c := got.Cancelled[0]
		assert.Equal(t, owed[0].ID, c.ID)
		assert.Equal(t, domain.RefundCancelled, c.State())
		assert.True(t, later.Equal(c.CancelledAt))
		assert.Contains(t, c.CancelReason, "le paiement FIRST1234567, qui avait réglé la facture 2026-001, a été rejeté")
		require.Len(t, got.Repointed, 1, "the third payment is still owed, after the second")
		rp := got.Repointed[0]
		assert.Equal(t, owed[1].ID, rp.ID)
		assert.Equal(t, domain.RefundPending, rp.State())
		assert.Equal(t, second.ID, rp.EarlierPaymentID)
		assert.Equal(t, second.Refdet, rp.EarlierRefdet)
	})
	t.Run("a refund already made does not count", func(t *testing.T) {
		done := append([]domain.Refund(nil), owed...)
		require.NoError(t, done[0].MarkRefunded("Agnès", later))
		got := domain.UndoRejected(first, []domain.Invoice{inv}, map[uuid.UUID][]domain.Refund{inv.ID: done}, later)
		require.Len(t, got.Resettled, 1)
		assert.Equal(t, third.ID, got.Resettled[0].PaymentID)
		require.NoError(t, done[1].MarkRefunded("Agnès", later))
		got = domain.UndoRejected(first, []domain.Invoice{inv}, map[uuid.UUID][]domain.Refund{inv.ID: done}, later)
		require.Len(t, got.Reopened, 1, "every extra payment went back to the payer")
		assert.Equal(t, domain.InvoiceUnpaid, got.Reopened[0].State)
		assert.Empty(t, got.Resettled)
		_, ok := domain.RejectionSettler(first, inv, done)
		assert.False(t, ok)
	})
	t.Run("without refunds the invoice reopens", func(t *testing.T) {
		got := domain.UndoRejected(first, []domain.Invoice{inv}, nil, later)
		require.Len(t, got.Reopened, 1)
		assert.Equal(t, domain.InvoiceUnpaid, got.Reopened[0].State)
	})
}

func TestACancelledRefundIsNoLongerOwed(t *testing.T) {
	r := domain.Refund{InvoiceNumber: "2026-001"}
	assert.True(t, r.Pending())
	changed, err := r.Cancel("le paiement A a été rejeté", now)
	require.NoError(t, err)
	assert.True(t, changed)
	assert.Equal(t, domain.RefundCancelled, r.State())
	assert.Equal(t, "Annulé", r.State().Label())
	assert.True(t, domain.RefundCancelled.Valid())
	changed, err = r.Cancel("again", now.Add(time.Hour))
	require.NoError(t, err)
	assert.False(t, changed, "twice changes nothing")
	assert.Equal(t, "le paiement A a été rejeté", r.CancelReason)
	err = r.MarkRefunded("Agnès", now)
	assert.Equal(t, domain.Conflict, domain.ErrorCode(err))
	assert.Contains(t, domain.ErrorMessage(err), "n'est plus à rembourser")

	done := domain.Refund{InvoiceNumber: "2026-002"}
	require.NoError(t, done.MarkRefunded("Agnès", now))
	_, err = done.Cancel("too late", now)
	assert.Equal(t, domain.Conflict, domain.ErrorCode(err), "money sent back cannot be un-sent")
}
