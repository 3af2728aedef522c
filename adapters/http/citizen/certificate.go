package citizen

import (
	"net/http"
	"strings"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// certificatePage is a yearly certificate of payments: the accessible
// version of the PDF, printable (portail.css's print rules).
type certificatePage struct {
	kit.Base
	Certificate domain.Certificate
	// IssuedAt is when it was produced, in Paris, in words.
	IssuedAt string
	PDF      string
}

// certificateLink is one year of « Mes factures »'s certificates.
type certificateLink struct {
	Year  int
	Title string
	HTML  string
	PDF   string
}

// certificateLinks are the links to the citizen's certificates, for the
// list of paid invoices; none when the biller offers none.
func (s *Portal) certificateLinks(r *http.Request, u *user) ([]certificateLink, error) {
	offer, err := s.portal.Citizens().Certificates(r.Context(), u.citizen)
	if err != nil {
		return nil, err
	}
	out := make([]certificateLink, len(offer.Years))
	for i, y := range offer.Years {
		out[i] = certificateLink{Year: y, Title: offer.Settings.TitleFor(y), HTML: ports.PathCertificate(y),
			PDF: ports.PathCertificate(y) + ports.PathCertificatePDFSuffix}
	}
	return out, nil
}

// certificate shows the citizen's certificate of a year: only their own
// payments; a year with nothing to certify says so.
func (s *Portal) certificate(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	year, err := ports.ParseCertificateYear(r.PathValue("year"))
	if err != nil {
		return domain.ErrNoCertificate
	}
	c, err := s.portal.Citizens().Certificate(r.Context(), u.citizen, year)
	if err != nil {
		return err
	}
	p := &certificatePage{Base: kit.Base{Title: c.Title, Menu: menuInvoices}, Certificate: c,
		IssuedAt: domain.FrenchDateTime(c.IssuedAt), PDF: ports.PathCertificate(year) + ports.PathCertificatePDFSuffix}
	return s.render(w, r, http.StatusOK, pageCertificate, p)
}

// certificatePDF serves the certificate's PDF as a download.
func (s *Portal) certificatePDF(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	year, err := ports.ParseCertificateYear(r.PathValue("year"))
	if err != nil {
		return domain.ErrNoCertificate
	}
	name, data, err := s.portal.Citizens().CertificatePDF(r.Context(), u.citizen, year)
	if err != nil {
		return err
	}
	kit.ServePDF(w, r, domain.Document{Data: data}, strings.TrimSuffix(name, ".pdf"))
	return nil
}
