//go:build browser

package journeys

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/portail-factures/portail/ports/demo"
)

// TestLastYearsCertificate: the demo citizen finds last year's
// certificate under « Factures réglées », reads it (HTML), downloads its
// PDF (whose text is read with pdftotext), and anyone checks its code on
// « Vérifier un document »; the manager finds the « Attestation
// annuelle » settings. axe-core audits each page, at 320 px too.
func TestLastYearsCertificate(t *testing.T) {
	c := newCitizen(t)
	// The demo's past year is the calendar year before the portal's clock,
	// which is this machine's.
	year := time.Now().Year() - 1
	title := fmt.Sprintf("Attestation de paiement des frais de garde %d", year)
	c.citizenLogin()
	c.open("/factures")
	c.click("Factures réglées")
	c.see("Attestations annuelles", title)
	c.auditNarrow("les factures réglées et leurs attestations")

	c.click(title)
	c.see(title, "Commune de Démoville", "Camille Martin", "Crèche municipale, janvier", "Crèche municipale, avril",
		"Crèche municipale, septembre", "en ligne", "hors du portail", "549,45", "article 200 quater B", "Code de vérification")
	c.notSee("Restauration scolaire, mars")
	c.auditNarrow("l'attestation annuelle")
	code := regexp.MustCompile(`[34679ACDEFGHJKMNPQRTWXY]{4}-[34679ACDEFGHJKMNPQRTWXY]{4}-[34679ACDEFGHJKMNPQRTWXY]{4}`).FindString(c.text())
	if code == "" {
		t.Fatal("the certificate shows no verification code")
	}

	// The PDF, fetched by the page itself with the citizen's session.
	var encoded string
	href := fmt.Sprintf("/attestations/%d/pdf", year)
	c.run("fetch the PDF", chromedp.Evaluate(fmt.Sprintf(`fetch(%q).then(r => {
		if (!r.ok || r.headers.get("Content-Type") !== "application/pdf") throw new Error("status " + r.status);
		return r.arrayBuffer();
	}).then(b => { let s = ""; for (const x of new Uint8Array(b)) s += String.fromCharCode(x); return btoa(s); })`, href),
		&encoded, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	data, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil || !strings.HasPrefix(string(data), "%PDF-") {
		t.Fatalf("the certificate's PDF is no PDF (%v)", err)
	}
	text := pdfText(t, data)
	for _, want := range []string{title, "Camille Martin (référence DEMO-0001)", fmt.Sprintf("Année : %d", year),
		"Crèche municipale, avril", "hors du portail", "Total : 549,45 €", code, fmt.Sprintf("/attestations/%d", year)} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q; its text:\n%s", want, text)
		}
	}

	anyone := visitor(t, c.portal)
	anyone.open("/verification")
	anyone.fill("code", strings.ToLower(code))
	anyone.click("Vérifier")
	anyone.see("Document authentique", "Attestation annuelle de paiement", "Commune de Démoville", "Camille Martin", "549,45")
	anyone.notSee("Crèche municipale")
	anyone.auditNarrow("la vérification d'une attestation")

	m := visitor(t, c.portal)
	m.staffLogin(demo.StaffEmail, demo.StaffPassword)
	m.open("/gestion/parametres")
	m.see("Attestation annuelle", "Proposer l'attestation annuelle aux redevables", "Titre de l'attestation")
	m.auditNarrow("les paramètres, avec l'attestation annuelle")
	m.click("Redevables")
	m.see("Attestations annuelles de tous les redevables")
	m.auditNarrow("les redevables, avec le fichier ZIP des attestations")
}
