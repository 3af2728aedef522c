package ports

import (
	"context"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// RefundStore keeps the double payments to refund (domain.Refund).
type RefundStore interface {
	// SaveRefund inserts or replaces the refund with its id; Conflict when
	// another refund has the same payment and invoice.
	SaveRefund(ctx context.Context, r domain.Refund) error
	Refund(ctx context.Context, id uuid.UUID) (domain.Refund, error)
	// RefundForUpdate returns the refund locked until the transaction ends.
	RefundForUpdate(ctx context.Context, id uuid.UUID) (domain.Refund, error)
	// RefundsByInvoice returns an invoice's refunds, oldest first (then
	// by id).
	RefundsByInvoice(ctx context.Context, invoiceID uuid.UUID) ([]domain.Refund, error)
	// Refunds returns one page of the biller's refunds matching q, newest
	// CreatedAt first (then by id descending), and how many match.
	Refunds(ctx context.Context, q RefundQuery) ([]domain.Refund, int, error)
}

// RefundQuery selects refunds of one biller. Zero fields match all.
type RefundQuery struct {
	BillerID uuid.UUID
	// State selects the refunds still to do, or those done.
	State  domain.RefundState
	Offset int
	Limit  int
	// CountUpTo bounds the count, as AuditQuery.CountUpTo.
	CountUpTo int
}
