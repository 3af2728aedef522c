package portstest

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The keys of the billing software's API (ports.APIKeyStore).

var apiKeyTests = []storeTest{
	{"a saved API key reads back with every field by id and by hash, and a save replaces the whole record", func(t *testing.T, s ports.Store) {
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			ctx := t.Context()
			b := NewBiller(t)
			MustSaveBiller(t, tx, b)
			k := fullAPIKey(t, b)
			require.NoError(t, tx.SaveAPIKey(ctx, k))
			got, err := tx.APIKey(ctx, k.ID)
			require.NoError(t, err)
			AssertSame(t, k, got)
			got, err = tx.APIKeyByHash(ctx, k.Hash)
			require.NoError(t, err, "a revoked key is found by its hash")
			AssertSame(t, k, got)

			k.RevokedAt, k.LastUsedAt = time.Time{}, time.Time{}
			require.NoError(t, tx.SaveAPIKey(ctx, k))
			got, err = tx.APIKeyByHash(ctx, k.Hash)
			require.NoError(t, err)
			AssertSame(t, k, got)
		})
	}},
	{"a missing API key is NotFound, and a hash belongs to one key", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		a, b := twoBillers(t, s)
		k := fullAPIKey(t, a)
		require.NoError(t, s.SaveAPIKey(ctx, k))
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			_, err := tx.APIKey(ctx, uuid.New())
			requireNotFound(t, err, "APIKey")
			_, err = tx.APIKeyByHash(ctx, domain.HashSecret("pdf_inconnue"))
			requireNotFound(t, err, "APIKeyByHash")
			_, err = tx.APIKeyByHash(ctx, "")
			requireNotFound(t, err, "APIKeyByHash of the empty hash")
		})
		other := fullAPIKey(t, b)
		other.Hash = k.Hash
		requireConflict(t, s.SaveAPIKey(ctx, other), "SaveAPIKey of another key with the same hash")
	}},
	{"APIKeyByNonce finds the biller's key made by a form, and a form's nonce makes one key per biller", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		a, b := twoBillers(t, s)
		k := fullAPIKey(t, a)
		require.NoError(t, s.SaveAPIKey(ctx, k))
		cli := fullAPIKey(t, a)
		cli.NonceHash = "" // the command line's
		require.NoError(t, s.SaveAPIKey(ctx, cli))
		cli2 := fullAPIKey(t, a)
		cli2.NonceHash = ""
		require.NoError(t, s.SaveAPIKey(ctx, cli2), "keys without a nonce do not clash")
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			got, err := tx.APIKeyByNonce(ctx, a.ID, k.NonceHash)
			require.NoError(t, err)
			AssertSame(t, k, got)
			_, err = tx.APIKeyByNonce(ctx, b.ID, k.NonceHash)
			requireNotFound(t, err, "APIKeyByNonce for another biller")
			_, err = tx.APIKeyByNonce(ctx, a.ID, domain.HashSecret("autre"))
			requireNotFound(t, err, "APIKeyByNonce of an unknown nonce")
			_, err = tx.APIKeyByNonce(ctx, a.ID, "")
			requireNotFound(t, err, "APIKeyByNonce of the empty hash")
		})
		again := fullAPIKey(t, a)
		again.NonceHash = k.NonceHash
		requireConflict(t, s.SaveAPIKey(ctx, again), "SaveAPIKey of a second key of the biller with the same nonce")
		k.Name = "Renommée"
		require.NoError(t, s.SaveAPIKey(ctx, k), "the key itself saves again (its revocation)")
		elsewhere := fullAPIKey(t, b)
		elsewhere.NonceHash = k.NonceHash
		require.NoError(t, s.SaveAPIKey(ctx, elsewhere), "the nonce is the biller's")
	}},
	{"APIKeys lists the biller's keys oldest first, revoked ones included, and only theirs", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		a, b := twoBillers(t, s)
		var want []uuid.UUID
		for i, d := range []time.Duration{3 * time.Hour, time.Hour, 2 * time.Hour} {
			k := fullAPIKey(t, a)
			k.CreatedAt = at(d)
			if i == 0 {
				k.RevokedAt = time.Time{}
			}
			require.NoError(t, s.SaveAPIKey(ctx, k))
			want = append(want, k.ID)
		}
		want = []uuid.UUID{want[1], want[2], want[0]}
		require.NoError(t, s.SaveAPIKey(ctx, fullAPIKey(t, b)))
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			list, err := tx.APIKeys(ctx, a.ID)
			require.NoError(t, err)
			got := make([]uuid.UUID, len(list))
			for i, k := range list {
				got[i] = k.ID
			}
			assert.Equal(t, want, got)
			none, err := tx.APIKeys(ctx, uuid.New())
			require.NoError(t, err)
			assert.Empty(t, none)
		})
	}},
}
