package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The dashboard charts' summary (0019_board.sql), rewritten by
// RefreshBoard and read by BoardFigures.

const (
	// boardLockSQL keeps two instances' refreshes from running at once
	// (the second waits, then computes again); the key spells "board".
	boardLockSQL = `SELECT pg_advisory_xact_lock(x'626f617264'::bigint)`

	// refreshBoardMonthsSQL computes every biller's months from $1 to $2
	// (first days): paid invoices by Paris month of paid_at in [$3, $4),
	// one pass over the invoices of the window; payers by Paris month of
	// their creation, and accounts +1 by month of their activation and -1
	// by month of their closure (an account closed later still counts in
	// the months it was active), kept (MATERIALIZED: a few rows per
	// biller and month) and summed up to each month's end.
	refreshBoardMonthsSQL = `INSERT INTO board_months (biller_id, month, online, counter, declared,
	paid_online, paid_counter, paid_declared, payers, activated)
WITH months AS (
	SELECT m::date AS month FROM generate_series($1::date, $2::date, interval '1 month') AS m
), paid AS (
	SELECT biller_id, date_trunc('month', paid_at AT TIME ZONE 'Europe/Paris')::date AS month,
		coalesce(sum(amount) FILTER (WHERE payment_id IS NOT NULL), 0) AS online,
		coalesce(sum(amount) FILTER (WHERE payment_id IS NULL AND declared_paid_at IS NULL), 0) AS counter,
		coalesce(sum(amount) FILTER (WHERE payment_id IS NULL AND declared_paid_at IS NOT NULL), 0) AS declared,
		count(*) FILTER (WHERE payment_id IS NOT NULL) AS paid_online,
		count(*) FILTER (WHERE payment_id IS NULL AND declared_paid_at IS NULL) AS paid_counter,
		count(*) FILTER (WHERE payment_id IS NULL AND declared_paid_at IS NOT NULL) AS paid_declared
	FROM invoices
	WHERE state = 'paid' AND paid_at >= $3 AND paid_at < $4
	GROUP BY 1, 2
), new_payers AS MATERIALIZED (
	SELECT biller_id, date_trunc('month', created_at AT TIME ZONE 'Europe/Paris')::date AS month, count(*) AS n
	FROM payers WHERE created_at < $4 GROUP BY 1, 2
), activations AS MATERIALIZED (
	SELECT biller_id, month, sum(n) AS n FROM (
		SELECT biller_id, date_trunc('month', activated_at AT TIME ZONE 'Europe/Paris')::date AS month, 1 AS n
		FROM accounts WHERE activated_at < $4
		UNION ALL
		SELECT biller_id, date_trunc('month', closed_at AT TIME ZONE 'Europe/Paris')::date, -1
		FROM accounts WHERE activated_at IS NOT NULL AND closed_at < $4
	) AS changes GROUP BY 1, 2
)
SELECT b.id, m.month,
	coalesce(p.online, 0), coalesce(p.counter, 0), coalesce(p.declared, 0),
	coalesce(p.paid_online, 0), coalesce(p.paid_counter, 0), coalesce(p.paid_declared, 0),
	(SELECT coalesce(sum(n), 0) FROM new_payers x WHERE x.biller_id = b.id AND x.month <= m.month),
	(SELECT coalesce(sum(n), 0) FROM activations x WHERE x.biller_id = b.id AND x.month <= m.month)
FROM billers b CROSS JOIN months m
LEFT JOIN paid p ON p.biller_id = b.id AND p.month = m.month`

	// refreshBoardOutstandingSQL totals the unpaid invoices by biller and
	// due date (over invoices_unpaid_due_idx, the unpaid ones only).
	refreshBoardOutstandingSQL = `INSERT INTO board_outstanding (biller_id, due_date, amount, invoices)
SELECT biller_id, due_date, sum(amount), count(*) FROM invoices WHERE state = 'unpaid' GROUP BY 1, 2`

	refreshedBoardSQL = `INSERT INTO board_refreshes (only_one, refreshed_at) VALUES (true, $1)
ON CONFLICT (only_one) DO UPDATE SET refreshed_at = excluded.refreshed_at`

	boardMonthsSQL = `SELECT month, online, counter, declared, paid_online, paid_counter, paid_declared, payers, activated
FROM board_months WHERE biller_id = $1 AND month BETWEEN $2 AND $3 ORDER BY month`

	boardOutstandingSQL = `SELECT due_date, amount, invoices FROM board_outstanding WHERE biller_id = $1 ORDER BY due_date`

	boardRefreshedSQL = `SELECT refreshed_at FROM board_refreshes`
)

