package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/postgres"
	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

// envBenchNotices sets the invoices of BenchmarkNoticeJobs: 1000000 for
// the figures of README; the default runs in seconds.
const envBenchNotices = "PORTAL_BENCH_NOTICE_INVOICES"

// BenchmarkNoticeJobs measures the reminders and new-invoice notice jobs
// on PostgreSQL: n unpaid invoices (n = $PORTAL_BENCH_NOTICE_INVOICES,
// 20 000 by default), ten per payer, every payer with an active account,
// all due in three days and arrived an hour ago, so that each job has all
// n to mail about. Written by SQL, then VACUUM ANALYZE, on a server of
// its own with pg_stat_statements. It prints, for each job's first run
// (everything to send) and second run (nothing left: the hourly cost once
// the invoices are done), the time, the writing transactions (transaction
// ids taken), the statements the portal sent (pg_stat_statements, BEGIN
// and COMMIT apart) and the anchor in the same run: PostgreSQL alone
// recording the same n rows in invoice_notices with one INSERT … SELECT
// over the same index, rolled back.
func BenchmarkNoticeJobs(b *testing.B) {
	n := 20000
	if v := os.Getenv(envBenchNotices); v != "" {
		var err error
		n, err = strconv.Atoi(v)
		require.NoError(b, err, envBenchNotices)
	}
	ctx := context.Background()
	srv, err := pgtest.StartServer("shared_preload_libraries = 'pg_stat_statements'\npg_stat_statements.track = top\npg_stat_statements.track_utility = on")
	if err != nil {
		b.Skipf("PostgreSQL with pg_stat_statements: %v", err)
	}
	b.Cleanup(func() { _ = srv.Stop() })
	u := srv.URL("postgres")
	store, err := postgres.Open(ctx, u, postgres.Options{})
	require.NoError(b, err)
	b.Cleanup(func() { _ = store.Close() })
	_, err = store.Migrate(ctx)
	require.NoError(b, err)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	biller := portstest.NewBiller(b)
	biller.Reminders = domain.Reminders{Enabled: true, DaysBefore: 5, DaysAfter: domain.DefaultReminderDaysAfter}
	portstest.MustSaveBiller(b, store, biller)
	raw, err := sql.Open("postgres", u)
	require.NoError(b, err)
	defer raw.Close()
	_, err = raw.ExecContext(ctx, "CREATE EXTENSION pg_stat_statements")
	require.NoError(b, err)

	start := time.Now()
	payers := (n + 9) / 10
	_, err = raw.ExecContext(ctx, `INSERT INTO payers (id, biller_id, external_ref, name, email, paperless, created_at, updated_at)
SELECT gen_random_uuid(), $1, 'FAM-' || i, 'Famille ' || i, 'famille' || i || '@example.fr', true, $3, $3 FROM generate_series(1, $2::int) AS i`,
		biller.ID, payers, now.AddDate(0, -1, 0))
	require.NoError(b, err)
	_, err = raw.ExecContext(ctx, `INSERT INTO accounts (id, biller_id, payer_id, email, password_hash, state, activated_at, created_at, updated_at)
SELECT gen_random_uuid(), biller_id, id, email, 'x', 'active', created_at, created_at, created_at FROM payers WHERE biller_id = $1`, biller.ID)
	require.NoError(b, err)
	_, err = raw.ExecContext(ctx, `INSERT INTO invoices (id, biller_id, payer_id, number, issue_date, due_date, amount, object, pdf,
	state, tab, created_at, updated_at, awaiting_confirmation)
SELECT gen_random_uuid(), p.biller_id, p.id, p.external_ref || '-' || k, $2::date - 20, $2::date + 3, 20.5 + k, 'Cantine, mois ' || k, '',
	'unpaid', 'non-reglees', $3, $3, false
FROM payers p, generate_series(1, 10) AS k WHERE p.biller_id = $1
LIMIT $4`, biller.ID, now, now.Add(-time.Hour), n)
	require.NoError(b, err)
	_, err = raw.ExecContext(ctx, "VACUUM ANALYZE")
	require.NoError(b, err)
	b.Logf("%d payers with an account and %d invoices written in %s", payers, n, time.Since(start).Round(time.Millisecond))

	p, err := ports.NewPortal(ports.Deps{Store: store, Sessions: store, Mailer: &portstest.Mailbox{}, Gateway: &portstest.FakeGateway{},
		Clock: portstest.NewFixedClock(now), Random: portstest.NewSeqRandom(1)},
		ports.Config{PublicURL: "https://factures.example.fr", Argon2: ports.Argon2Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	require.NoError(b, err)

	// xid is the next transaction id: asking for it takes one, and each
	// transaction that writes takes one more.
	xid := func() int64 {
		var c int64
		require.NoError(b, raw.QueryRowContext(ctx, "SELECT pg_current_xact_id()::text::bigint").Scan(&c))
		return c
	}
	// The anchor: the same rows recorded by PostgreSQL alone, in one
	// statement over the same index, rolled back.
	anchor := func(kind string) time.Duration {
		tx, err := raw.BeginTx(ctx, nil)
		require.NoError(b, err)
		defer func() { _ = tx.Rollback() }()
		start := time.Now()
		res, err := tx.ExecContext(ctx, `INSERT INTO invoice_notices (invoice_id, kind, biller_id, sent_at)
SELECT id, $2, biller_id, $3 FROM invoices WHERE biller_id = $1 AND state = 'unpaid' AND due_date = $4::date`, biller.ID, kind, now, now.AddDate(0, 0, 3))
		require.NoError(b, err)
		took := time.Since(start)
		rows, _ := res.RowsAffected()
		require.EqualValues(b, n, rows)
		return took
	}
	// statements counts the statements run since the last reset, leaving
	// out this benchmark's own: the portal's, and BEGIN/COMMIT apart.
	statements := func() (portal, control int64) {
		require.NoError(b, raw.QueryRowContext(ctx, `SELECT
	coalesce(sum(calls) FILTER (WHERE upper(split_part(ltrim(query), ' ', 1)) NOT IN ('BEGIN', 'COMMIT', 'ROLLBACK')), 0),
	coalesce(sum(calls) FILTER (WHERE upper(split_part(ltrim(query), ' ', 1)) IN ('BEGIN', 'COMMIT', 'ROLLBACK')), 0)
FROM pg_stat_statements
WHERE query NOT LIKE '%pg_stat_statements%' AND query NOT LIKE '%pg_current_xact_id%'`).Scan(&portal, &control))
		return portal, control
	}
	// heaviest prints the statements that took most of PostgreSQL's time
	// since the last reset.
	heaviest := func(name string) {
		rows, err := raw.QueryContext(ctx, `SELECT left(regexp_replace(query, '\s+', ' ', 'g'), 70), calls, total_exec_time
FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%' AND query NOT LIKE '%pg_current_xact_id%'
ORDER BY total_exec_time DESC LIMIT 5`)
		require.NoError(b, err)
		defer rows.Close()
		for rows.Next() {
			var (
				q     string
				calls int64
				ms    float64
			)
			require.NoError(b, rows.Scan(&q, &calls, &ms))
			fmt.Printf("  %s: %8.0f ms in %6d calls: %s\n", name, ms, calls, q)
		}
		require.NoError(b, rows.Err())
	}
	job := func(name string, run func(context.Context) (int, error), want int) {
		before := xid()
		_, err := raw.ExecContext(ctx, "SELECT pg_stat_statements_reset()")
		require.NoError(b, err)
		start := time.Now()
		got, err := run(ctx)
		took := time.Since(start)
		require.NoError(b, err)
		require.Equal(b, want, got, name)
		each := ""
		if got > 0 {
			each = fmt.Sprintf(" (%.1f µs each)", float64(took.Microseconds())/float64(got))
		}
		writing := xid() - before - 1
		portal, control := statements()
		perTx := ""
		if writing > 0 {
			perTx = fmt.Sprintf(" (%.2f per writing transaction)", float64(portal)/float64(writing))
		}
		fmt.Printf("%s: %d invoices in %s%s, %d writing transactions, %d statements%s + %d BEGIN/COMMIT\n",
			name, got, took.Round(time.Millisecond), each, writing, portal, perTx, control)
		if got > 0 {
			heaviest(name)
		}
	}

	for b.Loop() {
		fmt.Printf("anchor, INSERT … SELECT of %d reminders (rolled back): %s\n", n, anchor("reminder_before").Round(time.Millisecond))
		job("reminders, first run", p.Jobs().RunReminders, n)
		job("reminders, second run", p.Jobs().RunReminders, 0)
		fmt.Printf("anchor, INSERT … SELECT of %d notices (rolled back): %s\n", n, anchor("new_invoice").Round(time.Millisecond))
		job("notices, first run", p.Jobs().RunNotices, n)
		job("notices, second run", p.Jobs().RunNotices, 0)
		var reminders, notices int
		require.NoError(b, raw.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE subject LIKE 'Rappel%'), count(*) FILTER (WHERE subject NOT LIKE 'Rappel%') FROM outbox`).Scan(&reminders, &notices))
		fmt.Printf("mails queued: %d reminders, %d notices, for %d payers\n", reminders, notices, payers)
	}
}
