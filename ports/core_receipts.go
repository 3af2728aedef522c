package ports

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// The payment receipts and yearly certificates: their content built by the
// domain, their verification codes kept by the VerificationStore, their
// PDF laid out by the PDFWriter (Deps.PDF).

// ErrNoPDF: the portal was built without a PDFWriter.
var ErrNoPDF = domain.Errorf(domain.Unavailable, "Le document PDF n'est pas disponible pour le moment. Vous pouvez imprimer la page.")

// PathReceipt is the citizen's page of an invoice's receipt, HTML; the PDF
// adds PathReceiptPDFSuffix.
func PathReceipt(invoiceID uuid.UUID) string { return "/factures/" + invoiceID.String() + "/recu" }

// PathReceiptPDFSuffix ends the address of a receipt's PDF.
const PathReceiptPDFSuffix = ".pdf"

// PathVerification is the public page that checks a document's code.
const PathVerification = "/verification"

// verificationTries bounds the draws of a new code: a collision of two
// codes is rare enough (23^12) that a second draw ends it.
const verificationTries = 5

// receiptOfInvoice builds the receipt that proves an invoice paid: the
// online payment's that settled it, or the service's recording. inv must
// be one of payer's.
func (p *Portal) receiptOfInvoice(ctx context.Context, tx Tx, b domain.Biller, payer domain.Payer, inv domain.Invoice) (domain.Receipt, error) {
	if inv.State != domain.InvoicePaid {
		return domain.Receipt{}, domain.ErrNoReceipt
	}
	if inv.PaymentID == uuid.Nil {
		return domain.NewRecordedReceipt(b, payer, inv)
	}
	pay, err := tx.Payment(ctx, inv.PaymentID)
	if err != nil {
		return domain.Receipt{}, notFoundAs(err, domain.ErrNoReceipt)
	}
	return p.receiptOfPayment(ctx, tx, b, payer, pay)
}

// receiptOfPayment builds the receipt of a payment, its invoices read.
func (p *Portal) receiptOfPayment(ctx context.Context, tx Tx, b domain.Biller, payer domain.Payer, pay domain.Payment) (domain.Receipt, error) {
	if !pay.Receipted() {
		return domain.Receipt{}, domain.ErrNoReceipt
	}
	invs := make([]domain.Invoice, 0, len(pay.InvoiceIDs))
	for _, id := range pay.InvoiceIDs {
		inv, err := tx.Invoice(ctx, id)
		if err != nil {
			return domain.Receipt{}, domain.WrapInternal(err)
		}
		invs = append(invs, inv)
	}
	return domain.NewPaymentReceipt(b, payer, pay, invs)
}

// issueCode gives the document v describes its verification code: the
// one it has, or a new one drawn until none other holds it.
func (p *Portal) issueCode(ctx context.Context, tx Tx, v func(code string) domain.Verification) (string, error) {
	for range verificationTries {
		random, err := p.randomBytes(domain.VerificationRandomBytes)
		if err != nil {
			return "", err
		}
		code := domain.NewVerificationCode(random)
		if code == "" {
			continue
		}
		kept, err := tx.IssueVerification(ctx, v(code))
		if domain.ErrorCode(err) == domain.Conflict {
			continue
		}
		if err != nil {
			return "", domain.WrapInternal(err)
		}
		return kept.Code, nil
	}
	return "", domain.WrapInternal(errors.New("no free verification code after several draws"))
}

// withCode returns r with its verification code.
func (p *Portal) withCode(ctx context.Context, tx Tx, r domain.Receipt) (domain.Receipt, error) {
	now := p.clock.Now()
	code, err := p.issueCode(ctx, tx, func(code string) domain.Verification { return r.Verification(code, now) })
	r.Code = code
	return r, err
}

// receiptPDF lays r out as PDF, linking to its HTML page.
func (p *Portal) receiptPDF(b domain.Biller, r domain.Receipt, invoiceID uuid.UUID) ([]byte, error) {
	if p.pdf == nil {
		return nil, ErrNoPDF
	}
	data, err := p.pdf.Receipt(r, p.SiteURL(b)+PathReceipt(invoiceID))
	if err != nil {
		return nil, domain.WrapInternal(err)
	}
	return data, nil
}

// mailsReceipt reports whether the payer's confirmation of pay comes with
// its PDF receipt: a payment that has one (confirmed, not a test payment),
// when the portal has a PDFWriter.
func (p *Portal) mailsReceipt(pay domain.Payment) bool {
	return pay.Receipted() && p.pdf != nil && len(pay.InvoiceIDs) > 0
}
