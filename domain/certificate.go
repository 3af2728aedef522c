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

// The means a certificate's line shows: short, for the PDF's column.
const (
	MeansOnline   = "en ligne"
	MeansRecorded = "hors du portail"
)

// CertificateLine is the line a paid invoice gives a certificate: paid
// online, at the instant of the payment that settled it (pay, which must
// be that payment); recorded by the service, at the day it was recorded,
// with pay nil. An invoice without a receipt (unpaid, awaiting the
// service's confirmation, settled by a test payment or a payment that is
// not its own) gives no line: what a certificate lists is exactly what
// the receipts prove.
func CertificateLine(inv Invoice, pay *Payment) (DocumentLine, bool) {
	if !inv.HasReceipt() {
		return DocumentLine{}, false
	}
	if inv.PaymentID == uuid.Nil {
		return DocumentLine{PaidAt: inv.PaidAt.In(Paris), Number: inv.Number, Object: inv.Object,
			Means: MeansRecorded, Amount: inv.Amount}, true
	}
	if pay == nil || pay.ID != inv.PaymentID || !pay.Receipted() {
		return DocumentLine{}, false
	}
	at := pay.TransactionAt
	if at.IsZero() {
		at = pay.FinishedAt
	}
	return DocumentLine{PaidAt: at.In(Paris), Number: inv.Number, Object: inv.Object,
		Means: MeansOnline, Amount: inv.Amount}, true
}

// CertificateYears are the past years, most recent first, in which the
// lines (CertificateLine's) hold a payment the settings cover: the years
// whose certificate NewCertificate would build at now. None when the
// biller offers no certificate.
func CertificateYears(s CertificateSettings, lines []DocumentLine, now time.Time) []int {
	if !s.Offered {
		return nil
	}
	current := Today(now).Year
	seen := make(map[int]bool)
	var years []int
	for _, l := range lines {
		y := l.PaidAt.In(Paris).Year()
		if y >= current || seen[y] || !s.Covers(l.Object) {
			continue
		}
		seen[y] = true
		years = append(years, y)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(years)))
	return years
}

// YearBounds are the instants a Paris calendar year starts and ends:
// [from, to).
func YearBounds(year int) (from, to time.Time) {
	return time.Date(year, time.January, 1, 0, 0, 0, 0, Paris), time.Date(year+1, time.January, 1, 0, 0, 0, 0, Paris)
}
