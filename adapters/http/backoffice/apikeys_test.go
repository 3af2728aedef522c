package backoffice_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

const apiKeysPage = "/gestion/parametres/cles-api"

var (
	apiSecretRE   = regexp.MustCompile(`value="(` + domain.APIKeyPrefix + `[A-Za-z0-9_-]{40,})"`)
	apiKeyNonceRE = regexp.MustCompile(`<input type="hidden" name="nonce" value="([A-Za-z0-9_-]+)">`)
)

// apiKeyNonce is the nonce of the creation form on p.
func apiKeyNonce(t *testing.T, p resp) string {
	t.Helper()
	m := apiKeyNonceRE.FindStringSubmatch(p.Body)
	require.NotNil(t, m, "the creation form's nonce: %s", p.Body)
	return m[1]
}

// callAPI reads the demo payer through the API with key, as a billing
// software does, and returns the status.
func (e *env) callAPI(key string) int {
	e.T.Helper()
	req, err := http.NewRequest(http.MethodGet, e.TS.URL+"/api/v1/payers/DEMO-0001", nil)
	require.NoError(e.T, err)
	req.Header.Set("Authorization", "Bearer "+key)
	return e.Browser().Do(req).Status
}

func TestAdministratorManagesAPIKeys(t *testing.T) {
	e := newEnv(t)
	b, _ := e.admin()

	p := b.Get("/gestion/parametres")
	contains(t, p, `<a href="`+apiKeysPage+`">Clés d'API</a>`)
	p = b.Get(apiKeysPage)
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	contains(t, p, "<h1>Clés d'API</h1>", "Le service n'a encore aucune clé d'API.", `<label for="cle-name">Nom de la clé</label>`, "Créer la clé")

	t.Run("the name is required, with the error tied to its field", func(t *testing.T) {
		nonce := apiKeyNonce(t, b.Get(apiKeysPage))
		p := b.Post(apiKeysPage, url.Values{"name": {"  "}, "nonce": {nonce}})
		assert.Equal(t, http.StatusBadRequest, p.Status)
		contains(t, p, "Une erreur empêche de continuer", `href="#cle-name"`, "Le nom de la clé est obligatoire (100 caractères au plus).",
			`aria-invalid="true"`)
		assert.Equal(t, nonce, apiKeyNonce(t, p), "the form corrected is the same form")
	})

	t.Run("a form without its nonce makes nothing and comes back with a fresh one", func(t *testing.T) {
		b.Get(apiKeysPage)
		p := b.Post(apiKeysPage, url.Values{"name": {"Logiciel"}, "nonce": {"altere"}})
		assert.Equal(t, http.StatusBadRequest, p.Status)
		contains(t, p, "Le formulaire de création n'est plus valable", `value="Logiciel"`)
		apiKeyNonce(t, p)
		keys, err := e.Store.APIKeys(context.Background(), demo.BillerID)
		require.NoError(t, err)
		assert.Empty(t, keys)
	})

	t.Run("the form token is required", func(t *testing.T) {
		b.Get(apiKeysPage)
		p := b.PostRaw(apiKeysPage, url.Values{"name": {"Logiciel"}, "jeton": {"faux"}}, "Sec-Fetch-Site", "same-origin")
		assert.Equal(t, http.StatusForbidden, p.Status)
		keys, err := e.Store.APIKeys(context.Background(), demo.BillerID)
		require.NoError(t, err)
		assert.Empty(t, keys)
	})

	// Creation: the secret is on the answer, once, never cached.
	form := url.Values{"name": {"Logiciel de facturation"}, "nonce": {apiKeyNonce(t, b.Get(apiKeysPage))}}
	p = b.Post(apiKeysPage, form)
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	assert.Equal(t, "no-store", p.Header.Get("Cache-Control"))
	assert.Equal(t, "no-referrer", p.Header.Get("Referrer-Policy"))
	contains(t, p, "Clé d'API créée", "elle ne sera plus jamais affichée", `<label for="cle-secrete">Clé « Logiciel de facturation »</label>`)
	m := apiSecretRE.FindStringSubmatch(p.Body)
	require.NotNil(t, m, p.Body)
	secret := m[1]
	assert.Equal(t, http.StatusOK, e.callAPI(secret), "the new key opens the API")

	keys, err := e.Store.APIKeys(context.Background(), demo.BillerID)
	require.NoError(t, err)
	require.Len(t, keys, 1)
	key := keys[0]
	assert.Equal(t, domain.HashSecret(secret), key.Hash, "only the hash is kept")

	// Reloading the secret's page posts the same form again: no second
	// key, and a page that says why the secret is not there.
	p = b.Post(apiKeysPage, form)
	assert.Equal(t, http.StatusConflict, p.Status, p.Body)
	assert.Equal(t, "no-store", p.Header.Get("Cache-Control"))
	contains(t, p, "<h1>Clé d'API déjà créée</h1>", "Ce formulaire a déjà créé la clé « Logiciel de facturation » (<code>"+key.Hint+"…</code>)",
		"aucune autre clé n'a été créée", "ne peut plus l'être", "révoquez cette clé et créez-en une autre", `href="`+apiKeysPage+`"`)
	notContains(t, p, secret, "the secret is shown once")
	assert.Nil(t, apiSecretRE.FindStringSubmatch(p.Body), "no secret at all")
	keys, err = e.Store.APIKeys(context.Background(), demo.BillerID)
	require.NoError(t, err)
	require.Len(t, keys, 1, "one form, one key")

	p = b.Get(apiKeysPage)
	contains(t, p, "<td>Logiciel de facturation</td>", "<code>"+key.Hint+"…</code>", "par "+demo.AdminEmail, "Active",
		`href="`+apiKeysPage+"/"+key.ID.String()+`/revoquer"`)
	notContains(t, p, secret, "never shown again")
	assert.NotContains(t, p.Body, "Jamais", "the API call above is the key's last use")

	// Revocation: a confirmation first; a post without it changes nothing.
	revoke := apiKeysPage + "/" + key.ID.String() + "/revoquer"
	p = b.Get(revoke)
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, "Révoquer la clé d'API « Logiciel de facturation » ("+key.Hint+"…) ?", "ne pourra plus appeler l'API", "Révoquer la clé", "Annuler")
	p = b.PostRaw(revoke, url.Values{"confirmation": {"oui"}, "jeton": {"faux"}}, "Sec-Fetch-Site", "same-origin")
	assert.Equal(t, http.StatusForbidden, p.Status, "the session's form token is required")
	b.Get(apiKeysPage)
	p = b.Post(revoke, nil)
	assert.Equal(t, http.StatusOK, p.Status)
	contains(t, p, "Révoquer la clé d'API « Logiciel de facturation »")
	assert.Equal(t, http.StatusOK, e.callAPI(secret), "nothing is revoked without the confirmation")

	p = b.Post(revoke, url.Values{"confirmation": {"oui"}})
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	assert.Equal(t, apiKeysPage+"?ok=cle-revoquee", p.Location())
	assert.Equal(t, http.StatusUnauthorized, e.callAPI(secret), "a revoked key is refused at once")
	p = b.Get(p.Location())
	contains(t, p, "La clé d'API est révoquée", "Révoquée le")
	notContains(t, p, revoke)
	p = b.Post(apiKeysPage, form)
	assert.Equal(t, http.StatusConflict, p.Status, "the first form, posted once more")
	contains(t, p, "Clé d'API déjà créée", "Cette clé a été révoquée le", "créez-en une autre")
	notContains(t, p, "révoquez cette clé")

	// The audit log names the administrator for both.
	p = b.Get("/gestion/journal?action=apikey.")
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, "Clé d'API créée", "Clé d'API révoquée", "Clé d'API « Logiciel de facturation » révoquée ("+key.Hint+"…).", demo.AdminEmail)
	notContains(t, p, secret)
}

