//go:build browser

package journeys

import (
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// verificationCode is how a receipt shows its code: three groups of four
// from the code's alphabet (domain.NewVerificationCode).
var verificationCode = regexp.MustCompile(`[34679ACDEFGHJKMNPQRTWXY]{4}-[34679ACDEFGHJKMNPQRTWXY]{4}-[34679ACDEFGHJKMNPQRTWXY]{4}`)

// fetchFile downloads path with the tab's cookies, as the browser would
// save it, and fails unless the answer is 200 with contentType.
func (c *citizen) fetchFile(path, contentType string) []byte {
	c.t.Helper()
	var res struct {
		Status int    `json:"status"`
		Type   string `json:"type"`
		Data   string `json:"data"`
	}
	script := fmt.Sprintf(`(async () => {
		const r = await fetch(%q, {credentials: "same-origin"});
		const b = new Uint8Array(await r.arrayBuffer());
		let s = "";
		for (const x of b) s += String.fromCharCode(x);
		return {status: r.status, type: r.headers.get("Content-Type") || "", data: btoa(s)};
	})()`, path)
	c.run("download "+path, chromedp.Evaluate(script, &res, func(p *runtime.EvaluateParams) *runtime.EvaluateParams {
		return p.WithAwaitPromise(true)
	}))
	if res.Status != 200 || res.Type != contentType {
		c.t.Fatalf("download %s: status %d, type %q", path, res.Status, res.Type)
	}
	data, err := base64.StdEncoding.DecodeString(res.Data)
	if err != nil {
		c.t.Fatalf("download %s: %v", path, err)
	}
	return data
}

// pdfText is the text pdftotext reads in a PDF file, its spaces (the
// amounts' narrow no-break space among them) made plain, one for each run.
func pdfText(t *testing.T, data []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not found: install poppler-utils")
	}
	file := filepath.Join(t.TempDir(), "document.pdf")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(strings.NewReplacer("\u202f", " ", "\u00a0", " ").Replace(string(out))), " ")
}

// attr returns an attribute of the first element sel finds (CSS).
func (c *citizen) attr(sel, name string) string {
	c.t.Helper()
	var v string
	var ok bool
	c.run("read "+name+" of "+sel, chromedp.AttributeValue(sel, name, &v, &ok, chromedp.ByQuery))
	if !ok {
		c.t.Fatalf("%s has no %s", sel, name)
	}
	return v
}

// payAtTheSimulator pays one invoice from « Mes factures » with the
// mouse, through the invoice's page, the selection, the summary and the
// demo's PayFiP page, and stays on the return page.
func (c *citizen) payAtTheSimulator(invoice string) {
	c.t.Helper()
	c.open("/factures")
	c.click(invoice)
	c.click("Payer la facture")
	c.click("Payer la facture")
	c.click("Payer la facture sur le portail PayFiP")
	c.click("Payer par carte bancaire")
}

// TestReceiptOfAPayment follows a payment in the demo to its receipt: the
// HTML page from the return page and from the paid invoice, the PDF (its
// text read back), the confirmation mail with the PDF attached in the
// demo's mailbox, and the receipt's code checked on « Vérifier un
// document », genuine and mistyped.
func TestReceiptOfAPayment(t *testing.T) {
	c := newCitizen(t)
	c.login(demoEmail, demoPassword, false)
	c.payAtTheSimulator(nurseryInvoice)
	c.see("Paiement accepté", nurseryInvoice, "Il vous est aussi envoyé par courriel.")

	// From the return page.
	c.click("Voir le reçu de paiement")
	c.see("Reçu de paiement", "Commune de Démoville", nurseryInvoice, "176,25", "Paiement en ligne (PayFiP)",
		"Numéro de transaction PayFiP", "Numéro d'autorisation", "Date et heure (heure de Paris)", "Code de vérification")
	c.audit("le reçu de paiement")
	code := verificationCode.FindString(c.text())
	if code == "" {
		t.Fatal("the receipt shows no verification code")
	}
	receiptPath := strings.TrimPrefix(c.url(), c.base)

	// From the paid invoice: the same receipt, the same code.
	c.click("Retour à la facture")
	c.see(nurseryInvoice, "Réglée")
	c.click("Voir le reçu de paiement")
	c.see("Reçu de paiement", code)

	// The PDF, as « Télécharger le reçu (PDF) » saves it.
	pdfPath := c.attr(`a[href$="/recu.pdf"]`, "href")
	if pdfPath != receiptPath+".pdf" {
		t.Fatalf("the PDF link is %q, want %q", pdfPath, receiptPath+".pdf")
	}
	pdf := c.fetchFile(pdfPath, "application/pdf")
	text := pdfText(t, pdf)
	for _, want := range []string{"Reçu de paiement", "Commune de Démoville", "Camille Martin", nurseryInvoice, "176,25",
		"N° de transaction PayFiP", "N° d'autorisation", "Code de vérification : " + code,
		"Version accessible de ce document : " + c.base + receiptPath} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF does not say %q; it says:\n%s", want, text)
		}
	}

	// The confirmation in the demo's mailbox, the PDF attached.
	c.open("/_dev/mail")
	c.see("À :", demoEmail, "Confirmation de votre paiement", "Votre reçu de paiement est joint à ce courriel", "Pièces jointes")
	c.audit("la boîte aux lettres de démonstration, avec une pièce jointe")
	piece := c.attr(`a[href^="/_dev/mail/"][download]`, "href")
	attached := c.fetchFile(piece, "application/pdf")
	if string(attached) != string(pdf) {
		t.Errorf("the attached PDF (%d bytes) differs from the downloaded one (%d bytes)", len(attached), len(pdf))
	}

	// Anyone checks the code, logged in or not: a private window.
	v := visitor(t, c.portal)
	v.open("/verification")
	v.see("Vérifier un document")
	v.audit("la vérification d'un document")
	v.fill("code", strings.ToLower(strings.ReplaceAll(code, "-", " ")))
	v.click("Vérifier")
	v.see("Document authentique", "Reçu de paiement", "Commune de Démoville", "176,25", code)
	v.audit("un document authentique")
	v.fill("code", "K7MX-3QHD-9PWA")
	v.click("Vérifier")
	v.see("Aucun document ne correspond à ce code")
	v.notSee("Document authentique")
	v.audit("un code qui ne correspond à rien")
}
