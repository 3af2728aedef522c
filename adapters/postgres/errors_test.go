package postgres_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/postgres"
	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

// seedPayer saves a biller and a payer of it.
func seedPayer(t *testing.T, db *postgres.DB) (domain.Biller, domain.Payer) {
	t.Helper()
	b := portstest.NewBiller(t)
	portstest.MustSaveBiller(t, db, b)
	p := portstest.NewPayer(t, b, "REF-001")
	portstest.MustSavePayer(t, db, p)
	return b, p
}

func TestErrorsAreMappedBySQLState(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := t.Context()
	b, p := seedPayer(t, db)
	inv := portstest.NewInvoice(t, p, "2025-0001", "10.00")
	portstest.MustSaveInvoices(t, db, inv)

	t.Run("a taken email is the domain's ErrEmailTaken", func(t *testing.T) {
		other := portstest.NewPayer(t, b, "REF-002")
		other.Email = "REF-001@Exemple.fr" // the rule ignores case
		err := db.SavePayer(ctx, other)
		assert.ErrorIs(t, err, domain.ErrEmailTaken)
		assert.Equal(t, "email", domain.ErrorField(err))
		var pe *pq.Error
		require.ErrorAs(t, err, &pe, "the driver's error stays in Err, for the logs")
		assert.EqualValues(t, "23505", pe.Code)
	})
	t.Run("a taken invoice number is a Conflict with a French message", func(t *testing.T) {
		dup := portstest.NewInvoice(t, p, inv.Number, "12.00")
		err := db.SaveInvoice(ctx, dup)
		assert.Equal(t, domain.Conflict, domain.ErrorCode(err))
		assert.Equal(t, "Ce numéro de facture existe déjà.", domain.ErrorMessage(err))
		assert.Equal(t, "number", domain.ErrorField(err))
	})
	t.Run("a missing row is the domain's ErrNotFound", func(t *testing.T) {
		_, err := db.Invoice(ctx, uuid.New())
		assert.ErrorIs(t, err, domain.ErrNotFound)
		assert.Contains(t, err.Error(), "not found", "the detail says what was missing, in English, for the logs")
	})
	t.Run("a state outside its set is Invalid", func(t *testing.T) {
		bad := inv
		bad.State = "perdue"
		err := db.SaveInvoice(ctx, bad)
		assert.Equal(t, domain.Invalid, domain.ErrorCode(err), "%v", err)
		assert.NotContains(t, domain.ErrorMessage(err), "invoices", "no SQL in the citizen's message")
	})
	t.Run("an amount beyond NUMERIC(12,2) is Invalid", func(t *testing.T) {
		big := inv
		big.Amount = decimal.RequireFromString("12345678901.00")
		err := db.SaveInvoice(ctx, big)
		assert.Equal(t, domain.Invalid, domain.ErrorCode(err), "%v", err)
	})
	t.Run("a reference to a missing record is Internal: the use cases load what they refer to", func(t *testing.T) {
		orphan := portstest.NewInvoice(t, portstest.NewPayer(t, b, "FANTOME"), "2025-0002", "1.00")
		err := db.SaveInvoice(ctx, orphan)
		assert.Equal(t, domain.Internal, domain.ErrorCode(err), "%v", err)
	})
	t.Run("a settlement by a missing payment fails at commit", func(t *testing.T) {
		settled := inv
		_, err := settled.Settle(uuid.New(), portstest.Epoch, portstest.Epoch)
		require.NoError(t, err)
		err = db.Atomic(ctx, func(tx ports.Tx) error { return tx.SaveInvoice(ctx, settled) })
		assert.Equal(t, domain.Internal, domain.ErrorCode(err), "%v", err)
		got, err := db.Invoice(ctx, inv.ID)
		require.NoError(t, err)
		assert.Equal(t, domain.InvoiceUnpaid, got.State)
	})
	t.Run("a cancelled context is Unavailable", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := db.Invoice(cctx, inv.ID)
		assert.Equal(t, domain.Unavailable, domain.ErrorCode(err), "%v", err)
		called := false
		err = db.Atomic(cctx, func(ports.Tx) error { called = true; return nil })
		assert.Equal(t, domain.Unavailable, domain.ErrorCode(err))
		assert.False(t, called)
	})
}

