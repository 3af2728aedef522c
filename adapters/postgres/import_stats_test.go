package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/postgres"
	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

// TestImportRefreshesStalePayerStatistics reproduces the case of issue
// #14: payers' statistics say 2 rows while the import has just copied
// thousands (an autovacuum analyze that ran before they were committed),
// so the foreign-key check of every new invoice is planned for a 2-row
// table. The import must analyze payers first: each check then reads one
// payer through the (id, biller_id) key, which the test reads from the
// transaction's own counters, not from a clock.
func TestImportRefreshesStalePayerStatistics(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := t.Context()
	b := portstest.NewBiller(t)
	portstest.MustSaveBiller(t, db, b)
	// Two payers, analyzed: the statistics say 2 rows. Autovacuum is kept
	// off the table so that nothing but the import refreshes them.
	small := payersOf(b, 0, 2)
	require.NoError(t, db.Atomic(ctx, func(tx ports.Tx) error {
		return tx.(ports.ImportTx).ApplyImport(ctx, domain.ImportPlan{NewPayers: small})
	}))
	require.NoError(t, db.Exec(ctx, "ALTER TABLE payers SET (autovacuum_enabled = off)"))
	require.NoError(t, db.Exec(ctx, "ANALYZE payers"))

	const nPayers, nInvoices = 3_000, 2 * postgres.AnalyzeFrom
	ps := payersOf(b, 2, nPayers)
	invs := make([]domain.Invoice, nInvoices)
	issue := domain.NewDate(2026, time.January, 5)
	for i := range invs {
		invs[i] = domain.Invoice{ID: uuid.New(), BillerID: b.ID, PayerID: ps[i%nPayers].ID,
			Number: fmt.Sprintf("F%07d", i), IssueDate: issue, DueDate: issue.AddDays(30),
			Amount: decimal.New(12345, -2), State: domain.InvoiceUnpaid, CreatedAt: portstest.Epoch, UpdatedAt: portstest.Epoch}
	}
	var reltuples float64
	var seqScans, fetched int64
	require.NoError(t, db.Atomic(ctx, func(tx ports.Tx) error {
		// Same transaction: the payers copied, then the stale statistics
		// as autovacuum would have left them, then the invoices.
		if err := tx.(ports.ImportTx).ApplyImport(ctx, domain.ImportPlan{NewPayers: ps}); err != nil {
			return err
		}
		err := postgres.TxQueryRow(ctx, tx, `UPDATE pg_class SET reltuples = 2,
	relpages = pg_relation_size(oid) / current_setting('block_size')::int
WHERE oid = 'payers'::regclass RETURNING 1`, new(int))
		if err != nil {
			return err
		}
		const counters = `SELECT seq_scan, coalesce(idx_tup_fetch, 0) FROM pg_stat_xact_user_tables WHERE relid = 'payers'::regclass`
		var seqBefore, fetchedBefore int64
		if err := postgres.TxQueryRow(ctx, tx, counters, &seqBefore, &fetchedBefore); err != nil {
			return err
		}
		if err := tx.(ports.ImportTx).ApplyImport(ctx, domain.ImportPlan{NewInvoices: invs}); err != nil {
			return err
		}
		if err := postgres.TxQueryRow(ctx, tx, `SELECT reltuples FROM pg_class WHERE oid = 'payers'::regclass`, &reltuples); err != nil {
			return err
		}
		if err := postgres.TxQueryRow(ctx, tx, counters, &seqScans, &fetched); err != nil {
			return err
		}
		seqScans, fetched = seqScans-seqBefore, fetched-fetchedBefore
		return nil
	}))
	t.Logf("payers' statistics after the import: %.0f rows; the invoices' checks: %d sequential scans, %d payers read", reltuples, seqScans, fetched)
	assert.Greater(t, reltuples, float64(nPayers), "payers were analyzed before the invoices' foreign key was checked")
	assert.Zero(t, seqScans, "no check reads the whole table")
	assert.LessOrEqual(t, fetched, int64(nInvoices+nPayers), "each check reads its one payer, not every payer of the biller")
}

// payersOf returns n new payers of biller b, numbered from first.
func payersOf(b domain.Biller, first, n int) []domain.Payer {
	ps := make([]domain.Payer, n)
	for i := range ps {
		ps[i] = domain.Payer{ID: uuid.New(), BillerID: b.ID, ExternalRef: fmt.Sprintf("R%07d", first+i),
			Name: "Redevable", CreatedAt: portstest.Epoch, UpdatedAt: portstest.Epoch}
	}
	return ps
}

