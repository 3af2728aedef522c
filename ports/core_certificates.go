package ports

import (
	"context"
	"fmt"
	"time"

	"github.com/portail-factures/portail/domain"
)

// The yearly certificates of payments, shared by the citizens' and the
// back office's façades: their lines read from the receipted paid
// invoices (CertificateStore), their content built by the domain
// (domain.NewCertificate), their verification codes issued like the
// receipts' (issueCode, core_receipts.go), their PDF laid out by the
// PDFWriter.

// PathCertificates is the citizen's list of yearly certificates.
const PathCertificates = "/attestations"

// PathCertificate is the citizen's page of the certificate of year, HTML;
// the PDF adds PathCertificatePDFSuffix.
func PathCertificate(year int) string { return fmt.Sprintf("%s/%d", PathCertificates, year) }

// PathCertificatePDFSuffix ends the address of a certificate's PDF.
const PathCertificatePDFSuffix = "/pdf"

// certificateMargin widens the window of paid invoices read for a year:
// an invoice's PaidAt (when the portal recorded it) may fall a little
// after the payment's own instant, which dates the line; the domain then
// keeps exactly the lines of the year.
const certificateMargin = 48 * time.Hour

// certificateWindow is the window of PaidAt read for year.
func certificateWindow(year int) (from, to time.Time) {
	from, to = domain.YearBounds(year)
	return from.Add(-certificateMargin), to.Add(certificateMargin)
}

// certificateLines are the lines rows give a certificate: only the
// invoices that have a receipt (domain.CertificateLine).
func certificateLines(rows []PaidInvoice) []domain.DocumentLine {
	lines := make([]domain.DocumentLine, 0, len(rows))
	for _, r := range rows {
		if l, ok := domain.CertificateLine(r.Invoice, r.Payment); ok {
			lines = append(lines, l)
		}
	}
	return lines
}

// certificateYears are the past years of payer's certificates, most
// recent first; none when b offers no certificate.
func (p *Portal) certificateYears(ctx context.Context, tx Tx, b domain.Biller, payer domain.Payer) ([]int, error) {
	if !b.Certificate.Offered {
		return nil, nil
	}
	now := p.clock.Now()
	_, to := certificateWindow(domain.Today(now).Year - 1)
	rows, err := tx.PaidInvoices(ctx, PaidInvoiceQuery{BillerID: b.ID, PayerID: payer.ID, To: to})
	if err != nil {
		return nil, domain.WrapInternal(err)
	}
	return domain.CertificateYears(b.Certificate, certificateLines(rows), now), nil
}

// certificate builds payer's certificate of year with its verification
// code; domain.ErrNoCertificate when there is none.
func (p *Portal) certificate(ctx context.Context, tx Tx, b domain.Biller, payer domain.Payer, year int) (domain.Certificate, error) {
	if !b.Certificate.Offered || year < 1 || year >= domain.Today(p.clock.Now()).Year {
		return domain.Certificate{}, domain.ErrNoCertificate
	}
	from, to := certificateWindow(year)
	rows, err := tx.PaidInvoices(ctx, PaidInvoiceQuery{BillerID: b.ID, PayerID: payer.ID, From: from, To: to})
	if err != nil {
		return domain.Certificate{}, domain.WrapInternal(err)
	}
	return p.certificateOf(ctx, tx, b, payer, year, rows)
}

// certificateOf builds payer's certificate of year from its paid
// invoices, with its verification code.
func (p *Portal) certificateOf(ctx context.Context, tx Tx, b domain.Biller, payer domain.Payer, year int, rows []PaidInvoice) (domain.Certificate, error) {
	now := p.clock.Now()
	c, err := domain.NewCertificate(b, b.Certificate, payer, year, certificateLines(rows), now)
	if err != nil {
		return domain.Certificate{}, err
	}
	c.Code, err = p.issueCode(ctx, tx, func(code string) domain.Verification { return c.Verification(code, now) })
	return c, err
}

// certificatePDF lays c out as PDF, linking to its HTML page.
func (p *Portal) certificatePDF(b domain.Biller, c domain.Certificate) ([]byte, error) {
	if p.pdf == nil {
		return nil, ErrNoPDF
	}
	data, err := p.pdf.Certificate(c, p.SiteURL(b)+PathCertificate(c.Year))
	if err != nil {
		return nil, domain.WrapInternal(err)
	}
	return data, nil
}

// ErrCertificateYear answers a year that is not a number a certificate
// can have.
var ErrCertificateYear = &domain.Error{Code: domain.Invalid, Field: "year", Message: "Indiquez une année passée, par exemple 2025."}

// ParseCertificateYear reads a year typed or in an address.
func ParseCertificateYear(s string) (int, error) {
	var y int
	if _, err := fmt.Sscanf(s, "%d", &y); err != nil || y < 2000 || y > 9999 || fmt.Sprint(y) != s {
		return 0, ErrCertificateYear
	}
	return y, nil
}
