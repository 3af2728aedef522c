package ports

import (
	"context"

	"github.com/google/uuid"
	"github.com/portail-factures/portail/domain"
)

// An invoice's PDF as the citizen sees it (core_documents.go reads it).

// InvoiceDocument returns the PDF of one of the citizen's invoices.
// Another payer's invoice, or one that does not exist, gives
// domain.ErrNotFound alike; an invoice of theirs without a stored PDF
// gives ErrNoDocument.
func (p Citizens) InvoiceDocument(ctx context.Context, c Citizen, invoiceID uuid.UUID) (domain.Document, error) {
	inv, _, err := p.ownInvoice(ctx, p.store, c, invoiceID)
	if err != nil {
		return domain.Document{}, err
	}
	return invoiceDocument(ctx, p.store, inv)
}

// InvoiceDocumentInfo describes the PDF of one of the citizen's invoices,
// its size included, without reading its bytes: errors as
// InvoiceDocument.
func (p Citizens) InvoiceDocumentInfo(ctx context.Context, c Citizen, invoiceID uuid.UUID) (DocumentInfo, error) {
	inv, _, err := p.ownInvoice(ctx, p.store, c, invoiceID)
	if err != nil {
		return DocumentInfo{}, err
	}
	info, ok, err := invoiceDocumentInfo(ctx, p.store, inv)
	if err != nil {
		return DocumentInfo{}, err
	}
	if !ok {
		return DocumentInfo{}, ErrNoDocument
	}
	return info, nil
}
