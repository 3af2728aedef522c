package postgres_test

import (
	"testing"

	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

func TestStore(t *testing.T) {
	t.Parallel() // beside TestStoreThroughPgBouncer, the longest two
	portstest.TestStore(t, func(t *testing.T) ports.Store { return pgtest.NewDB(t) })
}

// TestMyData runs « Mes données » over PostgreSQL: one read transaction,
// every list scoped to the payer.
func TestMyData(t *testing.T) {
	portstest.TestMyData(t, func(t *testing.T) ports.Store { return pgtest.NewDB(t) })
}

func TestSessionStore(t *testing.T) {
	portstest.TestSessionStore(t, func(t *testing.T) ports.SessionStore { return pgtest.NewDB(t) })
}

func TestThrottle(t *testing.T) {
	portstest.TestThrottle(t, func(t *testing.T) ports.Throttle { return pgtest.NewDB(t) })
}

// TestStoreThroughPgBouncer runs the store's contract through a real
// PgBouncer in transaction mode, as several portal instances share
// PostgreSQL: prepared statements off, the migrations' advisory lock on
// the direct URL (pgtest.NewBouncedDB migrates through it).
func TestStoreThroughPgBouncer(t *testing.T) {
	t.Parallel()
	portstest.TestStore(t, func(t *testing.T) ports.Store { return pgtest.NewBouncedDB(t) })
}

func TestSessionStoreThroughPgBouncer(t *testing.T) {
	portstest.TestSessionStore(t, func(t *testing.T) ports.SessionStore { return pgtest.NewBouncedDB(t) })
}

func TestThrottleThroughPgBouncer(t *testing.T) {
	portstest.TestThrottle(t, func(t *testing.T) ports.Throttle { return pgtest.NewBouncedDB(t) })
}
