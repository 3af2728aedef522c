package portstest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// scene is one record of every type, tied together.
type scene struct {
	biller  domain.Biller
	payer   domain.Payer
	account domain.Account
	token   domain.Token
	invoice domain.Invoice
	payment domain.Payment
	message domain.Message
}

func newScene(t *testing.T) scene {
	t.Helper()
	var sc scene
	sc.biller = NewBiller(t)
	sc.payer = NewPayer(t, sc.biller, "REF-001")
	sc.account = NewAccount(t, sc.payer)
	sc.token, _ = NewToken(t, sc.account, domain.TokenActivation)
	sc.invoice = NewInvoice(t, sc.payer, "2024-0001", "42.00")
	sc.payment = NewPayment(t, sc.biller, sc.account, sc.invoice)
	sc.message = NewMessage(t, sc.account, "Question", Epoch)
	return sc
}

// changed returns sc with every record changed, indexed fields included.
func (sc scene) changed(t *testing.T) scene {
	t.Helper()
	sc.biller.Name = "Régie modifiée"
	sc.biller.MultiplePayments = true
	sc.payer.ExternalRef += "-BIS"
	sc.payer.Email = "change@exemple.fr"
	sc.account.Email = "change@exemple.fr"
	sc.account.SetPassword("hash", Epoch)
	sc.token.Revoke(Epoch)
	sc.invoice.Number += "-BIS"
	_, err := sc.invoice.Settle(sc.payment.ID, Epoch, Epoch)
	require.NoError(t, err)
	require.NoError(t, sc.payment.Begin("op-scene", Epoch))
	sc.message.State, sc.message.HandledAt = domain.MessageHandled, Epoch
	return sc
}

func (sc scene) save(t *testing.T, tx ports.Tx) {
	t.Helper()
	MustSaveBiller(t, tx, sc.biller)
	MustSavePayer(t, tx, sc.payer)
	MustSaveAccount(t, tx, sc.account)
	MustSaveToken(t, tx, sc.token)
	MustSaveInvoices(t, tx, sc.invoice)
	MustSavePayment(t, tx, sc.payment)
	MustSaveMessage(t, tx, sc.message)
}

// assertStored checks that tx holds sc, by id and by every lookup.
func (sc scene) assertStored(t *testing.T, tx ports.Tx) {
	t.Helper()
	ctx := t.Context()
	check := func(what string, want, got any, err error) {
		t.Helper()
		if assert.NoError(t, err, what) {
			AssertSame(t, want, got, what)
		}
	}
	b, err := tx.Biller(ctx, sc.biller.ID)
	check("Biller", sc.biller, b, err)
	p, err := tx.PayerByRef(ctx, sc.biller.ID, sc.payer.ExternalRef)
	check("PayerByRef", sc.payer, p, err)
	p, err = tx.PayerByEmail(ctx, sc.biller.ID, sc.payer.Email)
	check("PayerByEmail", sc.payer, p, err)
	a, err := tx.AccountByEmail(ctx, sc.biller.ID, sc.account.Email)
	check("AccountByEmail", sc.account, a, err)
	a, err = tx.AccountByPayer(ctx, sc.payer.ID)
	check("AccountByPayer", sc.account, a, err)
	tok, err := tx.Token(ctx, sc.token.Hash)
	check("Token", sc.token, tok, err)
	inv, err := tx.InvoiceByNumber(ctx, sc.biller.ID, sc.invoice.Number)
	check("InvoiceByNumber", sc.invoice, inv, err)
	pay, err := tx.PaymentByRefdet(ctx, sc.payment.Refdet)
	check("PaymentByRefdet", sc.payment, pay, err)
	if sc.payment.OperationID != "" {
		pay, err = tx.PaymentByOperation(ctx, sc.payment.OperationID)
		check("PaymentByOperation", sc.payment, pay, err)
	}
	msgs, err := tx.Messages(ctx, sc.biller.ID, 10)
	if assert.NoError(t, err) && assert.Len(t, msgs, 1, "Messages") {
		AssertSame(t, sc.message, msgs[0], "Messages")
	}
}