func TestAPIKeysAreForAdministratorsOnly(t *testing.T) {
	e := newEnv(t)
	_, secret, err := e.Portal.Operator().CreateAPIKey(context.Background(), demo.BillerID, "Logiciel")
	require.NoError(t, err)
	keys, err := e.Store.APIKeys(context.Background(), demo.BillerID)
	require.NoError(t, err)
	revoke := apiKeysPage + "/" + keys[0].ID.String() + "/revoquer"

	for name, b := range map[string]*browser{"gestionnaire": e.Manager(), "lecture": e.Reader()} {
		t.Run(name, func(t *testing.T) {
			p := b.Get("/gestion/parametres")
			require.Equal(t, http.StatusOK, p.Status)
			notContains(t, p, apiKeysPage)
			for _, path := range []string{apiKeysPage, revoke} {
				p = b.Get(path)
				assert.Equal(t, http.StatusForbidden, p.Status, path)
				contains(t, p, "Seul un administrateur du service peut gérer les clés d'API.")
				notContains(t, p, "Logiciel")
			}
			b.Get("/gestion/parametres")
			for _, path := range []string{apiKeysPage, revoke} {
				p = b.Post(path, url.Values{"name": {"Intrus"}, "confirmation": {"oui"}})
				assert.Equal(t, http.StatusForbidden, p.Status, path)
			}
		})
	}
	after, err := e.Store.APIKeys(context.Background(), demo.BillerID)
	require.NoError(t, err)
	assert.Equal(t, keys, after, "nothing made, nothing revoked")
	assert.Equal(t, http.StatusOK, e.callAPI(secret))

	// Another biller's administrator does not find the demo's key.
	otherBiller := e.otherBiller()
	_, _, err = e.Portal.Operator().AddStaff(context.Background(), ports.StaffInput{BillerID: otherBiller.ID, Email: "chef@autreville.test",
		Role: domain.RoleAdmin, Password: otherPassword})
	require.NoError(t, err)
	other := e.Browser().OnHost(otherHost).StaffLogin("chef@autreville.test", otherPassword)
	p := other.Get(apiKeysPage)
	require.Equal(t, http.StatusOK, p.Status)
	notContains(t, p, "<td>Logiciel</td>", keys[0].Hint)
	contains(t, p, "Le service n'a encore aucune clé d'API.")
	assert.Equal(t, http.StatusNotFound, other.Get(revoke).Status)
	other.Get(apiKeysPage)
	assert.Equal(t, http.StatusNotFound, other.Post(revoke, url.Values{"confirmation": {"oui"}}).Status)
	assert.Equal(t, http.StatusOK, e.callAPI(secret))
	assert.False(t, strings.Contains(p.Body, secret))
}
