package postgres_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/postgres"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

// rowVersions lists every payer and invoice of biller with the version
// and the place of its row: an UPDATE, even of an identical row, writes a
// new version elsewhere and leaves a dead one behind.
func rowVersions(t *testing.T, db *postgres.DB, biller string) []string {
	t.Helper()
	rows, err := db.QueryStrings(t.Context(), `SELECT 'payer ' || external_ref || ' ' || xmin::text || ' ' || ctid::text
FROM payers WHERE biller_id = $1
UNION ALL SELECT 'invoice ' || number || ' ' || xmin::text || ' ' || ctid::text
FROM invoices WHERE biller_id = $1 ORDER BY 1`, biller)
	require.NoError(t, err)
	return rows
}

// TestUnchangedReimportWritesNothing imports a file, then the same file
// again, whole and by parts, and as a dry run: the second time every
// line is unchanged and no row of payers or invoices is written again.
func TestUnchangedReimportWritesNothing(t *testing.T) {
	w := newImportTwin(t)
	db := w.stores[1].(*postgres.DB)
	res, errs := w.streamBoth(t, goodBatch(), false)
	require.Empty(t, errs)
	require.Equal(t, 3, res.InvoicesCreated)
	before := rowVersions(t, db, w.biller.ID.String())
	require.NotEmpty(t, before)

	for _, dryRun := range []bool{true, false} {
		res, errs = w.streamBoth(t, goodBatch(), dryRun)
		assert.Empty(t, errs)
		assert.Equal(t, ports.ImportResult{Unchanged: 9}, res, "by parts, dry run %v", dryRun)
		res, errs = w.importBoth(t, goodBatch(), dryRun)
		assert.Empty(t, errs)
		assert.Equal(t, ports.ImportResult{Unchanged: 9}, res, "whole, dry run %v", dryRun)
	}
	assert.Equal(t, before, rowVersions(t, db, w.biller.ID.String()), "no row written again")
	w.assertSameRecords(t, importRefs, importNumbers)
}

// TestUnchangedPlanUpdatesNoTuple applies the plan of an unchanged batch
// through the bulk path and reads the transaction's own counters of
// payers and invoices before it commits: nothing inserted, updated or
// deleted. (The whole import's transaction is out of reach of a test;
// TestUnchangedReimportWritesNothing looks at its rows.)
func TestUnchangedPlanUpdatesNoTuple(t *testing.T) {
	w := newImportTwin(t)
	db := w.stores[1].(*postgres.DB)
	_, errs := w.importBoth(t, goodBatch(), false)
	require.Empty(t, errs)

	ctx := t.Context()
	batch := goodBatch()
	require.NoError(t, db.Atomic(ctx, func(tx ports.Tx) error {
		// The counters of the backend's pending statistics, which only
		// grow within a transaction (they are flushed between them).
		written := func(tx ports.Tx) int64 {
			var n int64
			require.NoError(t, postgres.TxQueryRow(ctx, tx, `SELECT sum(pg_stat_get_xact_tuples_inserted(c.oid)
	+ pg_stat_get_xact_tuples_updated(c.oid) + pg_stat_get_xact_tuples_deleted(c.oid))
FROM pg_class c WHERE c.oid IN ('payers'::regclass, 'invoices'::regclass)`, &n))
			return n
		}
		start := written(tx)
		bulk := tx.(ports.ImportTx)
		planner := domain.NewImportPlanner(w.biller, uuid.New, portstest.Epoch.Add(time.Hour))
		for _, part := range []domain.ImportBatch{{Payers: batch.Payers}, {Invoices: batch.Invoices}} {
			lookup, err := bulk.ImportLookup(ctx, w.biller.ID, part)
			require.NoError(t, err)
			plan, lineErrs := planner.Plan(part, lookup)
			require.Empty(t, lineErrs)
			require.Equal(t, len(part.Payers)+len(part.Invoices), plan.Unchanged)
			require.NoError(t, bulk.ApplyImport(ctx, plan))
		}
		assert.Equal(t, start, written(tx), "tuples inserted, updated or deleted")
		return nil
	}))
}
