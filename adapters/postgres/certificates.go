package postgres

import (
	"context"
	"database/sql"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The yearly certificates' reads (ports.CertificateStore), on the index
// invoices_paid_payer_idx (0015_certificates.sql).
var (
	paidInvoicesOfPayerSQL = invoiceSelect + `
WHERE biller_id = $1 AND payer_id = $2 AND state = 'paid' AND paid_at >= $3 AND paid_at < $4
ORDER BY paid_at, number`
	// paidInvoicesOfPayersSQL takes the batch's payers first, in the
	// index's order, then their invoices.
	paidInvoicesOfPayersSQL = `WITH batch AS (
	SELECT DISTINCT payer_id FROM invoices
	WHERE biller_id = $1 AND state = 'paid' AND payer_id > $2 AND paid_at >= $3 AND paid_at < $4
	ORDER BY payer_id LIMIT $5
)
SELECT ` + invoiceColumns.names() + ` FROM invoices JOIN batch USING (payer_id)
WHERE biller_id = $1 AND state = 'paid' AND paid_at >= $3 AND paid_at < $4
ORDER BY payer_id, paid_at, number`
	paymentsByIDSQL = paymentSelect + ` WHERE id = ANY($1::uuid[])`
)

// earliest stands for "no lower bound" on paid_at.
var earliest = time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC)

// PaidInvoices returns the paid invoices of one payer, or of a batch of
// the biller's payers, in a window of PaidAt, with their payments read by
// a second statement.
func (s *queries) PaidInvoices(ctx context.Context, q ports.PaidInvoiceQuery) ([]ports.PaidInvoice, error) {
	from := q.From
	if from.IsZero() {
		from = earliest
	}
	var rows []invoiceRow
	var err error
	if q.PayerID != uuid.Nil {
		err = s.list(ctx, &rows, "paid invoices of a payer", paidInvoicesOfPayerSQL, q.BillerID, q.PayerID, from, q.To)
	} else {
		limit := sql.NullInt64{Int64: int64(q.Payers), Valid: q.Payers > 0}
		err = s.list(ctx, &rows, "paid invoices of payers", paidInvoicesOfPayersSQL, q.BillerID, q.AfterPayer, from, q.To, limit)
	}
	if err != nil {
		return nil, err
	}
	out := make([]ports.PaidInvoice, len(rows))
	var ids []uuid.UUID
	for i, r := range rows {
		out[i].Invoice = r.invoice()
		if id := out[i].Invoice.PaymentID; id != uuid.Nil {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	pays, err := s.payments(ctx, "payments of paid invoices", paymentsByIDSQL, idArray(ids))
	if err != nil {
		return nil, err
	}
	byID := make(map[uuid.UUID]*domain.Payment, len(pays))
	for i := range pays {
		byID[pays[i].ID] = &pays[i]
	}
	for i := range out {
		if p, ok := byID[out[i].Invoice.PaymentID]; ok {
			out[i].Payment = p
		}
	}
	return out, nil
}
