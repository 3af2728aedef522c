package ports

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// The yearly certificates as the staff produce them (« Redevables »):
// one payer's, or every payer's of a year as one ZIP of PDFs.

// ErrCertificateNotOffered answers the staff when the biller offers no
// certificate: the settings say how to.
var ErrCertificateNotOffered = &domain.Error{Code: domain.Invalid,
	Message: "L'attestation annuelle n'est pas proposée : activez-la dans Paramètres → Attestation annuelle."}

// certificateBatch is how many payers ExportCertificates reads at once.
const certificateBatch = 200

// PayerCertificateYears returns the past years in which the payer paid
// something the certificate covers, most recent first; none when the
// biller offers no certificate.
func (p BackOffice) PayerCertificateYears(ctx context.Context, a Actor, payerID uuid.UUID) ([]int, error) {
	if err := a.canRead(a.BillerID); err != nil {
		return nil, err
	}
	payer, err := backOfficePayer(ctx, p.store, a, payerID)
	if err != nil {
		return nil, err
	}
	b, err := p.biller(ctx, a.BillerID)
	if err != nil {
		return nil, domain.WrapInternal(err)
	}
	return p.certificateYears(ctx, p.store, b, payer)
}

// PayerCertificate returns a payer's certificate of year, with its
// verification code, and writes in the audit log that the staff produced
// it. domain.ErrNoCertificate when the payer has none that year.
func (p BackOffice) PayerCertificate(ctx context.Context, a Actor, payerID uuid.UUID, year int) (domain.Certificate, domain.Biller, error) {
	if err := a.canRead(a.BillerID); err != nil {
		return domain.Certificate{}, domain.Biller{}, err
	}
	payer, err := backOfficePayer(ctx, p.store, a, payerID)
	if err != nil {
		return domain.Certificate{}, domain.Biller{}, err
	}
	b, err := p.biller(ctx, a.BillerID)
	if err != nil {
		return domain.Certificate{}, domain.Biller{}, domain.WrapInternal(err)
	}
	if !b.Certificate.Offered {
		return domain.Certificate{}, b, ErrCertificateNotOffered
	}
	c, err := p.certificate(ctx, p.store, b, payer, year)
	if err != nil {
		return domain.Certificate{}, b, err
	}
	p.auditAlone(ctx, a, domain.AuditCertificateIssued, payer.ExternalRef,
		fmt.Sprintf("Attestation %d de %s (%s), code %s.", year, payer.Name, domain.FormatEuros(c.Total), c.Code))
	return c, b, nil
}

// PayerCertificatePDF returns the certificate of PayerCertificate as a
// PDF file, with its file name; errors as PayerCertificate.
func (p BackOffice) PayerCertificatePDF(ctx context.Context, a Actor, payerID uuid.UUID, year int) (name string, data []byte, err error) {
	c, b, err := p.PayerCertificate(ctx, a, payerID, year)
	if err != nil {
		return "", nil, err
	}
	data, err = p.certificatePDF(b, c)
	return c.FileName(), data, err
}

