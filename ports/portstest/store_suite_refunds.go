package portstest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// refundOf returns the refund of pay's share of inv, recorded at
// Epoch+d, with the earlier settlement outside the portal.
func refundOf(pay domain.Payment, inv domain.Invoice, d time.Duration) domain.Refund {
	return domain.Refund{
		ID: domain.RefundID(pay.ID, inv.ID), BillerID: pay.BillerID, PayerID: pay.PayerID,
		InvoiceID: inv.ID, InvoiceNumber: inv.Number, Amount: inv.Amount,
		PaymentID: pay.ID, Refdet: pay.Refdet, CreatedAt: at(d),
	}
}

// fullRefund is a refund with every field set.
func fullRefund(tb testing.TB, pay, earlier domain.Payment, inv domain.Invoice) domain.Refund {
	tb.Helper()
	r := refundOf(pay, inv, time.Hour)
	r.Amount = decimal.RequireFromString("1234.56")
	r.OperationID = "op-double-1"
	r.Authorization = "NUMAUTO1"
	r.TransactionAt = at(50 * time.Minute)
	r.EarlierPaymentID = earlier.ID
	r.EarlierRefdet = earlier.Refdet
	r.EarlierPaidAt = at(-24 * time.Hour)
	r.RefundedAt = at(48 * time.Hour)
	r.RefundedBy = "Agnès Martin"
	r.CancelledAt = at(49 * time.Hour)
	r.CancelReason = "le paiement REFDET1 a été rejeté"
	requireFull(tb, r)
	return r
}

// twoPaymentsOfOneInvoice saves a payer's invoice and two payments of
// it through tx.
func twoPaymentsOfOneInvoice(t *testing.T, tx ports.Tx) (domain.Payment, domain.Payment, domain.Invoice) {
	t.Helper()
	b, a, invs := payerWithInvoices(t, tx, 1)
	first, second := NewPayment(t, b, a, invs...), NewPayment(t, b, a, invs...)
	MustSavePayment(t, tx, first)
	MustSavePayment(t, tx, second)
	return first, second, invs[0]
}

func mustSaveRefund(t *testing.T, tx ports.Tx, r domain.Refund) {
	t.Helper()
	require.NoError(t, tx.SaveRefund(t.Context(), r), "SaveRefund")
}

