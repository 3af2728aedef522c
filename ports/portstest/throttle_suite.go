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
	t.Run("undo takes back one hit of its window, never below zero", func(t *testing.T) {
		th := newThrottle(t)
		ctx := t.Context()
		for range 2 {
			_, _, err := th.Hit(ctx, "login:a", start, per)
			require.NoError(t, err)
		}
		require.NoError(t, th.Undo(ctx, "login:a", start.Add(time.Minute), per))
		n, _, err := th.Count(ctx, "login:a", start, per)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		require.NoError(t, th.Undo(ctx, "login:a", end, per), "the next window holds nothing to undo")
		require.NoError(t, th.Undo(ctx, "login:a", start, time.Hour), "nor does another window length")
		n, _, err = th.Count(ctx, "login:a", start, per)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		for range 3 {
			require.NoError(t, th.Undo(ctx, "login:a", start, per))
		}
		require.NoError(t, th.Undo(ctx, "inconnue", start, per))
		n, _, err = th.Count(ctx, "login:a", start, per)
		require.NoError(t, err)
		assert.Zero(t, n)
		n, _, err = th.Hit(ctx, "login:a", start, per)
		require.NoError(t, err)
		assert.Equal(t, 1, n, "a hit after the undos counts from zero")
	})
	t.Run("of 100 concurrent reservations, exactly the limit get a count within it", func(t *testing.T) {
		// A login reserves its attempt with Hit before checking the
		// password and stops when the count is over the limit: every
		// caller must get its own count, across instances too.
		th := newThrottle(t)
		ctx := t.Context()
		const limit = 10
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			counts = map[int]bool{}
			within int
			gate   = make(chan struct{})
		)
		for range 100 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				n, _, err := th.Hit(ctx, "login:b", start, per)
				assert.NoError(t, err)
				mu.Lock()
				defer mu.Unlock()
				assert.False(t, counts[n], "count %d given twice", n)
				counts[n] = true
				if n <= limit {
					within++
				}
			}()
		}
		close(gate)
		wg.Wait()
		assert.Equal(t, limit, within)
		assert.Len(t, counts, 100)
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
