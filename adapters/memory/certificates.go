package memory

import (
	"bytes"
	"cmp"
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// PaidInvoices returns the paid invoices of one payer, or of a batch of
// the biller's payers, in a window of PaidAt (ports.CertificateStore).
// Every payer's batch walks the payers with invoices, sorted: O(P log P),
// enough for the demo and the tests.
func (t *tx) PaidInvoices(_ context.Context, q ports.PaidInvoiceQuery) ([]ports.PaidInvoice, error) {
	t, done, err := t.reading()
	if err != nil {
		return nil, err
	}
	defer done()
	payers := []uuid.UUID{q.PayerID}
	if q.PayerID == uuid.Nil {
		payers = payers[:0]
		for id := range t.t.invoicesByPayer {
			if bytes.Compare(id[:], q.AfterPayer[:]) > 0 {
				payers = append(payers, id)
			}
		}
		slices.SortFunc(payers, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	}
	var out []ports.PaidInvoice
	taken := 0
	for _, id := range payers {
		if q.PayerID == uuid.Nil && q.Payers > 0 && taken == q.Payers {
			break
		}
		var mine []ports.PaidInvoice
		for invID := range t.t.invoicesByPayer[id] {
			inv := t.t.invoices.rows[invID]
			if inv.BillerID != q.BillerID || inv.State != domain.InvoicePaid ||
				(!q.From.IsZero() && inv.PaidAt.Before(q.From)) || !inv.PaidAt.Before(q.To) {
				continue
			}
			row := ports.PaidInvoice{Invoice: inv}
			if pay, ok := t.t.payments.rows[inv.PaymentID]; ok && inv.PaymentID != uuid.Nil {
				pay = clonePayment(pay)
				row.Payment = &pay
			}
			mine = append(mine, row)
		}
		if len(mine) == 0 {
			continue
		}
		taken++
		slices.SortFunc(mine, func(a, b ports.PaidInvoice) int {
			return cmp.Or(a.Invoice.PaidAt.Compare(b.Invoice.PaidAt), cmp.Compare(a.Invoice.Number, b.Invoice.Number))
		})
		out = append(out, mine...)
	}
	return out, nil
}
