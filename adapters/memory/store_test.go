package memory_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/memory"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

func TestStore(t *testing.T) {
	portstest.TestStore(t, func(*testing.T) ports.Store { return memory.New() })
}

func TestSessionStore(t *testing.T) {
	portstest.TestSessionStore(t, func(*testing.T) ports.SessionStore { return memory.New() })
}

func TestMyData(t *testing.T) {
	portstest.TestMyData(t, func(*testing.T) ports.Store { return memory.New() })
}

func TestConflictsSayWhatIsTaken(t *testing.T) {
	ctx := t.Context()
	s := memory.New()
	b := portstest.NewBiller(t)
	portstest.MustSaveBiller(t, s, b)
	p1, p2 := portstest.NewPayer(t, b, "REF-001"), portstest.NewPayer(t, b, "REF-002")
	portstest.MustSavePayer(t, s, p1)
	p2.Email = p1.Email
	err := s.SavePayer(ctx, p2)
	assert.ErrorIs(t, err, domain.ErrEmailTaken, "a taken email is the domain's ErrEmailTaken")
	assert.Equal(t, "email", domain.ErrorField(err))

	_, err = s.Payer(ctx, uuid.New())
	assert.ErrorIs(t, err, domain.ErrNotFound, "a missing record is the domain's ErrNotFound")
}

func TestTxCannotOutliveAtomic(t *testing.T) {
	ctx := t.Context()
	s := memory.New()
	var kept ports.Tx
	require.NoError(t, s.Atomic(ctx, func(tx ports.Tx) error {
		kept = tx
		return nil
	}))
	err := kept.SaveBiller(ctx, portstest.NewBiller(t))
	assert.Equal(t, domain.Internal, domain.ErrorCode(err))
	_, err = kept.Billers(ctx)
	assert.Equal(t, domain.Internal, domain.ErrorCode(err))
	billers, err := s.Billers(ctx)
	require.NoError(t, err)
	assert.Empty(t, billers)
}

func TestAtomicRefusesACancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	called := false
	err := memory.New().Atomic(ctx, func(ports.Tx) error { called = true; return nil })
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, domain.Unavailable, domain.ErrorCode(err))
	assert.False(t, called)
}

func TestListInvoicesRefusesAnUnknownTab(t *testing.T) {
	_, _, err := memory.New().ListInvoices(t.Context(), ports.InvoiceQuery{PayerID: uuid.New(), Tab: "toutes", Limit: 10})
	assert.Equal(t, domain.Invalid, domain.ErrorCode(err))
}

func TestZeroLimitMeansNoLimit(t *testing.T) {
	s := memory.New()
	h := portstest.MustSeed(t, s, "hash", 30)
	got, total, err := s.ListInvoices(t.Context(), ports.InvoiceQuery{PayerID: h.Payer.ID, Tab: domain.TabUnpaid})
	require.NoError(t, err)
	assert.Len(t, got, 30)
	assert.Equal(t, 30, total)
}

// BenchmarkListInvoices lists the first page of one payer with 1 000
// invoices in a store of 100 000.
func BenchmarkListInvoices(b *testing.B) {
	s := memory.New()
	biller := portstest.NewBiller(b)
	portstest.MustSaveBiller(b, s, biller)
	var payer domain.Payer
	require.NoError(b, s.Atomic(b.Context(), func(tx ports.Tx) error {
		for i := range 100 {
			p := portstest.NewPayer(b, biller, fmt.Sprintf("REF%03d", i))
			portstest.MustSavePayer(b, tx, p)
			if i == 0 {
				payer = p
			}
			for j := range 1000 {
				inv := portstest.NewInvoice(b, p, fmt.Sprintf("%03d-%04d", i, j), "12.34")
				inv.IssueDate = inv.IssueDate.AddDays(-j % 365)
				portstest.MustSaveInvoices(b, tx, inv)
			}
		}
		return nil
	}))
	q := ports.InvoiceQuery{PayerID: payer.ID, Tab: domain.TabUnpaid, Limit: 20}
	b.ReportAllocs()
	for b.Loop() {
		page, total, err := s.ListInvoices(b.Context(), q)
		if err != nil || len(page) != 20 || total != 1000 {
			b.Fatalf("ListInvoices: %d invoices of %d, %v", len(page), total, err)
		}
	}
}

// BenchmarkAtomicSave updates one invoice and its payment in a
// transaction, as the end of a payment does.
func BenchmarkAtomicSave(b *testing.B) {
	s := memory.New()
	ctx := b.Context()
	h := portstest.MustSeed(b, s, "hash", 1)
	inv := h.Invoices[0]
	pay := portstest.NewPayment(b, h.Biller, h.Account, inv)
	portstest.MustSavePayment(b, s, pay)
	b.ReportAllocs()
	for b.Loop() {
		err := s.Atomic(ctx, func(tx ports.Tx) error {
			invs, err := tx.InvoicesForUpdate(ctx, []uuid.UUID{inv.ID})
			if err != nil {
				return err
			}
			p, err := tx.PaymentForUpdate(ctx, pay.ID)
			if err != nil {
				return err
			}
			invs[0].UpdatedAt = invs[0].UpdatedAt.Add(1)
			p.UpdatedAt = p.UpdatedAt.Add(1)
			if err := tx.SaveInvoice(ctx, invs[0]); err != nil {
				return err
			}
			return tx.SavePayment(ctx, p)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func TestThrottleContract(t *testing.T) {
	portstest.TestThrottle(t, func(*testing.T) ports.Throttle { return memory.NewThrottle() })
}

// TestBillerChanges: the memory store is one instance's; two portals over
// it are two "instances" sharing its data.
func TestBillerChanges(t *testing.T) {
	portstest.TestBillerChanges(t, func(*testing.T) (ports.Store, ports.Store) {
		s := memory.New()
		return s, s
	})
}

// TestRetentionJob: two instances are two portals over one memory store.
func TestRetentionJob(t *testing.T) {
	portstest.TestRetentionJob(t, func(*testing.T) (ports.Store, ports.Store) {
		s := memory.New()
		return s, s
	})
}