// assertAbsent checks that tx holds none of sc's records or keys.
func (sc scene) assertAbsent(t *testing.T, tx ports.Tx) {
	t.Helper()
	ctx := t.Context()
	_, err := tx.Biller(ctx, sc.biller.ID)
	requireNotFound(t, err, "Biller")
	_, err = tx.Payer(ctx, sc.payer.ID)
	requireNotFound(t, err, "Payer")
	sc.assertKeysFree(t, tx)
	_, err = tx.Account(ctx, sc.account.ID)
	requireNotFound(t, err, "Account")
	_, err = tx.Token(ctx, sc.token.Hash)
	requireNotFound(t, err, "Token")
	_, err = tx.Invoice(ctx, sc.invoice.ID)
	requireNotFound(t, err, "Invoice")
	_, err = tx.Payment(ctx, sc.payment.ID)
	requireNotFound(t, err, "Payment")
	msgs, err := tx.Messages(ctx, sc.biller.ID, 10)
	require.NoError(t, err)
	assert.Empty(t, msgs, "Messages")
}

// assertKeysFree checks that no record of tx holds sc's unique keys.
func (sc scene) assertKeysFree(t *testing.T, tx ports.Tx) {
	t.Helper()
	ctx := t.Context()
	_, err := tx.PayerByRef(ctx, sc.biller.ID, sc.payer.ExternalRef)
	requireNotFound(t, err, "PayerByRef")
	_, err = tx.PayerByEmail(ctx, sc.biller.ID, sc.payer.Email)
	requireNotFound(t, err, "PayerByEmail")
	_, err = tx.AccountByEmail(ctx, sc.biller.ID, sc.account.Email)
	requireNotFound(t, err, "AccountByEmail")
	_, err = tx.InvoiceByNumber(ctx, sc.biller.ID, sc.invoice.Number)
	requireNotFound(t, err, "InvoiceByNumber")
	if sc.payment.OperationID != "" {
		_, err = tx.PaymentByOperation(ctx, sc.payment.OperationID)
		requireNotFound(t, err, "PaymentByOperation")
	}
}

var errAbort = errors.New("portstest: abort the transaction")

