package portstest

import (
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

var copyTests = []storeTest{
	{"a saved payment is copied: changing the caller's value afterwards changes nothing stored", func(t *testing.T, s ports.Store) {
		b, a, invs := payerWithInvoices(t, s, 2)
		p := NewPayment(t, b, a, invs...)
		want := p
		want.InvoiceIDs, want.InvoiceNumbers = slices.Clone(p.InvoiceIDs), slices.Clone(p.InvoiceNumbers)
		MustSavePayment(t, s, p)
		p.InvoiceIDs[0], p.InvoiceNumbers[0] = uuid.New(), "changé"
		got, err := s.Payment(t.Context(), p.ID)
		require.NoError(t, err)
		AssertSame(t, want, got)
	}},
	{"a returned payment is a copy: changing it changes nothing stored", func(t *testing.T, s ports.Store) {
		b, a, invs := payerWithInvoices(t, s, 2)
		p := NewPayment(t, b, a, invs...)
		require.NoError(t, p.Begin("op-1", Epoch))
		MustSavePayment(t, s, p)
		reads := map[string]func(tx ports.Tx) (domain.Payment, error){
			"Payment":            func(tx ports.Tx) (domain.Payment, error) { return tx.Payment(t.Context(), p.ID) },
			"PaymentForUpdate":   func(tx ports.Tx) (domain.Payment, error) { return tx.PaymentForUpdate(t.Context(), p.ID) },
			"PaymentByRefdet":    func(tx ports.Tx) (domain.Payment, error) { return tx.PaymentByRefdet(t.Context(), p.Refdet) },
			"PaymentByOperation": func(tx ports.Tx) (domain.Payment, error) { return tx.PaymentByOperation(t.Context(), "op-1") },
			"LivePayments": func(tx ports.Tx) (domain.Payment, error) {
				live, err := tx.LivePayments(t.Context(), 10)
				if err != nil || len(live) != 1 {
					return domain.Payment{}, errors.Join(err, errors.New("want one live payment"))
				}
				return live[0], nil
			},
		}
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			for name, read := range reads {
				got, err := read(tx)
				require.NoError(t, err, name)
				got.InvoiceIDs[0], got.InvoiceNumbers[1] = uuid.New(), "changé"
				got.InvoiceIDs = append(got.InvoiceIDs[:1], uuid.New())
				again, err := tx.Payment(t.Context(), p.ID)
				require.NoError(t, err)
				AssertSame(t, p, again, "after changing the result of %s", name)
			}
		})
	}},
	{"returned lists are copies: changing them changes nothing stored", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, a, invs := payerWithInvoices(t, s, 2)
		tok, _ := NewToken(t, a, domain.TokenActivation)
		MustSaveToken(t, s, tok)
		msg := NewMessage(t, a, "Question", Epoch)
		MustSaveMessage(t, s, msg)
		q := ports.InvoiceQuery{PayerID: a.PayerID, Tab: domain.TabUnpaid, Limit: 10}
		far := domain.NewDate(2100, time.January, 1)
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			list, _, err := tx.ListInvoices(ctx, q)
			require.NoError(t, err)
			list[0].Number, list[1].Amount = "changé", list[1].Amount.Add(list[1].Amount)
			due, err := tx.InvoicesDueBefore(ctx, b.ID, far, 10)
			require.NoError(t, err)
			due[0].State = domain.InvoiceTreasury
			locked, err := tx.InvoicesForUpdate(ctx, []uuid.UUID{invs[0].ID})
			require.NoError(t, err)
			locked[0].Object = "changé"
			billers, err := tx.Billers(ctx)
			require.NoError(t, err)
			billers[0].Name = "changé"
			open, err := tx.OpenTokens(ctx, a.ID, domain.TokenActivation)
			require.NoError(t, err)
			open[0].RevokedAt = Epoch
			msgs, err := tx.Messages(ctx, b.ID, 10)
			require.NoError(t, err)
			msgs[0].Subject = "changé"

			for _, inv := range invs {
				got, err := tx.Invoice(ctx, inv.ID)
				require.NoError(t, err)
				AssertSame(t, inv, got)
			}
			list, _, err = tx.ListInvoices(ctx, q)
			require.NoError(t, err)
			for _, got := range list {
				assert.NotEqual(t, "changé", got.Number)
			}
			got, err := tx.Biller(ctx, b.ID)
			require.NoError(t, err)
			AssertSame(t, b, got)
			open, err = tx.OpenTokens(ctx, a.ID, domain.TokenActivation)
			require.NoError(t, err)
			assert.Len(t, open, 1)
			msgs, err = tx.Messages(ctx, b.ID, 10)
			require.NoError(t, err)
			AssertSame(t, msg, msgs[0])
		})
	}},
}

const goroutines = 16

