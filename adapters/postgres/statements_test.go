package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/postgres"
	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

// preparedOnTheConnection counts the statements prepared on the one
// connection of a store opened with MaxOpenConns 1 whose text ends with
// suffix.
func preparedOnTheConnection(t *testing.T, db *postgres.DB, suffix string) int {
	t.Helper()
	list, err := db.QueryStrings(t.Context(), `SELECT statement FROM pg_prepared_statements`)
	require.NoError(t, err)
	n := 0
	for _, s := range list {
		if strings.HasSuffix(s, suffix) {
			n++
		}
	}
	return n
}

func TestStatementsArePreparedOncePerConnection(t *testing.T) {
	url := pgtest.NewURL(t)
	ctx := t.Context()
	db, err := postgres.Open(ctx, url, postgres.Options{MaxOpenConns: 1})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	b := portstest.NewBiller(t)
	portstest.MustSaveBiller(t, db, b)
	const read, forUpdate = "FROM billers WHERE id = $1", "FOR UPDATE OF billers"

	for range 3 {
		_, err := db.Biller(ctx, b.ID)
		require.NoError(t, err)
	}
	assert.Equal(t, 1, preparedOnTheConnection(t, db, read), "the read, prepared once")

	// In a transaction, on the pool's only connection: a new statement
	// must not wait for a second connection to prepare it.
	short, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	lock := func() error {
		return db.Atomic(short, func(tx ports.Tx) error {
			_, err := tx.BillerForUpdate(short, b.ID)
			return err
		})
	}
	require.NoError(t, lock(), "the first run unprepared")
	require.Eventually(t, func() bool { return preparedOnTheConnection(t, db, forUpdate) == 1 }, 10*time.Second, 10*time.Millisecond,
		"then prepared in the background")
	for range 3 {
		require.NoError(t, lock())
	}
	assert.Equal(t, 1, preparedOnTheConnection(t, db, forUpdate), "and run prepared in the next transactions, never again prepared")
}

func TestNoPreparedStatements(t *testing.T) {
	url := pgtest.NewURL(t)
	ctx := t.Context()
	db, err := postgres.Open(ctx, url, postgres.Options{MaxOpenConns: 1, NoPreparedStatements: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	b := portstest.NewBiller(t)
	portstest.MustSaveBiller(t, db, b)
	_, err = db.Biller(ctx, b.ID)
	require.NoError(t, err)
	require.NoError(t, db.Atomic(ctx, func(tx ports.Tx) error {
		_, err := tx.BillerForUpdate(ctx, b.ID)
		return err
	}))
	assert.Zero(t, preparedOnTheConnection(t, db, ""), "every statement unprepared, as a transaction-mode pooler needs")
}
