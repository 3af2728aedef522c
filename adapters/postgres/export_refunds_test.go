package postgres

import "github.com/portail-factures/portail/ports"

// RefundSearchSQL returns the statements of one page and of the count of
// Refunds, with their arguments, for the query-plan test.
func RefundSearchSQL(q ports.RefundQuery) (page string, pageArgs []any, count string, countArgs []any) {
	f := refundFilter(q)
	page, pageArgs = f.page(refundSelect, refundOrder, q.Offset, q.Limit)
	count, countArgs = f.countUpTo("refunds", refundOrder, q.CountUpTo)
	return page, pageArgs, count, countArgs
}