var concurrencyTests = []storeTest{
	{"only one of concurrent transactions locks an invoice read for update", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, a, invs := payerWithInvoices(t, s, 1)
		inv := invs[0]
		payments := make([]domain.Payment, goroutines)
		for i := range payments {
			payments[i] = NewPayment(t, b, a, inv)
			MustSavePayment(t, s, payments[i])
		}
		errTaken := errors.New("the invoice is already locked")
		results := make([]error, goroutines)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range goroutines {
			wg.Go(func() {
				<-start
				results[i] = s.Atomic(ctx, func(tx ports.Tx) error {
					got, err := tx.InvoicesForUpdate(ctx, []uuid.UUID{inv.ID})
					if err != nil {
						return err
					}
					if got[0].LockedBy != uuid.Nil {
						return errTaken
					}
					got[0].Lock(payments[i].ID, Epoch.Add(time.Hour))
					return tx.SaveInvoice(ctx, got[0])
				})
			})
		}
		close(start)
		wg.Wait()

		winner := -1
		for i, err := range results {
			switch {
			case err == nil:
				assert.Equal(t, -1, winner, "transactions %d and %d both locked the invoice", winner, i)
				winner = i
			case !errors.Is(err, errTaken):
				t.Errorf("transaction %d: unexpected error %v", i, err)
			}
		}
		require.NotEqual(t, -1, winner, "no transaction locked the invoice")
		got, err := s.Invoice(ctx, inv.ID)
		require.NoError(t, err)
		assert.Equal(t, payments[winner].ID, got.LockedBy, "the lock is the winner's")
	}},
	{"concurrent updates of an invoice read for update are not lost", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		_, _, invs := payerWithInvoices(t, s, 1)
		id := invs[0].ID
		increments(t, func() error {
			return s.Atomic(ctx, func(tx ports.Tx) error {
				got, err := tx.InvoicesForUpdate(ctx, []uuid.UUID{id})
				if err != nil {
					return err
				}
				inv := got[0]
				n, _ := strconv.Atoi(inv.Object)
				inv.Object = strconv.Itoa(n + 1)
				return tx.SaveInvoice(ctx, inv)
			})
		})
		got, err := s.Invoice(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, strconv.Itoa(goroutines*5), got.Object)
	}},
	{"concurrent updates of a payer read for update are not lost", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		_, a, _ := payerWithInvoices(t, s, 1)
		increments(t, func() error {
			return s.Atomic(ctx, func(tx ports.Tx) error {
				got, err := tx.PayerForUpdate(ctx, a.PayerID)
				if err != nil {
					return err
				}
				n, _ := strconv.Atoi(got.Name)
				got.Name = strconv.Itoa(n + 1)
				return tx.SavePayer(ctx, got)
			})
		})
		got, err := s.Payer(ctx, a.PayerID)
		require.NoError(t, err)
		assert.Equal(t, strconv.Itoa(goroutines*5), got.Name)
	}},
	{"concurrent updates of a biller read for update are not lost", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, _, _ := payerWithInvoices(t, s, 1)
		increments(t, func() error {
			return s.Atomic(ctx, func(tx ports.Tx) error {
				got, err := tx.BillerForUpdate(ctx, b.ID)
				if err != nil {
					return err
				}
				got.TreasuryDelayDays++
				return tx.SaveBiller(ctx, got)
			})
		})
		got, err := s.Biller(ctx, b.ID)
		require.NoError(t, err)
		assert.Equal(t, b.TreasuryDelayDays+goroutines*5, got.TreasuryDelayDays)
	}},
	{"reading for update a missing payer or biller is NotFound", func(t *testing.T, s ports.Store) {
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			_, err := tx.PayerForUpdate(t.Context(), uuid.New())
			assert.Equal(t, domain.NotFound, domain.ErrorCode(err))
			_, err = tx.BillerForUpdate(t.Context(), uuid.New())
			assert.Equal(t, domain.NotFound, domain.ErrorCode(err))
		})
	}},
	{"concurrent updates of a payment read for update are not lost", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, a, invs := payerWithInvoices(t, s, 1)
		p := NewPayment(t, b, a, invs...)
		MustSavePayment(t, s, p)
		increments(t, func() error {
			return s.Atomic(ctx, func(tx ports.Tx) error {
				got, err := tx.PaymentForUpdate(ctx, p.ID)
				if err != nil {
					return err
				}
				n, _ := strconv.Atoi(got.LastCode)
				got.LastCode = strconv.Itoa(n + 1)
				return tx.SavePayment(ctx, got)
			})
		})
		got, err := s.Payment(ctx, p.ID)
		require.NoError(t, err)
		assert.Equal(t, strconv.Itoa(goroutines*5), got.LastCode)
	}},
}

// increments runs inc five times in each of many goroutines at once.
func increments(t *testing.T, inc func() error) {
	t.Helper()
	start := make(chan struct{})
	errs := make(chan error, goroutines*5)
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			<-start
			for range 5 {
				if err := inc(); err != nil {
					errs <- err
				}
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("increment: %v", err)
	}
}
