package postgres_test

import (
	"testing"

	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

func TestStore(t *testing.T) {
	portstest.TestStore(t, func(t *testing.T) ports.Store { return pgtest.NewDB(t) })
}

func TestSessionStore(t *testing.T) {
	portstest.TestSessionStore(t, func(t *testing.T) ports.SessionStore { return pgtest.NewDB(t) })
}

func TestThrottle(t *testing.T) {
	portstest.TestThrottle(t, func(t *testing.T) ports.Throttle { return pgtest.NewDB(t) })
}
