package ports

import (
	"crypto/rand"
	"io"
	"time"
)

// Clock tells the time. The core never calls time.Now itself, so tests
// can fix the instant.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns the current instant.
func (SystemClock) Now() time.Time { return time.Now() }

// Random is a source of secure random bytes: tokens, session ids,
// references and salts are drawn from it.
type Random = io.Reader

// SystemRandom is the operating system's secure random source.
var SystemRandom Random = rand.Reader
