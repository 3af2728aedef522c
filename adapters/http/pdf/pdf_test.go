package pdf_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/http/pdf"
	"github.com/portail-factures/portail/domain"
)

// text extracts a PDF's text with pdftotext (poppler-utils, installed by
// .ci/run): the test reads what a person reads, not fpdf's internals.
func text(t *testing.T, data []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext is missing: .ci/run installs poppler-utils")
		}
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", path, "-").Output()
	require.NoError(t, err)
	// One space for every run of spaces: the layout's columns vary.
	return strings.Join(strings.Fields(strings.NewReplacer("\u202f", " ", "\u00a0", " ").Replace(string(out))), " ")
}

var paidAt = time.Date(2026, 12, 5, 17, 24, 0, 0, time.UTC)

func receipt() domain.Receipt {
	return domain.Receipt{
		Kind: domain.ReceiptOnline, BillerName: "Commune de Démoville", PayerName: "Hélène Œuvray-Müller", PayerRef: "REF42",
		PaidAt: paidAt.In(domain.Paris), Transaction: "op-123", Authorization: "A55A", Reference: "PF2026ABCDEF",
		Total: decimal.RequireFromString("1234.50"), Code: "K7MX-3QHD-9PWA",
		Lines: []domain.DocumentLine{
			{PaidAt: paidAt, Number: "F-1", Object: "Crèche « Les Écureuils » — août", Means: "carte bancaire", Amount: decimal.RequireFromString("1200")},
			{PaidAt: paidAt, Number: "F-2", Object: "Garderie", Means: "carte bancaire", Amount: decimal.RequireFromString("34.50")},
		},
	}
}

func TestReceiptText(t *testing.T) {
	data, err := pdf.Writer{}.Receipt(receipt(), "https://factures.demoville.fr/recus/x")
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(data, []byte("%PDF-")))
	s := text(t, data)
	for _, want := range []string{
		"Reçu de paiement", "Commune de Démoville", "Hélène Œuvray-Müller (référence REF42)", "Paiement en ligne (PayFiP)",
		"05/12/2026 à 18h24", "PF2026ABCDEF", "op-123", "A55A",
		"F-1", "Crèche « Les Écureuils » — août", "1 200,00 €", "F-2", "34,50 €", "Total : 1 234,50 €",
		"Code de vérification : K7MX-3QHD-9PWA", "https://factures.demoville.fr/recus/x",
	} {
		require.Contains(t, s, want)
	}

	again, err := pdf.Writer{}.Receipt(receipt(), "https://factures.demoville.fr/recus/x")
	require.NoError(t, err)
	require.Equal(t, data, again, "the same receipt is the same file")
}

func TestRecordedReceiptText(t *testing.T) {
	r := receipt()
	r.Kind, r.Transaction, r.Authorization = domain.ReceiptRecorded, "", ""
	data, err := pdf.Writer{}.Receipt(r, "")
	require.NoError(t, err)
	s := text(t, data)
	require.Contains(t, s, "réglé hors du portail")
	require.NotContains(t, s, "PayFiP")
}

func TestCertificateText(t *testing.T) {
	c := domain.Certificate{
		Year: 2025, Title: "Attestation de paiement des frais de garde 2025", LegalText: "Document établi pour servir et valoir ce que de droit.",
		BillerName: "Commune de Démoville", PayerName: "Hélène Œuvray-Müller", PayerRef: "REF42", IssuedAt: paidAt,
		Total: decimal.RequireFromString("150.10"), Code: "K7MX-3QHD-9PWA",
	}
	for i := range 60 { // more than a page
		c.Lines = append(c.Lines, domain.DocumentLine{PaidAt: time.Date(2025, 1, 3, 10, 0, 0, 0, domain.Paris).AddDate(0, 0, i*5),
			Number: "F-" + string(rune('A'+i%26)), Object: "Crèche janvier", Means: "prélèvement", Amount: decimal.RequireFromString("2.50")})
	}
	data, err := pdf.Writer{}.Certificate(c, "https://factures.demoville.fr/attestations/2025")
	require.NoError(t, err)
	s := text(t, data)
	for _, want := range []string{
		"Attestation de paiement des frais de garde 2025", "Année : 2025", "03/01/2025", "prélèvement",
		"Total : 150,10 €", "Document établi pour servir et valoir ce que de droit.", "K7MX-3QHD-9PWA", "Page 2 / 2",
	} {
		require.Contains(t, s, want)
	}
}

func BenchmarkReceipt(b *testing.B) {
	r := receipt()
	for b.Loop() {
		if _, err := (pdf.Writer{}).Receipt(r, "https://factures.demoville.fr/recus/x"); err != nil {
			b.Fatal(err)
		}
	}
}
