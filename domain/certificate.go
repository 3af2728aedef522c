package domain

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// CertificateSettings are the biller's « Attestation annuelle » settings.
type CertificateSettings struct {
	// Offered: payers may download the yearly certificate.
	Offered bool
	// Title is the certificate's title; "{année}" is replaced by the year,
	// e.g. « Attestation de paiement des frais de garde {année} ».
	Title string
	// LegalText is printed under the lines (the biller's legal mention).
	LegalText string
	// ObjectContains, when not empty, restricts the certificate to the
	// invoices whose object contains it (case-insensitive); empty: all.
	ObjectContains string
}

// Limits of the certificate settings.
const (
	MaxCertificateTitle = 120
	MaxCertificateLegal = 2000
	MaxCertificateMatch = 100
)

// Check validates the settings, with French messages.
func (s CertificateSettings) Check() error {
	switch {
	case s.Offered && strings.TrimSpace(s.Title) == "":
		return FieldError("certificate_title", "Indiquez le titre de l'attestation.")
	case len([]rune(s.Title)) > MaxCertificateTitle:
		return FieldError("certificate_title", fmt.Sprintf("Le titre de l'attestation dépasse %d caractères.", MaxCertificateTitle))
	case len([]rune(s.LegalText)) > MaxCertificateLegal:
		return FieldError("certificate_legal", fmt.Sprintf("La mention légale dépasse %d caractères.", MaxCertificateLegal))
	case len([]rune(s.ObjectContains)) > MaxCertificateMatch:
		return FieldError("certificate_match", fmt.Sprintf("Le texte recherché dans l'objet dépasse %d caractères.", MaxCertificateMatch))
	}
	return nil
}

// Covers reports whether an invoice's object falls under the certificate.
func (s CertificateSettings) Covers(object string) bool {
	m := strings.TrimSpace(s.ObjectContains)
	return m == "" || strings.Contains(strings.ToLower(object), strings.ToLower(m))
}

// TitleFor is the title of the certificate of year.
func (s CertificateSettings) TitleFor(year int) string {
	t := strings.TrimSpace(s.Title)
	if t == "" {
		t = "Attestation de paiement {année}"
	}
	if !strings.Contains(t, "{année}") {
		return t
	}
	return strings.ReplaceAll(t, "{année}", fmt.Sprint(year))
}

// Certificate is the content of a yearly certificate of payments.
type Certificate struct {
	BillerID   uuid.UUID
	PayerID    uuid.UUID
	Year       int
	Title      string
	LegalText  string
	BillerName string
	PayerName  string
	PayerRef   string
	// Lines are every payment of the year, by date then invoice number.
	Lines []DocumentLine
	Total decimal.Decimal
	// IssuedAt is when the certificate was produced, in Paris.
	IssuedAt time.Time
	Code     string
}

// ErrNoCertificate: the biller offers none, or the payer paid nothing it
// covers that year, or the year is not over.
var ErrNoCertificate = Errorf(NotFound, "Aucune attestation n'est disponible pour cette année.")

// NewCertificate builds the certificate of year from the payer's receipted
// lines (receipts' lines of every payment of any year: the ones outside
// year or not covered by the settings are left out). The year must be over
// at now, in Paris.
func NewCertificate(b Biller, s CertificateSettings, payer Payer, year int, lines []DocumentLine, now time.Time) (Certificate, error) {
	if !s.Offered || year >= Today(now).Year || b.ID != payer.BillerID {
		return Certificate{}, ErrNoCertificate
	}
	c := Certificate{
		BillerID: b.ID, PayerID: payer.ID, Year: year, Title: s.TitleFor(year), LegalText: s.LegalText,
		BillerName: b.Name, PayerName: payer.Name, PayerRef: payer.ExternalRef, IssuedAt: now.In(Paris), Total: decimal.Zero,
	}
	for _, l := range lines {
		if l.PaidAt.In(Paris).Year() != year || !s.Covers(l.Object) {
			continue
		}
		l.PaidAt = l.PaidAt.In(Paris)
		c.Lines = append(c.Lines, l)
		c.Total = c.Total.Add(l.Amount)
	}
	if len(c.Lines) == 0 {
		return Certificate{}, ErrNoCertificate
	}
	sort.SliceStable(c.Lines, func(i, j int) bool {
		if !c.Lines[i].PaidAt.Equal(c.Lines[j].PaidAt) {
			return c.Lines[i].PaidAt.Before(c.Lines[j].PaidAt)
		}
		return c.Lines[i].Number < c.Lines[j].Number
	})
	return c, nil
}

// FileName is the PDF's file name, e.g. "attestation-2026-REF42.pdf".
func (c Certificate) FileName() string {
	return fmt.Sprintf("attestation-%d-%s.pdf", c.Year, asciiName(c.PayerRef))
}