func TestOpenAnUnreachableServerIsUnavailable(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	url := "postgres://portal:secret@127.0.0.1:1/portal?sslmode=disable"
	_, err := postgres.Open(ctx, url, postgres.Options{})
	require.Error(t, err)
	assert.Equal(t, domain.Unavailable, domain.ErrorCode(err), "%v", err)
	assert.NotContains(t, err.Error(), "secret", "the URL's password is never repeated")
}

func TestAtomicRetriesSerializationFailures(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := t.Context()
	b := portstest.NewBiller(t)

	calls := 0
	err := db.Atomic(ctx, func(tx ports.Tx) error {
		calls++
		if err := tx.SaveBiller(ctx, b); err != nil {
			return err
		}
		if calls < 3 {
			return &pq.Error{Code: "40001", Message: "could not serialize access"}
		}
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, 3, calls, "fn runs again after a serialization failure")
	_, err = db.Biller(ctx, b.ID)
	assert.NoError(t, err)

	calls = 0
	err = db.Atomic(ctx, func(tx ports.Tx) error {
		calls++
		return domain.WrapInternal(&pq.Error{Code: "40P01", Message: "deadlock detected"})
	})
	require.Error(t, err)
	assert.Equal(t, 6, calls, "a bounded number of times: once and five retries")

	calls = 0
	err = db.Atomic(ctx, func(tx ports.Tx) error {
		calls++
		return &pq.Error{Code: "23505"}
	})
	require.Error(t, err)
	assert.Equal(t, 1, calls, "other errors are not retried")
}

// TestAtomicRetriesARealDeadlock makes two transactions update two
// invoices in opposite orders: PostgreSQL kills one with a deadlock, and
// Atomic runs it again, so both succeed.
func TestAtomicRetriesARealDeadlock(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := t.Context()
	_, p := seedPayer(t, db)
	a, b := portstest.NewInvoice(t, p, "A", "1.00"), portstest.NewInvoice(t, p, "B", "2.00")
	portstest.MustSaveInvoices(t, db, a, b)

	var calls atomic.Int32
	firstDone := [2]chan struct{}{make(chan struct{}), make(chan struct{})}
	var once [2]sync.Once
	update := func(i int, first, second domain.Invoice) error {
		return db.Atomic(ctx, func(tx ports.Tx) error {
			calls.Add(1)
			first.Object = "tx" + string(rune('0'+i))
			if err := tx.SaveInvoice(ctx, first); err != nil {
				return err
			}
			once[i].Do(func() { // not on the retry
				close(firstDone[i])
				<-firstDone[1-i] // both hold their first row
			})
			second.Object = first.Object
			return tx.SaveInvoice(ctx, second)
		})
	}
	errs := make([]error, 2)
	parallel(2, func(i int) {
		if i == 0 {
			errs[0] = update(0, a, b)
		} else {
			errs[1] = update(1, b, a)
		}
	})
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	assert.EqualValues(t, 3, calls.Load(), "the transaction killed by the deadlock ran again")
	ga, err := db.Invoice(ctx, a.ID)
	require.NoError(t, err)
	gb, err := db.Invoice(ctx, b.ID)
	require.NoError(t, err)
	assert.Equal(t, ga.Object, gb.Object, "one transaction's writes, whole")
}

func TestTxCannotOutliveAtomic(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := t.Context()
	var kept ports.Tx
	require.NoError(t, db.Atomic(ctx, func(tx ports.Tx) error { kept = tx; return nil }))
	err := kept.SaveBiller(ctx, portstest.NewBiller(t))
	assert.Equal(t, domain.Internal, domain.ErrorCode(err), "%v", err)
}
