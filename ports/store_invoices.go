package ports

import (
	"context"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// InvoiceStore keeps the invoices and lists a payer's.
type InvoiceStore interface {
	Invoice(ctx context.Context, id uuid.UUID) (domain.Invoice, error)
	InvoiceByNumber(ctx context.Context, billerID uuid.UUID, number string) (domain.Invoice, error)
	// InvoicesForUpdate returns the invoices with these ids in the order
	// given, locked until the transaction ends; NotFound if one is missing.
	InvoicesForUpdate(ctx context.Context, ids []uuid.UUID) ([]domain.Invoice, error)
	// ListInvoices returns one page of a payer's invoices in one tab
	// (domain.Invoice.Tab), newest issue date first, then by number
	// descending (byte order), and the number of invoices in that tab.
	// An unknown tab is Invalid.
	ListInvoices(ctx context.Context, q InvoiceQuery) ([]domain.Invoice, int, error)
	// InvoicesDueBefore returns up to limit unpaid invoices of the biller
	// whose due date is strictly before due, oldest due date first.
	InvoicesDueBefore(ctx context.Context, billerID uuid.UUID, due domain.Date, limit int) ([]domain.Invoice, error)
	// SaveInvoice returns Conflict when another invoice of the biller has
	// the same number.
	SaveInvoice(ctx context.Context, inv domain.Invoice) error
}

// InvoiceQuery selects one page of a payer's invoices in one tab.
type InvoiceQuery struct {
	PayerID uuid.UUID
	Tab     domain.Tab
	Offset  int
	Limit   int
}