var refundTests = []storeTest{
	{"a saved refund reads back with every field by id, for update and by invoice, and a save replaces the whole record", func(t *testing.T, s ports.Store) {
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			ctx := t.Context()
			first, second, inv := twoPaymentsOfOneInvoice(t, tx)
			full := fullRefund(t, second, first, inv)
			mustSaveRefund(t, tx, full)
			got, err := tx.Refund(ctx, full.ID)
			require.NoError(t, err)
			AssertSame(t, full, got, "Refund")
			got, err = tx.RefundForUpdate(ctx, full.ID)
			require.NoError(t, err)
			AssertSame(t, full, got, "RefundForUpdate")
			list, err := tx.RefundsByInvoice(ctx, inv.ID)
			require.NoError(t, err)
			require.Len(t, list, 1)
			AssertSame(t, full, list[0], "RefundsByInvoice")

			sparse := refundOf(second, inv, time.Hour)
			mustSaveRefund(t, tx, sparse)
			got, err = tx.Refund(ctx, full.ID)
			require.NoError(t, err)
			AssertSame(t, sparse, got)
			assert.Equal(t, uuid.Nil, got.EarlierPaymentID, "paid first outside the portal")
			assert.True(t, got.RefundedAt.IsZero() && got.TransactionAt.IsZero() && got.EarlierPaidAt.IsZero() && got.CancelledAt.IsZero(), "zero instants come back zero")
			assert.Equal(t, domain.RefundPending, got.State())
		})
	}},
	{"a missing refund is NotFound, and an invoice without one has none", func(t *testing.T, s ports.Store) {
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			ctx := t.Context()
			_, err := tx.Refund(ctx, uuid.New())
			requireNotFound(t, err, "Refund")
			_, err = tx.RefundForUpdate(ctx, uuid.New())
			requireNotFound(t, err, "RefundForUpdate")
			list, err := tx.RefundsByInvoice(ctx, uuid.New())
			require.NoError(t, err)
			assert.Empty(t, list)
		})
	}},
	{"a second refund of the same payment and invoice is a Conflict", func(t *testing.T, s ports.Store) {
		_, second, inv := twoPaymentsOfOneInvoice(t, s)
		r := refundOf(second, inv, 0)
		mustSaveRefund(t, s, r)
		dup := r
		dup.ID = uuid.New()
		requireConflict(t, s.SaveRefund(t.Context(), dup), "SaveRefund of the same pair under another id")
		list, err := s.RefundsByInvoice(t.Context(), inv.ID)
		require.NoError(t, err)
		assert.Len(t, list, 1)
	}},
	{"a refund saved in a transaction that fails is not kept", func(t *testing.T, s ports.Store) {
		_, second, inv := twoPaymentsOfOneInvoice(t, s)
		r := refundOf(second, inv, 0)
		abort := errors.New("abort")
		err := s.Atomic(t.Context(), func(tx ports.Tx) error {
			mustSaveRefund(t, tx, r)
			return abort
		})
		require.ErrorIs(t, err, abort)
		_, err = s.Refund(t.Context(), r.ID)
		requireNotFound(t, err, "Refund after a rollback")
	}},
	{"Refunds lists one biller's refunds newest first, by state, page by page, with a bounded count", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, a, invs := payerWithInvoices(t, s, 5)
		var all []domain.Refund
		for i, inv := range invs {
			pay := NewPayment(t, b, a, inv)
			MustSavePayment(t, s, pay)
			r := refundOf(pay, inv, time.Duration(i)*time.Hour)
			switch {
			case i == 4:
				r.CancelledAt, r.CancelReason = at(100*time.Hour), "le paiement REFDET1 a été rejeté"
			case i%2 == 1:
				r.RefundedAt, r.RefundedBy = at(100*time.Hour), "Agnès Martin"
			}
			mustSaveRefund(t, s, r)
			all = append(all, r)
		}
		// Another biller's refund is never listed.
		_, other, inv := twoPaymentsOfOneInvoice(t, s)
		mustSaveRefund(t, s, refundOf(other, inv, 10*time.Hour))

		ids := func(rs []domain.Refund) []uuid.UUID {
			out := make([]uuid.UUID, len(rs))
			for i, r := range rs {
				out[i] = r.ID
			}
			return out
		}
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			list, total, err := tx.Refunds(ctx, ports.RefundQuery{BillerID: b.ID})
			require.NoError(t, err)
			assert.Equal(t, 5, total)
			assert.Equal(t, []uuid.UUID{all[4].ID, all[3].ID, all[2].ID, all[1].ID, all[0].ID}, ids(list), "newest first")

			list, total, err = tx.Refunds(ctx, ports.RefundQuery{BillerID: b.ID, State: domain.RefundPending})
			require.NoError(t, err)
			assert.Equal(t, 2, total)
			assert.Equal(t, []uuid.UUID{all[2].ID, all[0].ID}, ids(list), "to refund: neither refunded nor cancelled")

			list, total, err = tx.Refunds(ctx, ports.RefundQuery{BillerID: b.ID, State: domain.RefundRefunded})
			require.NoError(t, err)
			assert.Equal(t, 2, total)
			assert.Equal(t, []uuid.UUID{all[3].ID, all[1].ID}, ids(list), "refunded")
			AssertSame(t, all[3], list[0])

			list, total, err = tx.Refunds(ctx, ports.RefundQuery{BillerID: b.ID, State: domain.RefundCancelled})
			require.NoError(t, err)
			assert.Equal(t, 1, total)
			assert.Equal(t, []uuid.UUID{all[4].ID}, ids(list), "cancelled")
			AssertSame(t, all[4], list[0])

			list, total, err = tx.Refunds(ctx, ports.RefundQuery{BillerID: b.ID, Offset: 1, Limit: 2})
			require.NoError(t, err)
			assert.Equal(t, 5, total)
			assert.Equal(t, []uuid.UUID{all[3].ID, all[2].ID}, ids(list), "second page")

			_, total, err = tx.Refunds(ctx, ports.RefundQuery{BillerID: b.ID, Limit: 1, CountUpTo: 3})
			require.NoError(t, err)
			assert.Equal(t, 3, total, "the count stops at CountUpTo")

			list, total, err = tx.Refunds(ctx, ports.RefundQuery{BillerID: uuid.New()})
			require.NoError(t, err)
			assert.Zero(t, total)
			assert.Empty(t, list)
		})
	}},
}
