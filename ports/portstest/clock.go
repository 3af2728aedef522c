package portstest

import (
	"sync"
	"time"

	"github.com/portail-factures/portail/ports"
)

var _ ports.Clock = (*FixedClock)(nil)

// FixedClock is a ports.Clock that tells the instant a test sets. It is
// safe for concurrent use.
type FixedClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewFixedClock returns a clock stopped at now.
func NewFixedClock(now time.Time) *FixedClock { return &FixedClock{now: now} }

// Now returns the instant the clock is stopped at.
func (c *FixedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set stops the clock at now.
func (c *FixedClock) Set(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = now
}

// Advance moves the clock by d and returns the new instant.
func (c *FixedClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}
