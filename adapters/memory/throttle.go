package memory

import (
	"context"
	"sync"
	"time"

	"github.com/portail-factures/portail/ports"
)

var _ ports.Throttle = (*Throttle)(nil)

// Throttle is an in-memory ports.Throttle, for one process. It forgets
// windows that have ended, so it holds at most the keys of the current
// windows.
type Throttle struct {
	mu      sync.Mutex
	windows map[throttleKey]int
	sweep   time.Time
}

type throttleKey struct {
	key   string
	per   time.Duration
	start int64
}

// NewThrottle returns an empty throttle.
func NewThrottle() *Throttle { return &Throttle{windows: map[throttleKey]int{}} }

// Hit records one event; see ports.Throttle.
func (t *Throttle) Hit(_ context.Context, key string, now time.Time, per time.Duration) (int, time.Time, error) {
	start, end := ports.ThrottleWindow(now, per)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.forget(now)
	k := throttleKey{key, per, start.UnixNano()}
	t.windows[k]++
	return t.windows[k], end, nil
}

// Count reads without recording; see ports.Throttle.
func (t *Throttle) Count(_ context.Context, key string, now time.Time, per time.Duration) (int, time.Time, error) {
	start, end := ports.ThrottleWindow(now, per)
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.windows[throttleKey{key, per, start.UnixNano()}], end, nil
}

// Undo takes back one event; see ports.Throttle.
func (t *Throttle) Undo(_ context.Context, key string, now time.Time, per time.Duration) error {
	start, _ := ports.ThrottleWindow(now, per)
	t.mu.Lock()
	defer t.mu.Unlock()
	k := throttleKey{key, per, start.UnixNano()}
	if t.windows[k] > 0 {
		t.windows[k]--
	}
	return nil
}

// forget drops the windows that ended, at most once a minute.
func (t *Throttle) forget(now time.Time) {
	if now.Sub(t.sweep) < time.Minute {
		return
	}
	t.sweep = now
	for k := range t.windows {
		if time.Unix(0, k.start).Add(k.per).Before(now) {
			delete(t.windows, k)
		}
	}
}
