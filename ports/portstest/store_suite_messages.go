package portstest

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The payers' messages (ports.MessageStore); their search is in
// store_suite_backoffice.go.

var messageTests = []storeTest{
	{"a saved message reads back with every field, and a save replaces it", func(t *testing.T, s ports.Store) {
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			ctx := t.Context()
			a := saveAccount(t, tx)
			m := fullMessage(t, a)
			MustSaveMessage(t, tx, m)
			got, err := tx.Messages(ctx, a.BillerID, 10)
			require.NoError(t, err)
			require.Len(t, got, 1)
			AssertSame(t, m, got[0])

			fresh := m
			fresh.State, fresh.HandledAt = domain.MessageNew, time.Time{}
			MustSaveMessage(t, tx, fresh)
			got, err = tx.Messages(ctx, a.BillerID, 10)
			require.NoError(t, err)
			require.Len(t, got, 1, "a save replaces, it does not add")
			AssertSame(t, fresh, got[0])
		})
	}},
	{"Messages lists the biller's messages newest first, up to the limit", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		a, other := saveAccount(t, s), saveAccount(t, s)
		var mine []domain.Message
		for _, minutes := range []int{10, 30, 20, 40} {
			m := NewMessage(t, a, fmt.Sprintf("Message de %d minutes", minutes), Epoch.Add(time.Duration(minutes)*time.Minute))
			MustSaveMessage(t, s, m)
			mine = append(mine, m)
		}
		MustSaveMessage(t, s, NewMessage(t, other, "Ailleurs", Epoch.Add(time.Hour)))
		want := []uuid.UUID{mine[3].ID, mine[1].ID, mine[2].ID, mine[0].ID}

		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			got, err := tx.Messages(ctx, a.BillerID, 10)
			require.NoError(t, err)
			assert.Equal(t, want, messageIDs(got))
			got, err = tx.Messages(ctx, a.BillerID, 2)
			require.NoError(t, err)
			assert.Equal(t, want[:2], messageIDs(got), "the limit keeps the newest")
		})
		none, err := s.Messages(ctx, uuid.New(), 10)
		require.NoError(t, err)
		assert.Empty(t, none)
	}},
}
