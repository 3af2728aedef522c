//go:build browser

package journeys

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/portail-factures/portail/ports/demo"
)

// Reloading the page that shows a new API key's secret (follow-up of
// issue 16, part 4): the browser posts the creation form again, with its
// one-time nonce, and gets « Clé d'API déjà créée » instead of a second
// key; the secret is not shown again. Audited at the window's width and
// at 320 px.
func TestAPIKeyPageReloaded(t *testing.T) {
	if skipReason != "" {
		t.Skip(skipReason)
	}
	p := startPortal(t)
	a := visitor(t, p)
	a.staffLogin(demo.AdminEmail, demo.AdminPassword)
	a.click("Paramètres")
	a.click("Clés d'API")
	a.fill("cle-name", "Logiciel rechargé")
	a.click("Créer la clé")
	a.see("Clé d'API créée")
	var secret string
	a.run("read the secret", chromedp.Value("#cle-secrete", &secret, chromedp.ByQuery))
	if len(secret) < 40 {
		t.Fatalf("the secret shown is %q", secret)
	}

	a.clickAndWait("reload the secret's page", chromedp.Reload())
	a.see("Clé d'API déjà créée", "Ce formulaire a déjà créé la clé « Logiciel rechargé »",
		"aucune autre clé n'a été créée", "révoquez cette clé et créez-en une autre")
	a.notSee(secret)
	a.auditNarrow("la clé d'API déjà créée")

	a.click("Retour aux clés d'API")
	a.see("Logiciel rechargé")
	var rows int
	a.run("count the keys", chromedp.Evaluate(`document.querySelectorAll("table.liste tbody tr").length`, &rows))
	if rows != 1 {
		t.Fatalf("the list shows %d keys, want 1", rows)
	}
}
