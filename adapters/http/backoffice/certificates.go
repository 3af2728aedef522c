package backoffice

import (
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The yearly certificates in « Redevables »: one payer's of a chosen year
// (HTML, PDF), and every payer's of a year as one ZIP of PDFs, streamed.

const pageStaffCertificate = "certificate"

// pathCertificatesZIP is the ZIP of every payer's certificate of a year
// (?annee=).
const pathCertificatesZIP = "/gestion/redevables/attestations.zip"

// staffCertificatePage is a payer's certificate as the staff see it.
type staffCertificatePage struct {
	kit.Base
	Certificate domain.Certificate
	PayerID     string
	IssuedAt    string
	PDF         string
}

// certificateChoice is one year the payer page offers.
type certificateChoice struct {
	Year      int
	Title     string
	HTML, PDF string
}

// payerCertificatePath is the staff's page of a payer's certificate.
func payerCertificatePath(payerID string, year int) string {
	return fmt.Sprintf("/gestion/redevables/%s/attestations/%d", payerID, year)
}

// certificateChoices are the years of the payer's certificates, for the
// payer's page; none when the biller offers none.
func (s *BackOffice) certificateChoices(r *http.Request, u *staffUser, d ports.PayerDetail) ([]certificateChoice, error) {
	years, err := s.portal.BackOffice().PayerCertificateYears(r.Context(), u.actor, d.Payer.ID)
	if err != nil || len(years) == 0 {
		return nil, err
	}
	b, err := s.portal.BackOfficeAdmin().Settings(r.Context(), u.actor)
	if err != nil {
		return nil, err
	}
	out := make([]certificateChoice, len(years))
	for i, y := range years {
		page := payerCertificatePath(d.Payer.ID.String(), y)
		out[i] = certificateChoice{Year: y, Title: b.Certificate.TitleFor(y), HTML: page, PDF: page + ports.PathCertificatePDFSuffix}
	}
	return out, nil
}

// payerYear reads the payer and the year of a certificate's address; a
// year that cannot be read has no certificate.
func payerYear(r *http.Request) (uuid.UUID, int, error) {
	id, err := kit.PathID(r)
	if err != nil {
		return uuid.Nil, 0, err
	}
	year, err := ports.ParseCertificateYear(r.PathValue("year"))
	if err != nil {
		return uuid.Nil, 0, domain.ErrNoCertificate
	}
	return id, year, nil
}

// staffCertificate shows a payer's certificate of a year.
func (s *BackOffice) staffCertificate(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	id, year, err := payerYear(r)
	if err != nil {
		return err
	}
	c, _, err := s.portal.BackOffice().PayerCertificate(r.Context(), u.actor, id, year)
	if err != nil {
		return err
	}
	page := payerCertificatePath(id.String(), year)
	p := &staffCertificatePage{Base: kit.Base{Title: c.Title + " – " + c.PayerRef, Menu: menuStaffPayers}, Certificate: c,
		PayerID: id.String(), IssuedAt: domain.FrenchDateTime(c.IssuedAt), PDF: page + ports.PathCertificatePDFSuffix}
	return s.renderStaff(w, r, u, http.StatusOK, pageStaffCertificate, p)
}

// staffCertificatePDF serves a payer's certificate of a year as PDF.
func (s *BackOffice) staffCertificatePDF(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	id, year, err := payerYear(r)
	if err != nil {
		return err
	}
	name, data, err := s.portal.BackOffice().PayerCertificatePDF(r.Context(), u.actor, id, year)
	if err != nil {
		return err
	}
	kit.ServePDF(w, r, domain.Document{Data: data}, strings.TrimSuffix(name, ".pdf"))
	return nil
}

// staffCertificatesZIP streams the ZIP of every payer's certificate of
// the year asked (?annee=). The answer's headers go with the first bytes
// of the archive: until then (a year without any certificate, a biller
// that offers none) the error page can still be sent. A failure half-way
// cuts the archive short, which an unzip tool reports; it is logged.
func (s *BackOffice) staffCertificatesZIP(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	year, err := ports.ParseCertificateYear(strings.TrimSpace(r.URL.Query().Get("annee")))
	if err != nil {
		return err
	}
	out := &lazyDownload{w: w, header: func(h http.Header) {
		h.Set("Content-Type", "application/zip")
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": ports.CertificateArchiveName(year)}))
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
	}}
	n, err := s.portal.BackOffice().ExportCertificates(r.Context(), u.actor, year, out)
	if err != nil && out.started {
		s.site.Log.ErrorContext(r.Context(), "certificates ZIP cut short", "year", year, "written", n, "err", err)
		return nil
	}
	return err
}

// lazyDownload sends the answer's status and headers with the first
// bytes written, so that an error before them is still an error page.
type lazyDownload struct {
	w       http.ResponseWriter
	header  func(http.Header)
	started bool
}

func (l *lazyDownload) Write(p []byte) (int, error) {
	if !l.started {
		l.started = true
		l.header(l.w.Header())
		l.w.WriteHeader(http.StatusOK)
	}
	return l.w.Write(p)
}
