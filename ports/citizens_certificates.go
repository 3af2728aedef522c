package ports

import (
	"context"

	"github.com/portail-factures/portail/domain"
)

// The citizen's yearly certificates of payments (core_certificates.go
// builds them).

// CertificateOffer is what « Mes factures » offers of the yearly
// certificates: whether the biller offers them, and the past years in
// which the payer paid something they cover, most recent first.
type CertificateOffer struct {
	Offered bool
	Years   []int
	// Settings are the biller's, for the titles (TitleFor).
	Settings domain.CertificateSettings
}

// Certificates returns the citizen's offer of yearly certificates.
func (p Citizens) Certificates(ctx context.Context, c Citizen) (CertificateOffer, error) {
	_, payer, err := p.citizenAccount(ctx, c)
	if err != nil {
		return CertificateOffer{}, err
	}
	b, err := p.biller(ctx, c.BillerID)
	if err != nil {
		return CertificateOffer{}, domain.WrapInternal(err)
	}
	years, err := p.certificateYears(ctx, p.store, b, payer)
	if err != nil {
		return CertificateOffer{}, err
	}
	return CertificateOffer{Offered: b.Certificate.Offered, Years: years, Settings: b.Certificate}, nil
}

// Certificate returns the citizen's certificate of year, with its
// verification code: only their own payments. A year with nothing to
// certify (or the current year, or a biller that offers none) gives
// domain.ErrNoCertificate.
func (p Citizens) Certificate(ctx context.Context, c Citizen, year int) (domain.Certificate, error) {
	_, payer, err := p.citizenAccount(ctx, c)
	if err != nil {
		return domain.Certificate{}, err
	}
	b, err := p.biller(ctx, c.BillerID)
	if err != nil {
		return domain.Certificate{}, domain.WrapInternal(err)
	}
	return p.certificate(ctx, p.store, b, payer, year)
}

// CertificatePDF returns the certificate of Certificate as a PDF file,
// with its file name; errors as Certificate.
func (p Citizens) CertificatePDF(ctx context.Context, c Citizen, year int) (name string, data []byte, err error) {
	cert, err := p.Certificate(ctx, c, year)
	if err != nil {
		return "", nil, err
	}
	b, err := p.biller(ctx, c.BillerID)
	if err != nil {
		return "", nil, domain.WrapInternal(err)
	}
	data, err = p.certificatePDF(b, cert)
	return cert.FileName(), data, err
}
