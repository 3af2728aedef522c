package portstest

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/ports"
)

// TestThrottle is the contract of every ports.Throttle.
func TestThrottle(t *testing.T, newThrottle func(t *testing.T) ports.Throttle) {
	per := 15 * time.Minute
	start, end := ports.ThrottleWindow(Epoch, per)
	t.Run("hits count within a window and reset in the next", func(t *testing.T) {
		th := newThrottle(t)
		ctx := t.Context()
		for i := 1; i <= 3; i++ {
			n, ends, err := th.Hit(ctx, "login:a", start.Add(time.Duration(i)*time.Minute), per)
			require.NoError(t, err)
			assert.Equal(t, i, n)
			assert.True(t, end.Equal(ends), "the window ends at %s, not %s", end, ends)
		}
		n, _, err := th.Count(ctx, "login:a", end.Add(-time.Microsecond), per)
		require.NoError(t, err)
		assert.Equal(t, 3, n, "counting records nothing")
		n, _, err = th.Count(ctx, "login:a", end.Add(-time.Microsecond), per)
		require.NoError(t, err)
		assert.Equal(t, 3, n)
		n, _, err = th.Hit(ctx, "login:a", end, per)
		require.NoError(t, err)
		assert.Equal(t, 1, n, "a new window starts afresh")
	})
	t.Run("keys and window lengths are separate", func(t *testing.T) {
		th := newThrottle(t)
		ctx := t.Context()
		_, _, err := th.Hit(ctx, "login:a", start, per)
		require.NoError(t, err)
		n, _, err := th.Hit(ctx, "login:b", start, per)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		n, _, err = th.Hit(ctx, "login:a", start, time.Hour)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		n, _, err = th.Count(ctx, "inconnue", start, per)
		require.NoError(t, err)
		assert.Zero(t, n)
	})
	t.Run("concurrent hits are all counted", func(t *testing.T) {
		th := newThrottle(t)
		ctx := t.Context()
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, err := th.Hit(ctx, "ip:192.0.2.1", start, per)
				assert.NoError(t, err)
			}()
		}
		wg.Wait()
		n, _, err := th.Count(ctx, "ip:192.0.2.1", start, per)
		require.NoError(t, err)
		assert.Equal(t, 20, n)
	})
}
