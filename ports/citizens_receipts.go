package ports

import (
	"context"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// A paid invoice's receipt, as the citizen sees it (core_receipts.go
// builds it).

// InvoiceReceipt returns the receipt of one of the citizen's paid
// invoices, with its verification code: the receipt of the payment that
// settled it (all its invoices), or of the service's recording. Another
// payer's invoice, or one that does not exist, gives domain.ErrNotFound
// alike; an invoice of theirs without a receipt (unpaid, a test payment)
// domain.ErrNoReceipt.
func (p Citizens) InvoiceReceipt(ctx context.Context, c Citizen, invoiceID uuid.UUID) (domain.Receipt, error) {
	inv, b, err := p.ownInvoice(ctx, p.store, c, invoiceID)
	if err != nil {
		return domain.Receipt{}, err
	}
	_, payer, err := p.citizenAccount(ctx, c)
	if err != nil {
		return domain.Receipt{}, err
	}
	r, err := p.receiptOfInvoice(ctx, p.store, b, payer, inv)
	if err != nil {
		return domain.Receipt{}, err
	}
	return p.withCode(ctx, p.store, r)
}

// InvoiceReceiptPDF returns the receipt of InvoiceReceipt as a PDF file,
// with its file name; errors as InvoiceReceipt.
func (p Citizens) InvoiceReceiptPDF(ctx context.Context, c Citizen, invoiceID uuid.UUID) (name string, data []byte, err error) {
	r, err := p.InvoiceReceipt(ctx, c, invoiceID)
	if err != nil {
		return "", nil, err
	}
	b, err := p.biller(ctx, c.BillerID)
	if err != nil {
		return "", nil, domain.WrapInternal(err)
	}
	data, err = p.receiptPDF(b, r, invoiceID)
	return r.FileName(), data, err
}
