//go:build browser

package journeys

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/portail-factures/portail/ports/demo"
)

// The API keys in the back office (issue 16, part 4): the demo's
// administrator creates a key in « Paramètres → Clés d'API », reads its
// secret once, the billing software reads with it, and the administrator
// revokes it after a confirmation whose « Annuler » changes nothing. A
// gestionnaire is offered no link. Every page is audited at the window's
// width and at 320 px.

const apiKeyName = "Logiciel de facturation"

func TestAPIKeysInTheBackOffice(t *testing.T) {
	if skipReason != "" {
		t.Skip(skipReason)
	}
	p := startPortal(t)
	callAPI := func(secret string) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, p.URL+"/api/v1/payers/DEMO-0001", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+secret)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}

	a := visitor(t, p)
	a.staffLogin(demo.AdminEmail, demo.AdminPassword)
	a.click("Paramètres")
	a.click("Clés d'API")
	a.see("Clés d'API", "Le service n'a encore aucune clé d'API.", "Créer une clé")
	a.auditNarrow("les clés d'API sans clé")

	a.click("Créer la clé")
	a.see("Erreur", "Le nom de la clé est obligatoire")
	a.auditNarrow("la création d'une clé sans nom")
	a.fill("cle-name", apiKeyName)
	a.click("Créer la clé")
	a.see("Clé d'API créée", "elle ne sera plus jamais affichée")
	a.auditNarrow("la clé d'API créée")
	var secret string
	a.run("read the secret", chromedp.Value("#cle-secrete", &secret, chromedp.ByQuery))
	if len(secret) < 40 {
		t.Fatalf("the secret shown is %q", secret)
	}
	if st := callAPI(secret); st != http.StatusOK {
		t.Fatalf("the new key reads the API with status %d", st)
	}

	a.click("Retour aux clés d'API")
	a.see(apiKeyName, "par "+demo.AdminEmail, "Active")
	a.notSee(secret)
	a.auditNarrow("la liste des clés d'API")

	// Revoke: « Annuler » first, then for real.
	a.click("Révoquer la clé " + apiKeyName)
	a.see("Révoquer la clé d'API « "+apiKeyName+" »", "Annuler")
	a.auditNarrow("la confirmation de la révocation d'une clé")
	a.click("Annuler")
	a.see("Active")
	if st := callAPI(secret); st != http.StatusOK {
		t.Fatalf("after « Annuler », the key reads the API with status %d", st)
	}
	a.click("Révoquer la clé " + apiKeyName)
	a.click("Révoquer la clé")
	a.see("La clé d'API est révoquée", "Révoquée le")
	a.noControl("Révoquer")
	a.auditNarrow("la clé d'API révoquée")
	if st := callAPI(secret); st != http.StatusUnauthorized {
		t.Fatalf("the revoked key reads the API with status %d", st)
	}

	a.click("Journal")
	a.see("Clé d'API créée", "Clé d'API révoquée")

	m := visitor(t, p)
	m.staffLogin(demo.StaffEmail, demo.StaffPassword)
	m.click("Paramètres")
	m.noControl("Clés d'API")
}
