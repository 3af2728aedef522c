package ports

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// CertificateStore reads what the yearly certificates list: the paid
// invoices of a payer, or of every payer of a biller in batches, with the
// payment that settled each. The domain decides which of them count
// (domain.CertificateLine, domain.NewCertificate).
type CertificateStore interface {
	// PaidInvoices returns the biller's invoices in state paid whose
	// PaidAt is in [From, To): the payer's when PayerID is set; otherwise
	// those of the first Payers payers (by id) after AfterPayer that have
	// one, so that a caller walks every payer in batches. Ordered by payer
	// id, PaidAt and number; each with the payment that settled it (nil
	// for one recorded by the service).
	PaidInvoices(ctx context.Context, q PaidInvoiceQuery) ([]PaidInvoice, error)
}

// PaidInvoiceQuery selects the paid invoices of PaidInvoices.
type PaidInvoiceQuery struct {
	BillerID uuid.UUID
	// PayerID: one payer's invoices; Nil: every payer's, in batches.
	PayerID uuid.UUID
	// From and To bound PaidAt: [From, To). A zero From has no lower bound.
	From, To time.Time
	// AfterPayer and Payers page the payers when PayerID is Nil; Payers
	// zero or less: every payer.
	AfterPayer uuid.UUID
	Payers     int
}

// PaidInvoice is a paid invoice with the payment that settled it.
type PaidInvoice struct {
	Invoice domain.Invoice
	// Payment is nil for an invoice recorded as paid by the service.
	Payment *domain.Payment
}