// TestDryRunTransactionRefusesWrites shows what a dry run of an import
// stands on: once ports.ReadOnlyTx is asked, PostgreSQL refuses any write
// in the transaction, so a dry run that wrote (as it once copied the
// whole file then rolled back) fails instead of leaving dead rows.
func TestDryRunTransactionRefusesWrites(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := t.Context()
	b := portstest.NewBiller(t)
	portstest.MustSaveBiller(t, db, b)
	err := db.Atomic(ctx, func(tx ports.Tx) error {
		if err := tx.(ports.ReadOnlyTx).ReadOnly(ctx); err != nil {
			return err
		}
		if _, err := tx.(ports.ImportTx).ImportLookup(ctx, b.ID, domain.ImportBatch{
			Payers: []domain.ImportPayer{{Line: 2, ExternalRef: "R1", Name: "Redevable", Email: "r1@exemple.fr"}},
		}); err != nil {
			return err
		}
		return tx.(ports.ImportTx).ApplyImport(ctx, domain.ImportPlan{NewPayers: payersOf(b, 0, 1)})
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "read-only transaction")
}

// TestImportLookupReadsKeysThroughTheIndexes looks up every invoice of a
// table, as a re-import's part does: a few thousand keys that PostgreSQL
// would rather find with a sequential scan (once per part of a streamed
// import: a re-import of a million invoices took minutes). The lookup
// goes through the unique indexes, and leaves enable_seqscan as it was.
func TestImportLookupReadsKeysThroughTheIndexes(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := t.Context()
	b := portstest.NewBiller(t)
	portstest.MustSaveBiller(t, db, b)
	ps := payersOf(b, 0, 10)
	batch := domain.ImportBatch{}
	invs := make([]domain.Invoice, 3_000)
	issue := domain.NewDate(2026, time.January, 5)
	for i := range invs {
		invs[i] = domain.Invoice{ID: uuid.New(), BillerID: b.ID, PayerID: ps[i%len(ps)].ID,
			Number: fmt.Sprintf("F%07d", i), IssueDate: issue, DueDate: issue.AddDays(30),
			Amount: decimal.New(12345, -2), State: domain.InvoiceUnpaid, CreatedAt: portstest.Epoch, UpdatedAt: portstest.Epoch}
		batch.Invoices = append(batch.Invoices, domain.ImportInvoice{Line: i + 2, PayerRef: ps[i%len(ps)].ExternalRef, Number: invs[i].Number})
	}
	require.NoError(t, db.Atomic(ctx, func(tx ports.Tx) error {
		return tx.(ports.ImportTx).ApplyImport(ctx, domain.ImportPlan{NewPayers: ps, NewInvoices: invs})
	}))
	require.NoError(t, db.Exec(ctx, "ANALYZE"))
	var seqScans int64
	var setting string
	require.NoError(t, db.Atomic(ctx, func(tx ports.Tx) error {
		// The counters are read before and after: PostgreSQL 15 counts
		// in them what the connection did before and has not reported.
		const counter = `SELECT coalesce(sum(seq_scan), 0) FROM pg_stat_xact_user_tables
WHERE relid IN ('payers'::regclass, 'invoices'::regclass)`
		var before int64
		if err := postgres.TxQueryRow(ctx, tx, counter, &before); err != nil {
			return err
		}
		lookup, err := tx.(ports.ImportTx).ImportLookup(ctx, b.ID, batch)
		if err != nil {
			return err
		}
		_, found := lookup.InvoiceByNumber("F0002999")
		assert.True(t, found)
		if err := postgres.TxQueryRow(ctx, tx, counter, &seqScans); err != nil {
			return err
		}
		seqScans -= before
		return postgres.TxQueryRow(ctx, tx, "SHOW enable_seqscan", &setting)
	}))
	assert.Zero(t, seqScans, "3 000 invoices and 10 payers looked up without a sequential scan")
	assert.Equal(t, "on", setting, "set back")
}

// TestImportLookupFindsTheNumbersOfAPartWhereverTheyAre looks up parts
// whose numbers follow each other, and parts whose numbers are scattered
// among the biller's others (read one by one then): each finds the
// invoices it names, and only those.
func TestImportLookupFindsTheNumbersOfAPartWhereverTheyAre(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := t.Context()
	b := portstest.NewBiller(t)
	portstest.MustSaveBiller(t, db, b)
	ps := payersOf(b, 0, 10)
	invs := make([]domain.Invoice, 2_000)
	issue := domain.NewDate(2026, time.January, 5)
	for i := range invs {
		invs[i] = domain.Invoice{ID: uuid.New(), BillerID: b.ID, PayerID: ps[i%len(ps)].ID,
			Number: fmt.Sprintf("F%07d", i), IssueDate: issue, DueDate: issue.AddDays(30),
			Amount: decimal.New(int64(100+i), -2), State: domain.InvoiceUnpaid, CreatedAt: portstest.Epoch, UpdatedAt: portstest.Epoch}
	}
	require.NoError(t, db.Atomic(ctx, func(tx ports.Tx) error {
		return tx.(ports.ImportTx).ApplyImport(ctx, domain.ImportPlan{NewPayers: ps, NewInvoices: invs})
	}))
	for name, step := range map[string]int{"following each other": 1, "every other one": 2, "scattered": 40} {
		t.Run(name, func(t *testing.T) {
			var batch domain.ImportBatch
			asked := map[string]bool{}
			for i := 0; i < len(invs); i += step {
				batch.Invoices = append(batch.Invoices, domain.ImportInvoice{Line: i + 2, Number: invs[i].Number})
				asked[invs[i].Number] = true
			}
			batch.Invoices = append(batch.Invoices, domain.ImportInvoice{Line: 1, Number: "F9999999"}) // a new one
			require.NoError(t, db.Atomic(ctx, func(tx ports.Tx) error {
				lookup, err := tx.(ports.ImportTx).ImportLookup(ctx, b.ID, batch)
				require.NoError(t, err)
				for _, want := range invs {
					got, found := lookup.InvoiceByNumber(want.Number)
					if !asked[want.Number] {
						assert.False(t, found, "%s is not in the part", want.Number)
						continue
					}
					if assert.True(t, found, want.Number) {
						assert.Equal(t, want.ID, got.ID)
						assert.Equal(t, want.PayerID, got.PayerID)
						assert.True(t, want.Amount.Equal(got.Amount), "%s: %s", want.Number, got.Amount)
						assert.Equal(t, want.IssueDate, got.IssueDate)
						assert.Equal(t, want.DueDate, got.DueDate)
						assert.Equal(t, domain.InvoiceUnpaid, got.State)
					}
				}
				_, found := lookup.InvoiceByNumber("F9999999")
				assert.False(t, found)
				return nil
			}))
		})
	}
}
