package portstest

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The billers (ports.BillerStore): their records and the host names
// that find them.

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

// twoBillers saves two fresh billers through tx.
func twoBillers(t *testing.T, tx ports.Tx) (domain.Biller, domain.Biller) {
	t.Helper()
	a, b := NewBiller(t), NewBiller(t)
	b.Name = "Cantine de Testville"
	MustSaveBiller(t, tx, a)
	MustSaveBiller(t, tx, b)
	return a, b
}

var hostTests = []storeTest{
	{"BillerByHost finds the biller of each of its hosts, and a save replaces the set of hosts", func(t *testing.T, s ports.Store) {
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			ctx := t.Context()
			b := fullBiller(t)
			MustSaveBiller(t, tx, b)
			for _, h := range b.Hosts {
				got, err := tx.BillerByHost(ctx, h)
				require.NoError(t, err, h)
				AssertSame(t, b, got, h)
			}
			old := b.Hosts
			b.Hosts = []string{"autre-" + old[1], old[0]}
			MustSaveBiller(t, tx, b)
			got, err := tx.Biller(ctx, b.ID)
			require.NoError(t, err)
			assert.Equal(t, b.Hosts, got.Hosts, "the hosts keep their order")
			_, err = tx.BillerByHost(ctx, old[1])
			requireNotFound(t, err, "a host the biller no longer has")
			got, err = tx.BillerByHost(ctx, b.Hosts[0])
			require.NoError(t, err)
			assert.Equal(t, b.ID, got.ID)

			_, err = tx.BillerByHost(ctx, "inconnu.factures.test")
			requireNotFound(t, err, "an unknown host")
			_, err = tx.BillerByHost(ctx, "")
			requireNotFound(t, err, "the empty host")
		})
	}},
	{"a host belongs to one biller: taking another's is a Conflict on hosts that saves nothing", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		a := fullBiller(t)
		MustSaveBiller(t, s, a)
		b := NewBiller(t)
		b.Hosts = []string{"libre.factures.test", a.Hosts[1]}
		requireConflictOn(t, "hosts", s.SaveBiller(ctx, b), "SaveBiller of a new biller with a taken host")
		_, err := s.Biller(ctx, b.ID)
		requireNotFound(t, err, "the biller of the refused save")
		_, err = s.BillerByHost(ctx, "libre.factures.test")
		requireNotFound(t, err, "the free host of the refused save")

		err = s.Atomic(ctx, func(tx ports.Tx) error {
			b.Hosts = []string{a.Hosts[0]}
			return tx.SaveBiller(ctx, b)
		})
		requireConflictOn(t, "hosts", err, "SaveBiller with a taken host in a transaction")

		b.Hosts = []string{"libre.factures.test"}
		MustSaveBiller(t, s, b)
		b.Hosts = append(b.Hosts, a.Hosts[0])
		requireConflictOn(t, "hosts", s.SaveBiller(ctx, b), "SaveBiller of an existing biller with a taken host")
		got, err := s.Biller(ctx, b.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{"libre.factures.test"}, got.Hosts, "the refused save changed nothing")

		a.Hosts = a.Hosts[1:]
		MustSaveBiller(t, s, a)
		MustSaveBiller(t, s, b) // the host a let go
		got, err = s.BillerByHost(ctx, b.Hosts[1])
		require.NoError(t, err)
		assert.Equal(t, b.ID, got.ID)
	}},
}
