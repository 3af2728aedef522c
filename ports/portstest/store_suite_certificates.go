package portstest

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The yearly certificates' reads (ports.CertificateStore).

var certificateTests = []storeTest{
	{"PaidInvoices returns one payer's paid invoices of the window with their payments, by paid instant then number", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, p := savePayer(t, s)
		other := NewPayer(t, b, "REF-002")
		MustSavePayer(t, s, other)
		a := NewAccount(t, p)
		MustSaveAccount(t, s, a)
		from, to := domain.YearBounds(2024)
		paid := func(payer domain.Payer, number string, at time.Time, payment uuid.UUID) domain.Invoice {
			inv := NewInvoice(t, payer, number, "10.00")
			inv.State, inv.PaidAt, inv.PaymentID = domain.InvoicePaid, at, payment
			return inv
		}
		online := NewInvoice(t, p, "B-2", "25.50")
		MustSaveInvoices(t, s, online) // before its payment, which refers to it
		pay := NewPayment(t, b, a, online)
		pay.State, pay.Confirmed, pay.Method = domain.PaymentPaid, true, domain.MethodCard
		pay.TransactionAt = time.Date(2024, time.May, 2, 10, 0, 0, 0, domain.Paris)
		MustSavePayment(t, s, pay)
		online.State, online.PaidAt, online.PaymentID = domain.InvoicePaid, pay.TransactionAt, pay.ID
		recorded := paid(p, "A-1", time.Date(2024, time.May, 2, 10, 0, 0, 0, domain.Paris), uuid.Nil)
		first := paid(p, "C-3", from, uuid.Nil) // the window's first instant
		unpaid := NewInvoice(t, p, "D-4", "10.00")
		before := paid(p, "E-5", from.Add(-time.Microsecond), uuid.Nil)
		after := paid(p, "F-6", to, uuid.Nil)
		stranger := paid(other, "G-7", from.Add(time.Hour), uuid.Nil)
		MustSaveInvoices(t, s, online, recorded, first, unpaid, before, after, stranger)

		got, err := s.PaidInvoices(ctx, ports.PaidInvoiceQuery{BillerID: b.ID, PayerID: p.ID, From: from, To: to})
		require.NoError(t, err)
		require.Equal(t, []string{"C-3", "A-1", "B-2"}, paidNumbers(got))
		assert.Nil(t, got[0].Payment, "recorded by the service")
		require.NotNil(t, got[2].Payment)
		assert.Equal(t, pay.ID, got[2].Payment.ID)
		assert.True(t, pay.TransactionAt.Equal(got[2].Payment.TransactionAt))
		assert.True(t, got[2].Payment.Confirmed)

		got, err = s.PaidInvoices(ctx, ports.PaidInvoiceQuery{BillerID: b.ID, PayerID: p.ID, To: to})
		require.NoError(t, err)
		assert.Equal(t, []string{"E-5", "C-3", "A-1", "B-2"}, paidNumbers(got), "no lower bound")

		got, err = s.PaidInvoices(ctx, ports.PaidInvoiceQuery{BillerID: uuid.New(), PayerID: p.ID, From: from, To: to})
		require.NoError(t, err)
		assert.Empty(t, got, "another biller's")
	}},
	{"PaidInvoices walks every payer of the window in batches by payer id, after the key", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b := NewBiller(t)
		MustSaveBiller(t, s, b)
		from, to := domain.YearBounds(2024)
		var payers []domain.Payer
		for i := range 5 {
			p := NewPayer(t, b, fmt.Sprintf("REF-%d", i))
			MustSavePayer(t, s, p)
			payers = append(payers, p)
			for j := range 2 {
				inv := NewInvoice(t, p, fmt.Sprintf("F-%d-%d", i, j), "10.00")
				inv.State, inv.PaidAt = domain.InvoicePaid, from.Add(time.Duration(j+1)*time.Hour)
				if i == 2 {
					inv.PaidAt = to.Add(time.Hour) // paid only the next year: not in any batch
				}
				MustSaveInvoices(t, s, inv)
			}
		}
		otherBiller, stranger := savePayer(t, s)
		inv := NewInvoice(t, stranger, "X-1", "10.00")
		inv.State, inv.PaidAt = domain.InvoicePaid, from.Add(time.Hour)
		MustSaveInvoices(t, s, inv)
		require.NotEqual(t, b.ID, otherBiller.ID)

		var want []uuid.UUID
		for i, p := range payers {
			if i != 2 {
				want = append(want, p.ID)
			}
		}
		sortIDs(want)
		var seen []uuid.UUID
		after := uuid.Nil
		for batches := 0; ; batches++ {
			require.Less(t, batches, 5, "the walk ends")
			got, err := s.PaidInvoices(ctx, ports.PaidInvoiceQuery{BillerID: b.ID, From: from, To: to, AfterPayer: after, Payers: 3})
			require.NoError(t, err)
			if len(got) == 0 {
				break
			}
			batch := map[uuid.UUID]int{}
			for _, row := range got {
				batch[row.Invoice.PayerID]++
				if len(seen) == 0 || seen[len(seen)-1] != row.Invoice.PayerID {
					seen = append(seen, row.Invoice.PayerID)
				}
			}
			assert.LessOrEqual(t, len(batch), 3, "at most Payers payers a batch")
			for id, n := range batch {
				assert.Equal(t, 2, n, "every invoice of payer %s in its batch", id)
			}
			after = got[len(got)-1].Invoice.PayerID
		}
		assert.Equal(t, want, seen, "each payer once, by id")

		got, err := s.PaidInvoices(ctx, ports.PaidInvoiceQuery{BillerID: b.ID, From: from, To: to})
		require.NoError(t, err)
		assert.Len(t, got, 8, "no batch size: every payer")
	}},
}

func paidNumbers(rows []ports.PaidInvoice) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Invoice.Number
	}
	return out
}

func sortIDs(ids []uuid.UUID) {
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
}