// RefreshBoard rewrites the summary: in a transaction (ports.Jobs runs it
// in Atomic), readers see the former figures until it commits. Run on the
// pool, its statements would each commit alone.
func (s *queries) RefreshBoard(ctx context.Context, from, now time.Time) error {
	first, last := domain.MonthOf(from), domain.MonthOf(now)
	steps := []struct {
		what, sql string
		args      []any
	}{
		{"board lock", boardLockSQL, nil},
		// Compiling the months' statement costs more than it saves: at
		// 200 000 invoices JIT took 1.7 s of a 2.1 s run (README,
		// "Dashboard charts").
		{"board jit", "SET LOCAL jit = off", nil},
		{"board months", "DELETE FROM board_months", nil},
		{"board months", refreshBoardMonthsSQL, []any{dateArg(first), dateArg(last),
			first.Time(domain.Paris), last.AddMonths(1).Time(domain.Paris)}},
		{"board outstanding", "DELETE FROM board_outstanding", nil},
		{"board outstanding", refreshBoardOutstandingSQL, nil},
		{"board refreshed", refreshedBoardSQL, []any{now}},
	}
	for _, st := range steps {
		if _, err := s.exec(ctx, st.what, st.sql, st.args...); err != nil {
			return err
		}
	}
	return nil
}

type boardMonthRow struct {
	Month        date            `db:"month"`
	Online       decimal.Decimal `db:"online"`
	Counter      decimal.Decimal `db:"counter"`
	Declared     decimal.Decimal `db:"declared"`
	PaidOnline   int             `db:"paid_online"`
	PaidCounter  int             `db:"paid_counter"`
	PaidDeclared int             `db:"paid_declared"`
	Payers       int             `db:"payers"`
	Activated    int             `db:"activated"`
}

type outstandingRow struct {
	Due      date            `db:"due_date"`
	Amount   decimal.Decimal `db:"amount"`
	Invoices int             `db:"invoices"`
}

// BoardFigures reads the biller's summary as the last RefreshBoard left
// it: three reads by primary key. A month the summary lacks (not computed
// yet) has zeros.
func (s *queries) BoardFigures(ctx context.Context, billerID uuid.UUID, from, until time.Time) (ports.BoardFigures, error) {
	var fig ports.BoardFigures
	var at []time.Time
	if err := s.list(ctx, &at, "board refreshed", boardRefreshedSQL); err != nil {
		return fig, err
	}
	if len(at) > 0 {
		fig.At = at[0]
	}
	first, last := domain.MonthOf(from), domain.MonthOf(until)
	var rows []boardMonthRow
	if err := s.list(ctx, &rows, "board months", boardMonthsSQL, billerID, dateArg(first), dateArg(last)); err != nil {
		return fig, err
	}
	byMonth := make(map[domain.Date]boardMonthRow, len(rows))
	for _, r := range rows {
		byMonth[domain.Date(r.Month)] = r
	}
	for m := first; !m.After(last); m = m.AddMonths(1) {
		r := byMonth[m]
		fig.Months = append(fig.Months, ports.BoardMonth{Month: m,
			Collected: map[domain.PaymentChannel]decimal.Decimal{
				domain.ChannelOnline: r.Online, domain.ChannelCounter: r.Counter, domain.ChannelDeclared: r.Declared},
			Invoices: map[domain.PaymentChannel]int{
				domain.ChannelOnline: r.PaidOnline, domain.ChannelCounter: r.PaidCounter, domain.ChannelDeclared: r.PaidDeclared},
			Payers: r.Payers, Activated: r.Activated})
	}
	var due []outstandingRow
	if err := s.list(ctx, &due, "board outstanding", boardOutstandingSQL, billerID); err != nil {
		return fig, err
	}
	for _, d := range due {
		fig.Outstanding = append(fig.Outstanding, ports.OutstandingDue{Due: domain.Date(d.Due), Amount: d.Amount, Invoices: d.Invoices})
	}
	return fig, nil
}
