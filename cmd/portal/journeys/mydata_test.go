//go:build browser

package journeys

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// TestMyData: the demo citizen writes to the service, then opens « Mes
// données » from « Mes informations »: their identity, addresses,
// account events, invoices and message, each list a table with its
// caption; axe-core audits the page at full width and at 320 px (where
// it must not scroll sideways). The page's own link downloads the JSON
// file, an attachment that parses, with the same data.
func TestMyData(t *testing.T) {
	c := newCitizen(t)
	c.citizenLogin()
	c.click("Contact")
	c.fill("subject", "Question sur ma facture d'eau")
	c.fill("body", "Bonjour,\npouvez-vous m'expliquer le montant ? Merci.")
	c.click("Envoyer")
	c.see("Votre message a été envoyé")

	c.click("Mes informations")
	c.see("Mes données")
	c.click("Voir mes données")
	c.see("Mes données", "Identité et compte", "Camille Martin", "DEMO-0001", demoEmail,
		"Adresses et courriels", "Avis à chaque nouvelle facture",
		"Événements du compte", "Connexion",
		"Factures", "Vos factures, de la plus récente à la plus ancienne", "2026-020-002059", "243,11",
		"Paiements en ligne", "Messages envoyés au service", "Question sur ma facture d'eau",
		"Avis et rappels reçus", "Télécharger mes données (fichier JSON)")
	c.notSee("Dominique Bernard")
	c.auditNarrow("mes données")

	// The download, fetched by the page with the citizen's session.
	var got struct {
		Disposition string
		Body        string
	}
	c.run("fetch the JSON file", chromedp.Evaluate(`(async () => {
		const a = [...document.querySelectorAll("a[download]")].find(a => a.textContent.includes("fichier JSON"));
		const r = await fetch(a.href);
		if (!r.ok) throw new Error("status " + r.status);
		return {Disposition: r.headers.get("Content-Disposition"), Body: await r.text()};
	})()`, &got, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	if !strings.HasPrefix(got.Disposition, "attachment;") || !strings.Contains(got.Disposition, "mes-donnees-DEMO-0001-") {
		t.Errorf("Content-Disposition: %q", got.Disposition)
	}
	var doc struct {
		Format   string `json:"format"`
		Identity struct {
			Name string `json:"name"`
		} `json:"identity"`
		Invoices []struct {
			Number string `json:"number"`
			Amount string `json:"amount"`
		} `json:"invoices"`
		Messages []struct {
			Subject string `json:"subject"`
		} `json:"messages"`
	}
	if err := json.Unmarshal([]byte(got.Body), &doc); err != nil {
		t.Fatalf("the download is no JSON: %v", err)
	}
	if doc.Format != "portail-des-factures/mes-donnees/v1" || doc.Identity.Name != "Camille Martin" ||
		len(doc.Messages) != 1 || doc.Messages[0].Subject != "Question sur ma facture d'eau" {
		t.Errorf("the download: %+v", doc)
	}
	found := false
	for _, inv := range doc.Invoices {
		found = found || (inv.Number == "2026-020-002059" && inv.Amount == "243.11")
	}
	if !found {
		t.Errorf("the download lacks the water invoice at 243.11: %+v", doc.Invoices)
	}
}
