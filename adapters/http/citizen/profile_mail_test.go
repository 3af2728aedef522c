package citizen_test

import (
	"context"
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

func TestProfileMailPreferences(t *testing.T) {
	e := full.New(t)
	b := e.Browser().LoginDemo()
	p := b.Get("/mes-informations")
	require.Equal(t, http.StatusOK, p.Status)
	webtest.Contains(t, p, "Avis et rappels par courriel",
		`<input type="checkbox" id="avis" name="avis" value="1" checked>`,
		`<input type="checkbox" id="rappels" name="rappels" value="1" checked>`,
		"Les messages liés à la sécurité de votre compte")

	account := func() domain.Account {
		t.Helper()
		a, err := e.Store.AccountByEmail(context.Background(), demo.BillerID, demo.Email)
		require.NoError(t, err)
		return a
	}
	p = b.Post("/mes-informations/courriels", url.Values{"avis": {"1"}})
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	assert.Equal(t, "/mes-informations?message=courriels", p.Location())
	a := account()
	assert.False(t, a.NoticesOff)
	assert.True(t, a.RemindersOff, "the unchecked box turns reminders off")
	p = b.Get("/mes-informations?message=courriels")
	webtest.Contains(t, p, "Vos choix de courriels sont enregistrés.",
		`<input type="checkbox" id="rappels" name="rappels" value="1">`)

	// Without the form token nothing changes.
	p = b.PostRaw("/mes-informations/courriels", url.Values{"avis": {"1"}, "rappels": {"1"}})
	assert.NotEqual(t, http.StatusSeeOther, p.Status)
	assert.True(t, account().RemindersOff)

	p = b.Post("/mes-informations/courriels", url.Values{"rappels": {"1"}})
	require.Equal(t, http.StatusSeeOther, p.Status)
	a = account()
	assert.True(t, a.NoticesOff)
	assert.False(t, a.RemindersOff)
}
