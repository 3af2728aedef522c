package postgres_test

import (
	"testing"

	"github.com/portail-factures/portail/adapters/postgres"
	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

// TestRetentionJob: two instances are two stores on one database, running
// the retention job at once (each account locked and checked again in its
// transaction, each day's run claimed once).
func TestRetentionJob(t *testing.T) {
	portstest.TestRetentionJob(t, func(t *testing.T) (ports.Store, ports.Store) {
		u := pgtest.NewURL(t)
		return openOn(t, u, postgres.Options{}), openOn(t, u, postgres.Options{})
	})
}
