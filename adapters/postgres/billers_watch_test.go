package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/postgres"
	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

// openOn opens a store on u with opts, closed when t ends: one more
// portal instance on the same database.
func openOn(t *testing.T, u string, opts postgres.Options) *postgres.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := postgres.Open(ctx, u, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// TestBillerChanges: two instances are two stores on one database; each
// hears the other's changes through LISTEN/NOTIFY.
func TestBillerChanges(t *testing.T) {
	portstest.TestBillerChanges(t, func(t *testing.T) (ports.Store, ports.Store) {
		u := pgtest.NewURL(t)
		return openOn(t, u, postgres.Options{}), openOn(t, u, postgres.Options{})
	})
}

// TestBillerChangesThroughPgBouncer: instances behind PgBouncer in
// transaction mode, where LISTEN does not work, listen on the direct URL.
func TestBillerChangesThroughPgBouncer(t *testing.T) {
	portstest.TestBillerChanges(t, func(t *testing.T) (ports.Store, ports.Store) {
		b := pgtest.NewBouncer(t)
		opts := postgres.Options{NoPreparedStatements: true, DirectURL: b.DirectURL}
		one := openOn(t, b.URL, opts)
		_, err := one.Migrate(t.Context())
		require.NoError(t, err)
		return one, openOn(t, b.URL, opts)
	})
}

// TestBillerListenerLoss: when the listening connection is lost, the
// store tells it (every biller dropped, BillersWatched false), listens
// again, and the changes made after are heard.
func TestBillerListenerLoss(t *testing.T) {
	u := pgtest.NewURL(t)
	one, other := openOn(t, u, postgres.Options{}), openOn(t, u, postgres.Options{})
	b := portstest.NewBiller(t)
	portstest.MustSaveBiller(t, one, b)
	portal := portstest.NewWatchingPortal(t, other)
	w := portstest.WatchBillers(t, other)
	w.AwaitConnected(t)
	_, err := portal.BillerByID(t.Context(), b.ID)
	require.NoError(t, err)

	// Every listener of the package's tests on this server: the tests
	// that watch billers do not run in parallel.
	require.NoError(t, one.Exec(t.Context(),
		`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'portal-billers-listener'`))
	w.AwaitLoss(t)
	w.AwaitConnected(t)

	b.Name = "Régie des eaux de Testville"
	require.NoError(t, one.SaveBiller(t.Context(), b))
	w.AwaitChange(t, b.ID)
	got, err := portal.BillerByID(t.Context(), b.ID)
	require.NoError(t, err)
	assert.Equal(t, b.Name, got.Name)
}
