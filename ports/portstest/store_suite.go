package portstest

import (
	"cmp"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// TestStore runs the contract suite of ports.Store against the stores
// newStore returns, in the spirit of testing/fstest. Every subtest asks
// newStore for an empty store; newStore may register cleanups on t.
// Subtests are named after the rule they show.
//
// The suite saves records in an order that respects references (a
// biller before its payers, a payment before an invoice locked by it),
// saves emails normalised as the domain does, and compares times with
// time.Time.Equal at microsecond precision.
func TestStore(t *testing.T, newStore func(t *testing.T) ports.Store) {
	groups := []struct {
		name  string
		tests []storeTest
	}{
		{"billers", billerTests},
		{"payers", payerTests},
		{"accounts", accountTests},
		{"tokens", tokenTests},
		{"invoices", invoiceTests},
		{"invoice lists", invoiceListTests},
		{"payments", paymentTests},
		{"payments to poll", pollTests},
		{"messages", messageTests},
		{"hosts", hostTests},
		{"staff", staffTests},
		{"staff administration", staffAdminTests},
		{"API keys", apiKeyTests},
		{"audit log", auditTests},
		{"documents", documentTests},
		{"payment events", paymentEventTests},
		{"job runs", claimRunTests},
		{"payment search", paymentSearchTests},
		{"invoice search", invoiceSearchTests},
		{"payer search", payerSearchTests},
		{"message search", messageSearchTests},
		{"refunds", refundTests},
		{"outbox", outboxTests},
		{"atomic", atomicTests},
		{"copies", copyTests},
		{"concurrency", concurrencyTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) { tc.run(t, newStore(t)) })
			}
		})
	}
}

type storeTest struct {
	name string
	run  func(t *testing.T, s ports.Store)
}

// bothWays runs body against the store itself, then inside a
// transaction, so that every method is exercised both ways.
func bothWays(t *testing.T, s ports.Store, body func(t *testing.T, tx ports.Tx)) {
	t.Helper()
	t.Run("direct", func(t *testing.T) { body(t, s) })
	t.Run("in a transaction", func(t *testing.T) {
		require.NoError(t, s.Atomic(t.Context(), func(tx ports.Tx) error {
			body(t, tx)
			return nil
		}))
	})
}

// inTx runs fn in a transaction that must commit.
func inTx(t *testing.T, s ports.Store, fn func(tx ports.Tx)) {
	t.Helper()
	require.NoError(t, s.Atomic(t.Context(), func(tx ports.Tx) error {
		fn(tx)
		return nil
	}))
}

func requireCode(t *testing.T, want domain.Code, err error, what string) {
	t.Helper()
	require.Error(t, err, what)
	require.Equal(t, want, domain.ErrorCode(err), "%s: error %v", what, err)
}

func requireNotFound(t *testing.T, err error, what string) {
	t.Helper()
	requireCode(t, domain.NotFound, err, what)
}

func requireConflict(t *testing.T, err error, what string) {
	t.Helper()
	requireCode(t, domain.Conflict, err, what)
}

func invoiceIDs(invs []domain.Invoice) []uuid.UUID {
	out := make([]uuid.UUID, len(invs))
	for i, inv := range invs {
		out[i] = inv.ID
	}
	return out
}

func paymentIDs(ps []domain.Payment) []uuid.UUID {
	out := make([]uuid.UUID, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

func messageIDs(ms []domain.Message) []uuid.UUID {
	out := make([]uuid.UUID, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

// sortedIDs returns ids sorted, for comparisons of unordered results.
func sortedIDs(ids []uuid.UUID) []uuid.UUID {
	out := slices.Clone(ids)
	slices.SortFunc(out, func(a, b uuid.UUID) int { return cmp.Compare(a.String(), b.String()) })
	return out
}

var billerTests = []storeTest{
	{"a saved biller reads back with every field, and a save replaces the whole record", func(t *testing.T, s ports.Store) {
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			ctx := t.Context()
			b := fullBiller(t)
			MustSaveBiller(t, tx, b)
			got, err := tx.Biller(ctx, b.ID)
			require.NoError(t, err)
			AssertSame(t, b, got)

			sparse := sparseBiller(b)
			MustSaveBiller(t, tx, sparse)
			got, err = tx.Biller(ctx, b.ID)
			require.NoError(t, err)
			AssertSame(t, sparse, got)
			assert.True(t, got.Suspension.From.IsZero() && got.Suspension.Until.IsZero(), "zero instants come back zero")
		})
	}},
	{"a missing biller is NotFound", func(t *testing.T, s ports.Store) {
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			_, err := tx.Biller(t.Context(), uuid.New())
			requireNotFound(t, err, "Biller")
		})
	}},
	{"Billers lists every biller", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		none, err := s.Billers(ctx)
		require.NoError(t, err)
		assert.Empty(t, none, "an empty store has no billers")

		b1, b2 := fullBiller(t), NewBiller(t)
		b2.Name = "Cantine scolaire"
		MustSaveBiller(t, s, b1)
		MustSaveBiller(t, s, b2)
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			all, err := tx.Billers(ctx)
			require.NoError(t, err)
			require.Len(t, all, 2)
			for _, got := range all {
				want := map[uuid.UUID]domain.Biller{b1.ID: b1, b2.ID: b2}[got.ID]
				AssertSame(t, want, got)
			}
		})
	}},
}
