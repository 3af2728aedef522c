package citizen_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/adapters/http/webtest/full"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

// The link of the demo's reminder (its invoice is due in three days and
// reminders are on for Démoville), as the payer's mail carries it.
func reminderLink(t *testing.T, e *webtest.Env) string {
	t.Helper()
	_, err := e.Portal.Jobs().RunReminders(context.Background())
	require.NoError(t, err)
	for _, m := range e.Mails.Mails() {
		if strings.EqualFold(m.To, demo.Email) && m.Unsubscribe != "" {
			_, path, ok := strings.Cut(m.Unsubscribe, webtest.PublicURL)
			require.True(t, ok, m.Unsubscribe)
			require.True(t, strings.HasPrefix(path, ports.PathUnsubscribe+"/"), path)
			return path
		}
	}
	t.Fatal("no reminder with an unsubscribe link")
	return ""
}

func TestUnsubscribePage(t *testing.T) {
	e := full.New(t)
	path := reminderLink(t, e)
	account := func() domain.Account {
		t.Helper()
		a, err := e.Store.AccountByEmail(context.Background(), demo.BillerID, demo.Email)
		require.NoError(t, err)
		return a
	}

	// Opening the link, as a mail scanner would, changes nothing.
	b := e.Browser()
	p := b.Get(path)
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	webtest.Contains(t, p, "<h1>Ne plus recevoir ces courriels</h1>",
		"les rappels avant et après l'échéance", `<button type="submit">Ne plus recevoir ces courriels</button>`)
	assert.False(t, account().RemindersOff)

	// The page's button turns reminders off, and only them.
	p = b.Post(path, nil)
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	webtest.Contains(t, p, "C'est fait : vous ne recevrez plus les rappels")
	a := account()
	assert.True(t, a.RemindersOff)
	assert.False(t, a.NoticesOff)

	// Asked again, the page says so and offers no button.
	p = b.Get(path)
	webtest.Contains(t, p, "Vous ne recevez déjà plus les rappels")
	webtest.NotContains(t, p, `<button type="submit">`)
}

func TestUnsubscribeOneClickNeedsNoFormToken(t *testing.T) {
	e := full.New(t)
	path := reminderLink(t, e)
	// A mail provider's one-click POST (RFC 8058): no cookie, no token.
	p := e.Browser().PostRaw(path, url.Values{"List-Unsubscribe": {"One-Click"}})
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	a, err := e.Store.AccountByEmail(context.Background(), demo.BillerID, demo.Email)
	require.NoError(t, err)
	assert.True(t, a.RemindersOff)
}

func TestUnsubscribeRefusesAForgedLink(t *testing.T) {
	e := full.New(t)
	path := reminderLink(t, e)
	forged := path[:len(path)-2] + "AA"
	if forged == path {
		forged = path[:len(path)-2] + "BB"
	}
	b := e.Browser()
	for _, p := range []webtest.Resp{b.Get(forged), b.PostRaw(forged, url.Values{"List-Unsubscribe": {"One-Click"}}), b.Get(ports.PathUnsubscribe + "/nimportequoi")} {
		assert.Equal(t, http.StatusNotFound, p.Status)
		webtest.Contains(t, p, "Ce lien de désabonnement n'est pas valide.")
	}
	a, err := e.Store.AccountByEmail(context.Background(), demo.BillerID, demo.Email)
	require.NoError(t, err)
	assert.False(t, a.RemindersOff)
}
