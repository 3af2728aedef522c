package citizen_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/adapters/http/webtest/full"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports/demo"
)

func TestCloseAccount(t *testing.T) {
	e := full.New(t)
	b := e.Browser().LoginDemo()
	elsewhere := e.Browser().LoginDemo()
	webtest.Contains(t, b.Get("/mes-informations"), `href="/mes-informations/clore"`, "Clore mon compte")

	p := b.Get("/mes-informations/clore")
	require.Equal(t, http.StatusOK, p.Status)
	webtest.Contains(t, p, "<h1>Clore mon compte</h1>", "effacées 12 mois après la clôture", "J'active mon compte",
		`<label for="current_password">`, `autocomplete="current-password"`, "Annuler")

	t.Run("a wrong password is said beside the field and closes nothing", func(t *testing.T) {
		p := b.Post("/mes-informations/clore", url.Values{"current_password": {"mauvais"}})
		assert.Equal(t, http.StatusBadRequest, p.Status)
		webtest.Contains(t, p, domain.ErrWrongPassword.Message, `aria-invalid="true"`)
		assert.Equal(t, http.StatusOK, b.Get("/mes-informations").Status)
	})

	t.Run("the right password closes the account and ends its sessions", func(t *testing.T) {
		before := e.MailsTo(demo.Email)
		p := b.Post("/mes-informations/clore", url.Values{"current_password": {demo.Password}})
		require.Equal(t, http.StatusSeeOther, p.Status)
		webtest.Contains(t, b.Get(p.Location()), "Votre compte est clos")
		assert.Equal(t, before+1, e.MailsTo(demo.Email), "the confirmation mail")
		assert.Equal(t, http.StatusSeeOther, b.Get("/factures").Status)
		assert.Equal(t, http.StatusSeeOther, elsewhere.Get("/factures").Status, "other sessions end")
		again := e.Browser()
		again.Get("/connexion")
		p = again.Post("/connexion", url.Values{"email": {demo.Email}, "password": {demo.Password}})
		assert.Equal(t, http.StatusUnauthorized, p.Status, "a closed account cannot log in")
	})

	t.Run("the legal notice says how long the data are kept", func(t *testing.T) {
		webtest.Contains(t, e.Browser().Get("/mentions-legales"), "Données personnelles", "12 mois après sa clôture", "Clore votre compte",
			"Les courriels que le portail vous envoie", "conservés 90 jours")
	})
}
