package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The "sent once" record of notices and reminders (0013_notices.sql).
const (
	recordNoticeSQL = `INSERT INTO invoice_notices (invoice_id, kind, biller_id, sent_at)
VALUES ($1, $2, $3, $4) ON CONFLICT (invoice_id, kind) DO NOTHING`

	// recordNoticesSQL is recordNoticeSQL for a batch, in one statement:
	// RETURNING gives the rows inserted, not those another transaction
	// (instance) recorded first.
	recordNoticesSQL = `INSERT INTO invoice_notices (invoice_id, kind, biller_id, sent_at)
SELECT u.id, $2, $3, $4 FROM unnest($1::uuid[]) AS u(id)
ON CONFLICT (invoice_id, kind) DO NOTHING
RETURNING invoice_id`

	countNoticesSQL = `SELECT kind, count(*) AS n FROM invoice_notices
WHERE biller_id = $1 AND sent_at >= $2 GROUP BY kind`

	// payerNoticesSQL reads the payer's invoices by invoices_payer_tab_idx
	// and their notices by the primary key (invoice_id, kind).
	payerNoticesSQL = `SELECT n.invoice_id, i.number, n.kind, n.sent_at
FROM invoices i JOIN invoice_notices n ON n.invoice_id = i.id
WHERE i.payer_id = $1
ORDER BY n.sent_at DESC, i.number COLLATE "C", n.kind COLLATE "C"
LIMIT $2`
)

// invoicesToRemindSQL walks invoices_unpaid_due_idx (biller_id, due_date,
// number) from the key (due_date, number) > ($4, $5) on; the first batch
// starts from the day before the window with an empty number.
var invoicesToRemindSQL = invoiceSelect + ` i
WHERE i.biller_id = $1 AND i.state = 'unpaid' AND i.due_date BETWEEN $2 AND $3
	AND (i.due_date, i.number) > ($4::date, $5::text)
	AND NOT EXISTS (SELECT 1 FROM invoice_notices n WHERE n.invoice_id = i.id AND n.kind = $6)
ORDER BY i.due_date, i.number
LIMIT $7`

// invoicesToAnnounceSQL walks invoices_unpaid_created_idx (biller_id,
// created_at, id) from the key ($3, $4) on, and keeps the invoices whose
// payer's account (accounts_payer_key) may take the notice: the job's
// transaction checks them again (domain.Account.Announces). The first
// batch starts from Since with the nil id, below every other.
var invoicesToAnnounceSQL = invoiceSelect + ` i
WHERE i.biller_id = $1 AND i.state = 'unpaid' AND i.created_at >= $2
	AND (i.created_at, i.payer_id, i.id) > ($3::timestamptz, $4::uuid, $5::uuid)
	AND EXISTS (SELECT 1 FROM accounts a WHERE a.payer_id = i.payer_id
		AND a.state = 'active' AND NOT a.notices_off AND a.activated_at <= i.created_at)
	AND NOT EXISTS (SELECT 1 FROM invoice_notices n WHERE n.invoice_id = i.id AND n.kind = 'new_invoice')
ORDER BY i.created_at, i.payer_id, i.id
LIMIT $6`

// RecordNotice records the invoice's notice of kind once; false when it
// was recorded already.
func (s *queries) RecordNotice(ctx context.Context, billerID, invoiceID uuid.UUID, kind domain.NoticeKind, at time.Time) (bool, error) {
	n, err := s.exec(ctx, "record notice", recordNoticeSQL, invoiceID, string(kind), billerID, at)
	return n == 1, err
}

// RecordNotices records the invoices' notices of kind once each, and
// returns the ids recorded now.
func (s *queries) RecordNotices(ctx context.Context, billerID uuid.UUID, invoiceIDs []uuid.UUID, kind domain.NoticeKind, at time.Time) ([]uuid.UUID, error) {
	if len(invoiceIDs) == 0 {
		return nil, nil
	}
	var ids []uuid.UUID
	if err := s.list(ctx, &ids, "record notices", recordNoticesSQL, idArray(invoiceIDs), string(kind), billerID, at); err != nil {
		return nil, err
	}
	return ids, nil
}

// InvoicesToRemind returns one batch of the biller's unpaid invoices due
// in the query's window with no notice of its kind, after its key.
func (s *queries) InvoicesToRemind(ctx context.Context, q ports.RemindQuery) ([]domain.Invoice, error) {
	after := q.AfterDue
	if q.AfterNumber == "" {
		after = q.From.AddDays(-1)
	}
	var rows []invoiceRow
	if err := s.list(ctx, &rows, "invoices to remind", invoicesToRemindSQL, q.BillerID, dateArg(q.From), dateArg(q.To),
		dateArg(after), q.AfterNumber, string(q.Kind), limitOf(q.Limit)); err != nil {
		return nil, err
	}
	return invoicesOf(rows), nil
}

// CountNotices counts the biller's notices of each kind since since.
func (s *queries) CountNotices(ctx context.Context, billerID uuid.UUID, since time.Time) (map[domain.NoticeKind]int, error) {
	var rows []struct {
		Kind string `db:"kind"`
		N    int    `db:"n"`
	}
	if err := s.list(ctx, &rows, "count notices", countNoticesSQL, billerID, since); err != nil {
		return nil, err
	}
	out := make(map[domain.NoticeKind]int, len(rows))
	for _, r := range rows {
		out[domain.NoticeKind(r.Kind)] = r.N
	}
	return out, nil
}

// InvoicesToAnnounce returns one batch of the biller's unpaid invoices
// that arrived since the query's Since with no new-invoice notice and an
// account that may take one, after its key.
func (s *queries) InvoicesToAnnounce(ctx context.Context, q ports.AnnounceQuery) ([]domain.Invoice, error) {
	after, afterPayer, afterID := q.AfterCreated, q.AfterPayer, q.AfterID
	if afterID == uuid.Nil {
		after = q.Since
	}
	var rows []invoiceRow
	if err := s.list(ctx, &rows, "invoices to announce", invoicesToAnnounceSQL, q.BillerID, q.Since,
		after, afterPayer.String(), afterID.String(), limitOf(q.Limit)); err != nil {
		return nil, err
	}
	return invoicesOf(rows), nil
}

// PayerNotices returns the payer's recorded notices, newest first.
func (s *queries) PayerNotices(ctx context.Context, payerID uuid.UUID, limit int) ([]ports.SentNotice, error) {
	var rows []struct {
		InvoiceID uuid.UUID `db:"invoice_id"`
		Number    string    `db:"number"`
		Kind      string    `db:"kind"`
		SentAt    time.Time `db:"sent_at"`
	}
	if err := s.list(ctx, &rows, "payer notices", payerNoticesSQL, payerID, limitOf(limit)); err != nil {
		return nil, err
	}
	out := make([]ports.SentNotice, len(rows))
	for i, r := range rows {
		out[i] = ports.SentNotice{InvoiceID: r.InvoiceID, InvoiceNumber: r.Number, Kind: domain.NoticeKind(r.Kind), SentAt: r.SentAt}
	}
	return out, nil
}
