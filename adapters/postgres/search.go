package postgres

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"github.com/lib/pq"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The back office's searches: one page of a biller's records and how many
// match. Each builds its WHERE clause from the criteria given (filter).

// The orders of the lists, those of the indexes of 0004_backoffice.sql.
const (
	paymentOrder       = "created_at DESC, id DESC"
	invoiceSearchOrder = "issue_date DESC, number DESC, id DESC"
	payerSearchOrder   = `name COLLATE "C", external_ref, id`
	messageOrder       = "created_at DESC, id DESC"
)

// paymentFilter is the WHERE clause of q. The conditions of the partial
// indexes payments_unconfirmed_idx and payments_anomaly_idx are written
// as in the migration, so that the planner can use them.
func paymentFilter(q ports.PaymentQuery) *filter {
	f := where("biller_id = ?", q.BillerID)
	if !q.From.IsZero() {
		f.and("created_at >= ?", q.From)
	}
	if !q.Until.IsZero() {
		f.and("created_at < ?", q.Until)
	}
	if len(q.States) > 0 {
		f.and("state = ANY(?::text[])", stringsOf(q.States))
	}
	if q.PayerID != uuid.Nil {
		f.and("payer_id = ?", q.PayerID)
	}
	if q.Refdet != "" {
		f.and("refdet = ?", q.Refdet)
	}
	if q.Unconfirmed {
		f.and("state = 'paid' AND NOT confirmed")
	}
	if q.Confirmed {
		f.and("confirmed")
	}
	if q.Anomaly {
		f.and("anomaly <> ''")
	}
	return f
}

// Payments returns one page of the biller's payments matching q, newest
// first then by id descending, and how many match.
func (s *queries) Payments(ctx context.Context, q ports.PaymentQuery) ([]domain.Payment, int, error) {
	f := paymentFilter(q)
	total, err := s.countUpTo(ctx, "payments", "payments", paymentOrder, f, q.CountUpTo)
	if err != nil {
		return nil, 0, err
	}
	query, args := f.page(paymentSelect, paymentOrder, q.Offset, q.Limit)
	var rows []paymentRow
	if err := s.list(ctx, &rows, "payments", query, args...); err != nil {
		return nil, 0, err
	}
	out := make([]domain.Payment, len(rows))
	for i, r := range rows {
		if out[i], err = r.payment(); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// invoiceFilter is the WHERE clause of q; Declared is written as the
// condition of invoices_declared_idx.
func invoiceFilter(q ports.InvoiceSearch) *filter {
	f := where("biller_id = ?", q.BillerID)
	if q.PayerID != uuid.Nil {
		f.and("payer_id = ?", q.PayerID)
	}
	if q.Number != "" {
		f.and("number = ?", q.Number)
	}
	if len(q.States) > 0 {
		f.and("state = ANY(?::text[])", stringsOf(q.States))
	}
	if q.Declared {
		f.and("state = 'unpaid' AND declared_paid_at IS NOT NULL")
	}
	return f
}

// SearchInvoices returns one page of the biller's invoices matching q,
// newest issue date first, then by number descending (byte order), and
// how many match.
func (s *queries) SearchInvoices(ctx context.Context, q ports.InvoiceSearch) ([]domain.Invoice, int, error) {
	f := invoiceFilter(q)
	total, err := s.countUpTo(ctx, "invoices", "invoices", invoiceSearchOrder, f, q.CountUpTo)
	if err != nil {
		return nil, 0, err
	}
	query, args := f.page(invoiceSelect, invoiceSearchOrder, q.Offset, q.Limit)
	var rows []invoiceRow
	if err := s.list(ctx, &rows, "invoices", query, args...); err != nil {
		return nil, 0, err
	}
	return invoicesOf(rows), total, nil
}

// payerFilter is the WHERE clause of q: the text is the external
// reference, the email, or the start of the name, each condition written
// so that one index answers it (payers_biller_ref_key,
// payers_biller_email_key, payers_biller_lower_name_idx).
func payerFilter(q ports.PayerSearch) *filter {
	f := where("biller_id = ?", q.BillerID)
	text := strings.TrimSpace(q.Text)
	if text == "" {
		return f
	}
	email := domain.NormalizeEmail(text)
	return f.and(`(external_ref = ?
	OR (email <> '' AND lower(email) = lower(?))
	OR starts_with(lower(name) COLLATE "C", lower(?) COLLATE "C"))`, text, email, text)
}

// SearchPayers returns one page of the biller's payers matching q, by name
// (byte order) then external reference, and how many match.
func (s *queries) SearchPayers(ctx context.Context, q ports.PayerSearch) ([]domain.Payer, int, error) {
	f := payerFilter(q)
	total, err := s.count(ctx, "payers", "payers", f)
	if err != nil {
		return nil, 0, err
	}
	query, args := f.page(payerSelect, payerSearchOrder, q.Offset, q.Limit)
	var rows []payerRow
	if err := s.list(ctx, &rows, "payers", query, args...); err != nil {
		return nil, 0, err
	}
	out := make([]domain.Payer, len(rows))
	for i, r := range rows {
		out[i] = r.payer()
	}
	return out, total, nil
}

// Message returns the message with id.
func (s *queries) Message(ctx context.Context, id uuid.UUID) (domain.Message, error) {
	var r messageRow
	if err := s.get(ctx, &r, "message "+id.String(), messageSelect+" WHERE id = $1", id); err != nil {
		return domain.Message{}, err
	}
	return r.message(), nil
}

// messageFilter is the WHERE clause of q.
func messageFilter(q ports.MessageSearch) *filter {
	f := where("biller_id = ?", q.BillerID)
	if q.PayerID != uuid.Nil {
		f.and("payer_id = ?", q.PayerID)
	}
	if q.State != "" {
		f.and("state = ?", string(q.State))
	}
	if q.Kind != "" {
		f.and("kind = ?", string(q.Kind))
	}
	return f
}

// SearchMessages returns one page of the biller's messages matching q,
// newest first then by id descending, and how many match.
func (s *queries) SearchMessages(ctx context.Context, q ports.MessageSearch) ([]domain.Message, int, error) {
	f := messageFilter(q)
	total, err := s.count(ctx, "messages", "messages", f)
	if err != nil {
		return nil, 0, err
	}
	query, args := f.page(messageSelect, messageOrder, q.Offset, q.Limit)
	var rows []messageRow
	if err := s.list(ctx, &rows, "messages", query, args...); err != nil {
		return nil, 0, err
	}
	out := make([]domain.Message, len(rows))
	for i, r := range rows {
		out[i] = r.message()
	}
	return out, total, nil
}

// stringsOf is a text[] parameter of codes (states).
func stringsOf[T ~string](codes []T) pq.StringArray {
	out := make(pq.StringArray, len(codes))
	for i, c := range codes {
		out[i] = string(c)
	}
	return out
}
