package postgres

import (
	"context"
	"database/sql"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The double payments to refund (migrations 0007_refunds,
// 0009_refund_cancelled).

var (
	refundColumns = cols("id", "biller_id", "payer_id", "invoice_id", "invoice_number", "amount",
		"payment_id", "refdet", "operation_id", "authorization_code", "transaction_at",
		"earlier_payment_id", "earlier_refdet", "earlier_paid_at", "created_at", "refunded_at", "refunded_by",
		"cancelled_at", "cancel_reason")
	refundSelect = "SELECT " + refundColumns.names() + " FROM refunds"
	refundUpsert = refundColumns.upsert("refunds")
	// refundOrder is the list's order, that of refunds_biller_idx.
	refundOrder = "created_at DESC, id DESC"
)

type refundRow struct {
	ID               uuid.UUID       `db:"id"`
	BillerID         uuid.UUID       `db:"biller_id"`
	PayerID          uuid.UUID       `db:"payer_id"`
	InvoiceID        uuid.UUID       `db:"invoice_id"`
	InvoiceNumber    string          `db:"invoice_number"`
	Amount           decimal.Decimal `db:"amount"`
	PaymentID        uuid.UUID       `db:"payment_id"`
	Refdet           string          `db:"refdet"`
	OperationID      string          `db:"operation_id"`
	Authorization    string          `db:"authorization_code"`
	TransactionAt    sql.NullTime    `db:"transaction_at"`
	EarlierPaymentID uuid.NullUUID   `db:"earlier_payment_id"`
	EarlierRefdet    string          `db:"earlier_refdet"`
	EarlierPaidAt    sql.NullTime    `db:"earlier_paid_at"`
	CreatedAt        time.Time       `db:"created_at"`
	RefundedAt       sql.NullTime    `db:"refunded_at"`
	RefundedBy       string          `db:"refunded_by"`
	CancelledAt      sql.NullTime    `db:"cancelled_at"`
	CancelReason     string          `db:"cancel_reason"`
}

func (r refundRow) refund() domain.Refund {
	return domain.Refund{
		ID: r.ID, BillerID: r.BillerID, PayerID: r.PayerID, InvoiceID: r.InvoiceID, InvoiceNumber: r.InvoiceNumber,
		Amount: r.Amount, PaymentID: r.PaymentID, Refdet: r.Refdet, OperationID: r.OperationID,
		Authorization: r.Authorization, TransactionAt: timeOf(r.TransactionAt),
		EarlierPaymentID: idOf(r.EarlierPaymentID), EarlierRefdet: r.EarlierRefdet, EarlierPaidAt: timeOf(r.EarlierPaidAt),
		CreatedAt: r.CreatedAt, RefundedAt: timeOf(r.RefundedAt), RefundedBy: r.RefundedBy,
		CancelledAt: timeOf(r.CancelledAt), CancelReason: r.CancelReason,
	}
}

func refundList(rows []refundRow) []domain.Refund {
	out := make([]domain.Refund, len(rows))
	for i, r := range rows {
		out[i] = r.refund()
	}
	return out
}

// SaveRefund inserts or replaces r; Conflict when another refund has its
// payment and invoice.
func (s *queries) SaveRefund(ctx context.Context, r domain.Refund) error {
	_, err := s.exec(ctx, "save refund", refundUpsert, r.ID, r.BillerID, r.PayerID, r.InvoiceID, r.InvoiceNumber,
		amountArg(r.Amount), r.PaymentID, r.Refdet, r.OperationID, r.Authorization, nullTime(r.TransactionAt),
		nullID(r.EarlierPaymentID), r.EarlierRefdet, nullTime(r.EarlierPaidAt), r.CreatedAt,
		nullTime(r.RefundedAt), r.RefundedBy, nullTime(r.CancelledAt), r.CancelReason)
	return err
}

func (s *queries) refund(ctx context.Context, where string, id uuid.UUID) (domain.Refund, error) {
	var r refundRow
	if err := s.get(ctx, &r, "refund "+id.String(), refundSelect+" WHERE "+where, id); err != nil {
		return domain.Refund{}, err
	}
	return r.refund(), nil
}

// Refund returns the refund with id.
func (s *queries) Refund(ctx context.Context, id uuid.UUID) (domain.Refund, error) {
	return s.refund(ctx, "id = $1", id)
}

// RefundForUpdate returns the refund with id, locked until the
// transaction ends. Outside Atomic it is a plain read.
func (s *queries) RefundForUpdate(ctx context.Context, id uuid.UUID) (domain.Refund, error) {
	return s.refund(ctx, "id = $1 FOR UPDATE", id)
}

// RefundsByInvoice returns the invoice's refunds, oldest first.
func (s *queries) RefundsByInvoice(ctx context.Context, invoiceID uuid.UUID) ([]domain.Refund, error) {
	var rows []refundRow
	if err := s.list(ctx, &rows, "refunds by invoice", refundSelect+" WHERE invoice_id = $1 ORDER BY created_at, id", invoiceID); err != nil {
		return nil, err
	}
	return refundList(rows), nil
}

// Refunds returns one page of the biller's refunds matching q, newest
// first, and how many match (up to q.CountUpTo).
func (s *queries) Refunds(ctx context.Context, q ports.RefundQuery) ([]domain.Refund, int, error) {
	f := refundFilter(q)
	total, err := s.countUpTo(ctx, "refunds", "refunds", refundOrder, f, q.CountUpTo)
	if err != nil {
		return nil, 0, err
	}
	query, args := f.page(refundSelect, refundOrder, q.Offset, q.Limit)
	var rows []refundRow
	if err := s.list(ctx, &rows, "refunds", query, args...); err != nil {
		return nil, 0, err
	}
	return refundList(rows), total, nil
}

// refundFilter is the WHERE clause of q; the refunds to do are written
// with the condition of refunds_biller_pending_idx. A refund is refunded,
// else cancelled, else to do, as domain.Refund.State says.
func refundFilter(q ports.RefundQuery) *filter {
	f := where("biller_id = ?", q.BillerID)
	switch q.State {
	case domain.RefundPending:
		f.and("refunded_at IS NULL")
		f.and("cancelled_at IS NULL")
	case domain.RefundRefunded:
		f.and("refunded_at IS NOT NULL")
	case domain.RefundCancelled:
		f.and("refunded_at IS NULL")
		f.and("cancelled_at IS NOT NULL")
	}
	return f
}
