package portstest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/ports"
)

// The runs of the daily jobs (ports.JobRuns).

var claimRunTests = []storeTest{
	{"ClaimRun returns true once per job and key, then false", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		claim := func(tx ports.Tx, job, key string) bool {
			t.Helper()
			ok, err := tx.ClaimRun(ctx, job, key, at(0))
			require.NoError(t, err)
			return ok
		}
		assert.True(t, claim(s, "treasury", "2026-11-26"), "first claim")
		assert.False(t, claim(s, "treasury", "2026-11-26"), "second claim")
		inTx(t, s, func(tx ports.Tx) {
			assert.False(t, claim(tx, "treasury", "2026-11-26"), "claim in a transaction")
			assert.True(t, claim(tx, "treasury", "2026-11-27"), "another day")
			assert.False(t, claim(tx, "treasury", "2026-11-27"), "the same day again, in the same transaction")
		})
		assert.True(t, claim(s, "reminders", "2026-11-26"), "another job, the same day")
		assert.False(t, claim(s, "treasury", "2026-11-27"), "the claim of the committed transaction stays")
	}},
	{"a claim in a transaction rolled back is no claim", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		errStop := fmt.Errorf("stop")
		err := s.Atomic(ctx, func(tx ports.Tx) error {
			ok, err := tx.ClaimRun(ctx, "treasury", "2026-11-26", at(0))
			require.NoError(t, err)
			require.True(t, ok)
			return errStop
		})
		require.ErrorIs(t, err, errStop)
		ok, err := s.ClaimRun(ctx, "treasury", "2026-11-26", at(time.Minute))
		require.NoError(t, err)
		assert.True(t, ok)
	}},
}
