package postgres_test

import (
	"os"
	"regexp"
	"slices"
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

// envBenchBoard sets the invoices of BenchmarkBoardCharts: 10000000 for
// the figures of README ("Dashboard charts"). Unset, the benchmark is
// skipped: its data takes minutes to write.
const envBenchBoard = "PORTAL_BENCH_BOARD_INVOICES"

// BenchmarkBoardCharts measures the dashboard's charts (issue 16, part 5)
// on one biller holding n invoices (n = $PORTAL_BENCH_BOARD_INVOICES),
// written by SQL (generate_series) then VACUUM ANALYZE: n/10 payers
// created over five years, three in five with an active account; invoices
// issued over five years, 87 % paid (six in ten online, three at the
// counter, one on a confirmed declaration), 8 % unpaid due from 120 days
// ago to 30 days ahead, 5 % in treasury. It logs the board job's run
// (RefreshBoard, the whole summary), then, for each chart's query, the
// round trip timed from Go (median of 200) and PostgreSQL's own execution
// time of the same statement (EXPLAIN ANALYZE) as the anchor, and the
// same figures read straight from the invoices, the summary's reason.
func BenchmarkBoardCharts(b *testing.B) {
	v := os.Getenv(envBenchBoard)
	if v == "" {
		b.Skip(envBenchBoard + " unset: the benchmark writes millions of invoices")
	}
	n, err := strconv.Atoi(v)
	require.NoError(b, err, envBenchBoard)
	db := pgtest.NewDB(b)
	ctx := b.Context()
	now := time.Date(2026, time.November, 26, 9, 0, 0, 0, time.UTC)
	biller := portstest.NewBiller(b)
	portstest.MustSaveBiller(b, db, biller)
	// The online payments the paid invoices refer to: a pool of 100, as
	// the charts never read the payments.
	owner := portstest.NewPayer(b, biller, "OWNER")
	portstest.MustSavePayer(b, db, owner)
	account := portstest.NewAccount(b, owner)
	portstest.MustSaveAccount(b, db, account)
	for range 100 {
		p := portstest.NewPayment(b, biller, account)
		p.State = domain.PaymentPaid
		portstest.MustSavePayment(b, db, p)
	}

	start := time.Now()
	payers := max(1, n/10)
	step := func(what, sql string, args ...any) {
		b.Helper()
		t := time.Now()
		require.NoError(b, db.Exec(ctx, sql, args...), what)
		b.Logf("%s: %s", what, time.Since(t).Round(time.Millisecond))
	}
	step("payers", `INSERT INTO payers (id, biller_id, external_ref, name, email, paperless, created_at, updated_at)
SELECT gen_random_uuid(), $1, 'P' || i, 'Famille ' || i, 'f' || i || '@example.fr', false,
	$2::timestamptz - (i % 1800) * interval '1 day', $2::timestamptz - (i % 1800) * interval '1 day'
FROM generate_series(1, $3::int) AS i`, biller.ID, now, payers)
	step("accounts", `INSERT INTO accounts (id, biller_id, payer_id, email, password_hash, state, activated_at, created_at, updated_at)
SELECT gen_random_uuid(), biller_id, id, email, 'x', 'active', created_at + interval '20 days', created_at, created_at
FROM payers WHERE biller_id = $1 AND external_ref LIKE 'P%' AND substr(external_ref, 2)::int % 5 < 3`, biller.ID)
	step("payer numbers", `CREATE TABLE bench_payers AS
SELECT row_number() OVER () - 1 AS k, id FROM payers WHERE biller_id = $1 AND external_ref LIKE 'P%'`, biller.ID)
	step("payer numbers' index", `CREATE UNIQUE INDEX ON bench_payers (k)`)
	step("payment numbers", `CREATE TABLE bench_payments AS
SELECT row_number() OVER () - 1 AS k, id FROM payments WHERE biller_id = $1`, biller.ID)
	step("invoices", `INSERT INTO invoices (id, biller_id, payer_id, number, issue_date, due_date, amount, object, pdf,
	state, tab, paid_at, payment_id, declared_paid_at, treasury_at, created_at, updated_at, awaiting_confirmation)
SELECT gen_random_uuid(), $1, p.id, 'F' || i, x.issue, x.issue + 30, (1000 + i % 20000) / 100.0, 'Eau', '',
	x.state, CASE x.state WHEN 'paid' THEN 'reglees' WHEN 'unpaid' THEN 'non-reglees' ELSE 'tresorerie' END,
	CASE WHEN x.state = 'paid' THEN x.paid END,
	CASE WHEN x.state = 'paid' AND x.channel < 6 THEN (SELECT id FROM bench_payments WHERE k = i % 100) END,
	CASE WHEN x.state = 'paid' AND x.channel = 9 THEN x.paid END,
	CASE WHEN x.state = 'treasury' THEN x.issue + 70 END,
	$2, $2, false
FROM generate_series(0, $3::int - 1) AS i
JOIN bench_payers p ON p.k = i % $4
CROSS JOIN LATERAL (SELECT
	CASE WHEN i % 100 < 8 THEN 'unpaid' WHEN i % 100 < 95 THEN 'paid' ELSE 'treasury' END AS state,
	CASE WHEN i % 100 < 8 THEN $2::date - 150 + (i / 100) % 180 ELSE $2::date - 30 - (i / 100) % 1800 END AS issue,
	(i / 100) % 10 AS channel) AS x0
CROSS JOIN LATERAL (SELECT x0.*, least(x0.issue + (i % 40) * interval '1 day' + interval '10 hours', $2::timestamptz - interval '1 hour') AS paid) AS x`,
		biller.ID, now, n, payers)
	step("drop the numbers", `DROP TABLE bench_payers, bench_payments`)
	step("VACUUM ANALYZE", `VACUUM ANALYZE`)
	b.Logf("%d invoices of %d payers written in %s", n, payers, time.Since(start).Round(time.Second))

	from := domain.MonthOf(now).AddMonths(-(ports.ChartMonths - 1) - 12)
	t := time.Now()
	require.NoError(b, db.Atomic(ctx, func(tx ports.Tx) error { return tx.RefreshBoard(ctx, from.Time(domain.Paris), now) }))
	b.Logf("board job (RefreshBoard, every biller's summary): %s", time.Since(t).Round(time.Millisecond))
	t = time.Now()
	require.NoError(b, db.Atomic(ctx, func(tx ports.Tx) error { return tx.RefreshBoard(ctx, from.Time(domain.Paris), now) }))
	b.Logf("board job, second run: %s", time.Since(t).Round(time.Millisecond))
	for name, q := range map[string]struct {
		sql  string
		args []any
	}{
		"months":      {postgres.RefreshBoardMonthsSelect, []any{dateText(from), dateText(domain.MonthOf(now)), from.Time(domain.Paris), domain.MonthOf(now).AddMonths(1).Time(domain.Paris)}},
		"outstanding": {postgres.RefreshBoardOutstandingSelect, nil},
	} {
		plan, err := db.ExplainAnalyze(ctx, q.sql, q.args...)
		require.NoError(b, err)
		b.Logf("EXPLAIN ANALYZE of the board job's %s:\n%s", name, plan)
	}
	fig, err := db.BoardFigures(ctx, biller.ID, from.Time(domain.Paris), now)
	require.NoError(b, err)
	b.Logf("summary: %d months, %d due dates", len(fig.Months), len(fig.Outstanding))

	first, last := dateText(from), dateText(domain.MonthOf(now))
	queries := []struct {
		name, sql string
		args      []any
	}{
		{"collected per month and take-up (charts 1 and 3), summary", postgres.BoardMonthsSQL, []any{biller.ID, first, last}},
		{"outstanding by due date (chart 2), summary", postgres.BoardOutstandingSQL, []any{biller.ID}},
		{"collected per month, straight from the invoices", `SELECT date_trunc('month', paid_at AT TIME ZONE 'Europe/Paris') AS month,
	sum(amount) FILTER (WHERE payment_id IS NOT NULL), sum(amount) FILTER (WHERE payment_id IS NULL AND declared_paid_at IS NULL),
	sum(amount) FILTER (WHERE payment_id IS NULL AND declared_paid_at IS NOT NULL), count(*)
FROM invoices WHERE biller_id = $1 AND state = 'paid' AND paid_at >= $2 GROUP BY 1`, []any{biller.ID, from.Time(domain.Paris)}},
		{"outstanding by due date, straight from the invoices", `SELECT due_date, sum(amount), count(*)
FROM invoices WHERE biller_id = $1 AND state = 'unpaid' GROUP BY 1`, []any{biller.ID}},
	}
	for _, q := range queries {
		rounds := 200
		if regexp.MustCompile(`straight`).MatchString(q.name) {
			rounds = 3
		}
		var times []time.Duration
		for range rounds {
			d, err := db.TimeQuery(ctx, q.sql, q.args...)
			require.NoError(b, err, q.name)
			times = append(times, d)
		}
		slices.Sort(times)
		plan, err := db.ExplainAnalyze(ctx, q.sql, q.args...)
		require.NoError(b, err, q.name)
		b.Logf("%s: median %s from Go (%d runs); EXPLAIN ANALYZE:\n%s", q.name, times[len(times)/2], rounds, plan)
	}
	b.Run("BoardFigures", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.BoardFigures(ctx, biller.ID, from.Time(domain.Paris), now); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// dateText writes d as PostgreSQL reads a date.
func dateText(d domain.Date) string { return d.String() }
