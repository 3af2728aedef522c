package postgres

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

var (
	invoiceColumns = cols("id", "biller_id", "payer_id", "number", "issue_date", "due_date", "amount",
		"object", "pdf", "state", "tab", "paid_at", "payment_id", "declared_paid_at", "treasury_at",
		"locked_by", "locked_until", "created_at", "updated_at", "awaiting_confirmation")
	invoiceSelect = "SELECT " + invoiceColumns.names() + " FROM invoices"
	invoiceUpsert = invoiceColumns.upsert("invoices")
	// invoiceSet is invoiceUpsert's SET list (paymentStepSQL).
	invoiceSet = invoiceUpsert[strings.Index(invoiceUpsert, "DO UPDATE SET ")+len("DO UPDATE SET "):]

	// listInvoicesSQL is one page of a payer's tab; it and
	// countInvoicesSQL read the index invoices_payer_tab_idx alone.
	listInvoicesSQL = invoiceSelect + `
WHERE payer_id = $1 AND tab = $2
ORDER BY issue_date DESC, number DESC
LIMIT $3 OFFSET $4`
	countInvoicesSQL = `SELECT count(*) FROM invoices WHERE payer_id = $1 AND tab = $2`

	// Rows are locked in id order, whatever the order asked, so that two
	// transactions locking overlapping sets wait for each other instead
	// of deadlocking.
	invoicesForUpdateSQL = invoiceSelect + ` WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`

	invoicesDueBeforeSQL = invoiceSelect + `
WHERE biller_id = $1 AND state = 'unpaid' AND due_date < $2
ORDER BY due_date, number
LIMIT $3`
)

type invoiceRow struct {
	ID             uuid.UUID       `db:"id"`
	BillerID       uuid.UUID       `db:"biller_id"`
	PayerID        uuid.UUID       `db:"payer_id"`
	Number         string          `db:"number"`
	IssueDate      date            `db:"issue_date"`
	DueDate        date            `db:"due_date"`
	Amount         decimal.Decimal `db:"amount"`
	Object         string          `db:"object"`
	PDF            string          `db:"pdf"`
	State          string          `db:"state"`
	Tab            string          `db:"tab"`
	PaidAt         sql.NullTime    `db:"paid_at"`
	PaymentID      uuid.NullUUID   `db:"payment_id"`
	DeclaredPaidAt sql.NullTime    `db:"declared_paid_at"`
	TreasuryAt     sql.NullTime    `db:"treasury_at"`
	LockedBy       uuid.NullUUID   `db:"locked_by"`
	LockedUntil    sql.NullTime    `db:"locked_until"`
	CreatedAt      time.Time       `db:"created_at"`
	UpdatedAt      time.Time       `db:"updated_at"`
	// AwaitingConfirmation: domain.Invoice.AwaitingConfirmation.
	AwaitingConfirmation bool `db:"awaiting_confirmation"`
}

func (r invoiceRow) invoice() domain.Invoice {
	return domain.Invoice{
		ID: r.ID, BillerID: r.BillerID, PayerID: r.PayerID, Number: r.Number,
		IssueDate: domain.Date(r.IssueDate), DueDate: domain.Date(r.DueDate), Amount: r.Amount,
		Object: r.Object, PDF: r.PDF, State: domain.InvoiceState(r.State),
		PaidAt: timeOf(r.PaidAt), PaymentID: idOf(r.PaymentID), DeclaredPaidAt: timeOf(r.DeclaredPaidAt),
		TreasuryAt: timeOf(r.TreasuryAt), LockedBy: idOf(r.LockedBy), LockedUntil: timeOf(r.LockedUntil),
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, AwaitingConfirmation: r.AwaitingConfirmation,
	}
}

// invoiceArgs are the values of invoiceColumns. The tab is the domain's
// (Invoice.Tab), stored so that the lists filter on an index.
func invoiceArgs(inv domain.Invoice) []any {
	return []any{idArg(inv.ID), idArg(inv.BillerID), idArg(inv.PayerID), inv.Number, dateArg(inv.IssueDate), dateArg(inv.DueDate),
		amountArg(inv.Amount), inv.Object, inv.PDF, string(inv.State), string(inv.Tab()),
		nullTime(inv.PaidAt), nullID(inv.PaymentID), nullTime(inv.DeclaredPaidAt), nullTime(inv.TreasuryAt),
		nullID(inv.LockedBy), nullTime(inv.LockedUntil), inv.CreatedAt, inv.UpdatedAt, inv.AwaitingConfirmation}
}

