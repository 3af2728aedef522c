// Package pdf lays out the portal's documents (payment receipts, yearly
// certificates) as PDF files: the ports.PDFWriter adapter. The domain builds
// each document's content; this package only places it on an A4 page, with
// the embedded DejaVu Sans font (every French character; its licence is
// fonts/LICENSE-DejaVu.txt). The accessible version of a document is its
// HTML page, which the PDF links to.
package pdf

import (
	"bytes"
	_ "embed"
	"fmt"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"github.com/shopspring/decimal"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

//go:embed fonts/DejaVuSans.ttf
var regular []byte

//go:embed fonts/DejaVuSans-Bold.ttf
var bold []byte

// Writer is the ports.PDFWriter. Its zero value is ready.
type Writer struct{}

var _ ports.PDFWriter = Writer{}

const (
	family = "DejaVu"
	margin = 18.0
	width  = 210 - 2*margin // A4, in millimetres
)

// Receipt lays out a payment receipt.
func (Writer) Receipt(r domain.Receipt, verifyURL string) ([]byte, error) {
	d := newDoc("Reçu de paiement — "+r.BillerName, r.PaidAt)
	d.heading("Reçu de paiement")
	d.field("Émis par", r.BillerName)
	d.field("Payeur", payer(r.PayerName, r.PayerRef))
	d.field("Nature", r.Kind.Label())
	d.field("Date et heure (Paris)", domain.FrenchDateTime(r.PaidAt))
	d.field("Référence du portail", r.Reference)
	if r.Transaction != "" {
		d.field("N° de transaction PayFiP", r.Transaction)
	}
	if r.Authorization != "" {
		d.field("N° d'autorisation", r.Authorization)
	}
	d.lines(r.Lines, false)
	d.total(r.Total)
	d.verification(r.Code, verifyURL)
	return d.output()
}

// Certificate lays out a yearly certificate of payments.
func (Writer) Certificate(c domain.Certificate, verifyURL string) ([]byte, error) {
	d := newDoc(c.Title+" — "+c.BillerName, c.IssuedAt)
	d.heading(c.Title)
	d.field("Émise par", c.BillerName)
	d.field("Payeur", payer(c.PayerName, c.PayerRef))
	d.field("Année", fmt.Sprint(c.Year))
	d.field("Établie le", domain.FrenchDateTime(c.IssuedAt))
	d.lines(c.Lines, true)
	d.total(c.Total)
	if c.LegalText != "" {
		d.pdf.Ln(4)
		d.pdf.SetFont(family, "", 9)
		d.pdf.MultiCell(width, 5, c.LegalText, "", "L", false)
	}
	d.verification(c.Code, verifyURL)
	return d.output()
}

func payer(name, ref string) string {
	if ref == "" {
		return name
	}
	return name + " (référence " + ref + ")"
}

type doc struct{ pdf *fpdf.Fpdf }

func newDoc(title string, at time.Time) doc {
	p := fpdf.New("P", "mm", "A4", "")
	p.AddUTF8FontFromBytes(family, "", regular)
	p.AddUTF8FontFromBytes(family, "B", bold)
	p.SetMargins(margin, margin, margin)
	p.SetAutoPageBreak(true, margin)
	p.SetTitle(title, true)
	p.SetLang("fr-FR")
	// The document's own date: the same document is the same file.
	p.SetCreationDate(at)
	p.SetModificationDate(at)
	p.SetCatalogSort(true)
	p.SetFooterFunc(func() {
		p.SetY(-12)
		p.SetFont(family, "", 8)
		p.CellFormat(width, 5, fmt.Sprintf("Page %d / {nb}", p.PageNo()), "", 0, "R", false, 0, "")
	})
	p.AliasNbPages("{nb}")
	p.AddPage()
	return doc{pdf: p}
}

func (d doc) heading(s string) {
	d.pdf.SetFont(family, "B", 16)
	d.pdf.MultiCell(width, 8, s, "", "L", false)
	d.pdf.Ln(4)
}

func (d doc) field(label, value string) {
	d.pdf.SetFont(family, "B", 10)
	d.pdf.CellFormat(55, 6, label+" :", "", 0, "L", false, 0, "")
	d.pdf.SetFont(family, "", 10)
	d.pdf.MultiCell(width-55, 6, value, "", "L", false)
}

func (d doc) lines(lines []domain.DocumentLine, dated bool) {
	d.pdf.Ln(5)
	cols := []float64{38, 72, 34, 30}
	heads := []string{"Facture", "Objet", "Moyen", "Montant"}
	if dated {
		cols = []float64{24, 32, 60, 28, 30}
		heads = []string{"Date", "Facture", "Objet", "Moyen", "Montant"}
	}
	d.pdf.SetFont(family, "B", 9)
	d.pdf.SetFillColor(230, 230, 230)
	for i, h := range heads {
		align := "L"
		if i == len(heads)-1 {
			align = "R"
		}
		d.pdf.CellFormat(cols[i], 7, h, "B", 0, align, true, 0, "")
	}
	d.pdf.Ln(-1)
	d.pdf.SetFont(family, "", 9)
	for _, l := range lines {
		cells := []string{l.Number, clip(d.pdf, l.Object, cols[len(cols)-3]), l.Means, domain.FormatEuros(l.Amount)}
		if dated {
			cells = append([]string{domain.DateOf(l.PaidAt, domain.Paris).French()}, cells...)
		}
		for i, c := range cells {
			align := "L"
			if i == len(cells)-1 {
				align = "R"
			}
			d.pdf.CellFormat(cols[i], 6, c, "B", 0, align, false, 0, "")
		}
		d.pdf.Ln(-1)
	}
}

// clip shortens s to fit w millimetres, ending it with an ellipsis.
func clip(p *fpdf.Fpdf, s string, w float64) string {
	if p.GetStringWidth(s) <= w-2 {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && p.GetStringWidth(string(r)+"…") > w-2 {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

func (d doc) total(t decimal.Decimal) {
	d.pdf.Ln(2)
	d.pdf.SetFont(family, "B", 11)
	d.pdf.CellFormat(width, 7, "Total : "+domain.FormatEuros(t), "", 1, "R", false, 0, "")
}

func (d doc) verification(code, url string) {
	d.pdf.Ln(6)
	d.pdf.SetFont(family, "", 9)
	if code != "" {
		d.pdf.MultiCell(width, 5, "Code de vérification : "+code+". Toute personne peut vérifier l'authenticité de ce document sur la page « Vérifier un document » du portail.", "", "L", false)
	}
	if url != "" {
		d.pdf.Write(5, "Version accessible de ce document : ")
		d.pdf.SetTextColor(0, 0, 160)
		d.pdf.WriteLinkString(5, url, url)
		d.pdf.SetTextColor(0, 0, 0)
		d.pdf.Ln(-1)
	}
}

func (d doc) output() ([]byte, error) {
	var b bytes.Buffer
	if err := d.pdf.Output(&b); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	return b.Bytes(), nil
}