var atomicTests = []storeTest{
	{"Atomic applies every write when fn returns nil", func(t *testing.T, s ports.Store) {
		before := newScene(t)
		before.save(t, s)
		after, added := before.changed(t), newScene(t)
		inTx(t, s, func(tx ports.Tx) {
			after.save(t, tx)
			added.save(t, tx)
		})
		after.assertStored(t, s)
		added.assertStored(t, s)
		before.assertKeysFree(t, s)
		live, err := s.LivePayments(t.Context(), 10)
		require.NoError(t, err)
		assert.ElementsMatch(t, []uuid.UUID{after.payment.ID, added.payment.ID}, paymentIDs(live))
	}},
	{"Atomic undoes every insert and update when fn fails", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		before := newScene(t)
		before.save(t, s)
		after, added := before.changed(t), newScene(t)
		err := s.Atomic(ctx, func(tx ports.Tx) error {
			after.save(t, tx)
			added.save(t, tx)
			after.assertStored(t, tx) // a transaction reads its own writes
			added.assertStored(t, tx)
			return errAbort
		})
		require.ErrorIs(t, err, errAbort)
		before.assertStored(t, s)
		added.assertAbsent(t, s)
		after.assertKeysFree(t, s)

		open, err := s.OpenTokens(ctx, before.account.ID, domain.TokenActivation)
		require.NoError(t, err)
		assert.Len(t, open, 1, "the revoked token is open again")
		unpaid, _, err := s.ListInvoices(ctx, ports.InvoiceQuery{PayerID: before.payer.ID, Tab: domain.TabUnpaid, Limit: 10})
		require.NoError(t, err)
		assert.Equal(t, []uuid.UUID{before.invoice.ID}, invoiceIDs(unpaid), "the settled invoice is unpaid again")
		live, err := s.LivePayments(ctx, 10)
		require.NoError(t, err)
		assert.Equal(t, []uuid.UUID{before.payment.ID}, paymentIDs(live))

		// Nothing of the undone writes lingers: the same writes succeed now.
		inTx(t, s, func(tx ports.Tx) {
			after.save(t, tx)
			added.save(t, tx)
		})
		after.assertStored(t, s)
		added.assertStored(t, s)
	}},
	{"Atomic returns fn's error unchanged", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		err := s.Atomic(ctx, func(ports.Tx) error { return errAbort })
		assert.ErrorIs(t, err, errAbort)

		forbidden := &domain.Error{Code: domain.Forbidden, Message: "Interdit."}
		err = s.Atomic(ctx, func(ports.Tx) error { return fmt.Errorf("use case: %w", forbidden) })
		assert.ErrorIs(t, err, forbidden)
		assert.Equal(t, domain.Forbidden, domain.ErrorCode(err))
		assert.Equal(t, "Interdit.", domain.ErrorMessage(err))
	}},
	{"a store error returned by fn undoes the transaction's earlier writes", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, p := savePayer(t, s)
		other := NewPayer(t, b, "REF-002")
		MustSavePayer(t, s, other)
		inv := NewInvoice(t, p, "2024-0001", "10.00")
		MustSaveInvoices(t, s, inv)
		err := s.Atomic(ctx, func(tx ports.Tx) error {
			changed := inv
			changed.Object = "modifié"
			if err := tx.SaveInvoice(ctx, changed); err != nil {
				return err
			}
			other.ExternalRef = p.ExternalRef
			return tx.SavePayer(ctx, other)
		})
		requireConflict(t, err, "Atomic")
		got, err := s.Invoice(ctx, inv.ID)
		require.NoError(t, err)
		assert.Equal(t, inv.Object, got.Object)
	}},
	{"a panic in fn undoes the transaction and leaves the store usable", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		_, p := savePayer(t, s)
		inv := NewInvoice(t, p, "2024-0001", "10.00")
		MustSaveInvoices(t, s, inv)
		recovered := func() (r any) {
			defer func() { r = recover() }()
			_ = s.Atomic(ctx, func(tx ports.Tx) error {
				changed := inv
				changed.Object = "modifié"
				if err := tx.SaveInvoice(ctx, changed); err != nil {
					return err
				}
				panic("boom")
			})
			return nil
		}()
		assert.Equal(t, "boom", recovered, "Atomic lets the panic through")
		got, err := s.Invoice(ctx, inv.ID)
		require.NoError(t, err)
		assert.Equal(t, inv.Object, got.Object)
		inTx(t, s, func(tx ports.Tx) { MustSaveInvoices(t, tx, got) })
	}},
	{"writes are invisible outside a transaction that fails", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		_, p := savePayer(t, s)
		inv := NewInvoice(t, p, "2024-0001", "10.00")
		MustSaveInvoices(t, s, inv)
		var (
			once    sync.Once
			seen    domain.Invoice
			readErr error
			read    = make(chan struct{})
		)
		err := s.Atomic(ctx, func(tx ports.Tx) error {
			changed := inv
			changed.Object = "non validé"
			if err := tx.SaveInvoice(ctx, changed); err != nil {
				return err
			}
			// Read from outside while the write is pending. A store that
			// serialises may make the reader wait for the end: do not
			// wait for it for ever.
			once.Do(func() {
				go func() {
					defer close(read)
					seen, readErr = s.Invoice(ctx, inv.ID)
				}()
			})
			select {
			case <-read:
			case <-time.After(50 * time.Millisecond):
			}
			return errAbort
		})
		require.ErrorIs(t, err, errAbort)
		<-read
		require.NoError(t, readErr)
		assert.Equal(t, inv.Object, seen.Object, "a reader outside saw an uncommitted write")
	}},
}
