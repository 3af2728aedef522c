package postgres

import (
	"context"
	"strconv"
	"strings"
)

// filter builds the WHERE clause of a search from the criteria set, so
// that the planner sees only the conditions that apply and picks the
// index that fits them.
type filter struct {
	conds []string
	args  []any
}

// where starts a filter with cond.
func where(cond string, args ...any) *filter {
	f := &filter{}
	return f.and(cond, args...)
}

// and adds cond; each "?" in it stands for the next of args, in order.
func (f *filter) and(cond string, args ...any) *filter {
	for _, a := range args {
		f.args = append(f.args, a)
		cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(f.args)), 1)
	}
	f.conds = append(f.conds, cond)
	return f
}

func (f *filter) clause() string { return " WHERE " + strings.Join(f.conds, " AND ") }

// page returns the statement of one page of rows (sel, then the filter,
// then order) and its arguments, limit <= 0 meaning no limit.
func (f *filter) page(sel, order string, offset, limit int) (string, []any) {
	n := len(f.args)
	args := append(f.args[:n:n], limitOf(limit), max(offset, 0))
	return sel + f.clause() + " ORDER BY " + order +
		" LIMIT $" + strconv.Itoa(n+1) + " OFFSET $" + strconv.Itoa(n+2), args
}

// count returns how many rows of table match the filter.
func (s *queries) count(ctx context.Context, what, table string, f *filter) (int, error) {
	return s.countUpTo(ctx, what, table, "", f, 0)
}

// countUpTo returns how many rows of table match the filter, counting
// no further than upTo when it is positive (see filter.countUpTo).
func (s *queries) countUpTo(ctx context.Context, what, table, order string, f *filter, upTo int) (int, error) {
	var n int
	query, args := f.countUpTo(table, order, upTo)
	err := s.get(ctx, &n, "count "+what, query, args...)
	return n, err
}

// countUpTo returns the statement counting the rows of table that match,
// up to upTo when it is positive: the count then reads the first upTo
// rows in order, the list's order, so that the planner reads them from
// the list's index rather than from the table in physical order, which
// may hold millions of other billers' rows before the first match.
func (f *filter) countUpTo(table, order string, upTo int) (string, []any) {
	if upTo <= 0 {
		return "SELECT count(*) FROM " + table + f.clause(), f.args
	}
	n := len(f.args)
	return "SELECT count(*) FROM (SELECT 1 FROM " + table + f.clause() + " ORDER BY " + order +
		" LIMIT $" + strconv.Itoa(n+1) + ") AS upto", append(f.args[:n:n], upTo)
}