func invoicesOf(rows []invoiceRow) []domain.Invoice {
	out := make([]domain.Invoice, len(rows))
	for i, r := range rows {
		out[i] = r.invoice()
	}
	return out
}

// Invoice returns the invoice with id.
func (s *queries) Invoice(ctx context.Context, id uuid.UUID) (domain.Invoice, error) {
	var r invoiceRow
	if err := s.get(ctx, &r, "invoice "+id.String(), invoiceSelect+" WHERE id = $1", id); err != nil {
		return domain.Invoice{}, err
	}
	return r.invoice(), nil
}

// InvoiceByNumber returns the biller's invoice numbered number.
func (s *queries) InvoiceByNumber(ctx context.Context, billerID uuid.UUID, number string) (domain.Invoice, error) {
	var r invoiceRow
	err := s.get(ctx, &r, "invoice by number", invoiceSelect+" WHERE biller_id = $1 AND number = $2", billerID, number)
	if err != nil {
		return domain.Invoice{}, err
	}
	return r.invoice(), nil
}

// InvoicesForUpdate returns the invoices with ids in the order given,
// locked until the transaction ends; NotFound if one is missing. Outside
// Atomic the locks end with the statement: it is a plain read.
func (s *queries) InvoicesForUpdate(ctx context.Context, ids []uuid.UUID) ([]domain.Invoice, error) {
	if len(ids) == 0 {
		return []domain.Invoice{}, nil
	}
	var rows []invoiceRow
	if err := s.list(ctx, &rows, "invoices for update", invoicesForUpdateSQL, idArray(ids)); err != nil {
		return nil, err
	}
	byID := make(map[uuid.UUID]domain.Invoice, len(rows))
	for _, r := range rows {
		byID[r.ID] = r.invoice()
	}
	out := make([]domain.Invoice, len(ids))
	for i, id := range ids {
		inv, ok := byID[id]
		if !ok {
			return nil, notFound("invoice %s", id)
		}
		out[i] = inv
	}
	return out, nil
}

// ListInvoices returns one page of a payer's invoices in one tab, newest
// issue date first then by number descending (byte order), and the
// number of invoices in the tab.
func (s *queries) ListInvoices(ctx context.Context, q ports.InvoiceQuery) ([]domain.Invoice, int, error) {
	if !q.Tab.Valid() {
		return nil, 0, domain.Errorf(domain.Invalid, "Liste de factures inconnue.")
	}
	var total int
	if err := s.get(ctx, &total, "count invoices", countInvoicesSQL, q.PayerID, string(q.Tab)); err != nil {
		return nil, 0, err
	}
	var rows []invoiceRow
	if err := s.list(ctx, &rows, "list invoices", listInvoicesSQL,
		q.PayerID, string(q.Tab), limitOf(q.Limit), max(q.Offset, 0)); err != nil {
		return nil, 0, err
	}
	return invoicesOf(rows), total, nil
}

// InvoicesDueBefore returns up to limit unpaid invoices of the biller due
// strictly before due, oldest due date first, then by number.
func (s *queries) InvoicesDueBefore(ctx context.Context, billerID uuid.UUID, due domain.Date, limit int) ([]domain.Invoice, error) {
	var rows []invoiceRow
	if err := s.list(ctx, &rows, "invoices due", invoicesDueBeforeSQL, billerID, dateArg(due), limitOf(limit)); err != nil {
		return nil, err
	}
	return invoicesOf(rows), nil
}

// SaveInvoice inserts or replaces inv; Conflict when another invoice of
// the biller has its number.
func (s *queries) SaveInvoice(ctx context.Context, inv domain.Invoice) error {
	_, err := s.exec(ctx, "save invoice", invoiceUpsert, invoiceArgs(inv)...)
	return err
}

// idArray is a uuid[] parameter.
func idArray(ids []uuid.UUID) pq.StringArray {
	out := make(pq.StringArray, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}