// ExportCertificates writes to w, as one ZIP of PDFs, the certificate of
// year of every payer of the actor's biller who has one, and audits the
// export; it returns how many certificates it wrote. The archive is
// streamed: the payers are read certificateBatch at a time (by payer id,
// CertificateStore.PaidInvoices), the batch's PDFs are laid out on every
// core, written in order and forgotten; nothing holds more than one
// batch, whatever the number of payers. Nothing is written when
// there is no certificate at all (domain.ErrNoCertificate), so that the
// caller can still answer with an error page; an error after the first
// entry leaves w with a truncated archive, which unzip tools reject.
func (p BackOffice) ExportCertificates(ctx context.Context, a Actor, year int, w io.Writer) (int, error) {
	if err := a.canRead(a.BillerID); err != nil {
		return 0, err
	}
	b, err := p.biller(ctx, a.BillerID)
	if err != nil {
		return 0, domain.WrapInternal(err)
	}
	switch {
	case !b.Certificate.Offered:
		return 0, ErrCertificateNotOffered
	case year >= domain.Today(p.clock.Now()).Year:
		return 0, domain.ErrNoCertificate
	case p.pdf == nil:
		return 0, ErrNoPDF
	}
	zw := zip.NewWriter(w)
	names := make(map[string]bool)
	from, to := certificateWindow(year)
	count := 0
	for after := uuid.Nil; ; {
		rows, err := p.store.PaidInvoices(ctx, PaidInvoiceQuery{BillerID: b.ID, From: from, To: to, AfterPayer: after, Payers: certificateBatch})
		if err != nil {
			return count, domain.WrapInternal(err)
		}
		if len(rows) == 0 {
			break
		}
		certs, err := p.batchCertificates(ctx, b, year, rows)
		if err != nil {
			return count, err
		}
		pdfs, err := p.layOutCertificates(b, certs)
		if err != nil {
			return count, err
		}
		for i, c := range certs {
			// The PDFs' streams are compressed already: stored, not deflated.
			f, err := zw.CreateHeader(&zip.FileHeader{Name: uniqueFileName(names, c.FileName()), Method: zip.Store, Modified: c.IssuedAt})
			if err != nil {
				return count, err
			}
			if _, err := f.Write(pdfs[i]); err != nil {
				return count, err
			}
			count++
		}
		after = rows[len(rows)-1].Invoice.PayerID
	}
	if count == 0 {
		return 0, domain.ErrNoCertificate
	}
	if err := zw.Close(); err != nil {
		return count, err
	}
	p.auditAlone(ctx, a, domain.AuditCertificatesExported, "",
		fmt.Sprintf("Attestations %d : %d redevables, en un fichier ZIP.", year, count))
	return count, nil
}

// batchCertificates builds the certificates of one batch of rows (sorted
// by payer), with their codes: a payer with nothing covered that year
// (only a margin's invoice, another object) has none.
func (p *Portal) batchCertificates(ctx context.Context, b domain.Biller, year int, rows []PaidInvoice) ([]domain.Certificate, error) {
	var certs []domain.Certificate
	for start := 0; start < len(rows); {
		end := start
		for end < len(rows) && rows[end].Invoice.PayerID == rows[start].Invoice.PayerID {
			end++
		}
		payer, err := p.store.Payer(ctx, rows[start].Invoice.PayerID)
		if err != nil {
			return nil, domain.WrapInternal(err)
		}
		c, err := p.certificateOf(ctx, p.store, b, payer, year, rows[start:end])
		switch {
		case errors.Is(err, domain.ErrNoCertificate):
		case err != nil:
			return nil, err
		default:
			certs = append(certs, c)
		}
		start = end
	}
	return certs, nil
}

// layOutCertificates lays the certificates out as PDF on every core: the
// layout (a font subset per file) costs far more than the reads.
func (p *Portal) layOutCertificates(b domain.Biller, certs []domain.Certificate) ([][]byte, error) {
	pdfs := make([][]byte, len(certs))
	errs := make([]error, len(certs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(certs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < len(certs); i = int(next.Add(1)) - 1 {
				pdfs[i], errs[i] = p.certificatePDF(b, certs[i])
			}
		}()
	}
	wg.Wait()
	return pdfs, errors.Join(errs...)
}

// uniqueFileName returns name, or name with a number before its
// extension, so that no two entries of an archive share a name, even on
// a file system that ignores case; seen keeps the names given.
func uniqueFileName(seen map[string]bool, name string) string {
	ext := name[strings.LastIndexByte(name, '.')+1:]
	base := strings.TrimSuffix(name, "."+ext)
	out := name
	for i := 2; seen[strings.ToLower(out)]; i++ {
		out = fmt.Sprintf("%s-%d.%s", base, i, ext)
	}
	seen[strings.ToLower(out)] = true
	return out
}

// CertificateArchiveName is the ZIP's file name for year.
func CertificateArchiveName(year int) string { return fmt.Sprintf("attestations-%d.zip", year) }
