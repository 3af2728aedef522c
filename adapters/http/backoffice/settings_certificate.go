package backoffice

import (
	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
)

// The « Attestation annuelle » block of « Paramètres » (issue 15, items 5
// and 6).

// certificateForm writes the certificate setting as the form shows it.
func certificateForm(f *kit.Form, c *domain.CertificateSettings) {
	if c == nil {
		return
	}
	f.Values["certificate_title"] = c.Title
	f.Values["certificate_legal"] = c.LegalText
	f.Values["certificate_match"] = c.ObjectContains
	if c.Offered {
		f.Values["certificate_offered"] = "1"
	}
}

// certificateInput reads the certificate setting from the form.
func certificateInput(f *kit.Form) *domain.CertificateSettings {
	return &domain.CertificateSettings{
		Offered:        f.Values["certificate_offered"] != "",
		Title:          f.Values["certificate_title"],
		LegalText:      f.Values["certificate_legal"],
		ObjectContains: f.Values["certificate_match"],
	}
}
