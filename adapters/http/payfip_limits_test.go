package http

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
	"github.com/portail-factures/portail/ports/portstest"
)

// newURLModeEnv is newEnv with a portal that speaks PayFiP's legacy URL
// mode, where one payment stays below 10 000 €.
func newURLModeEnv(t *testing.T) *env {
	t.Helper()
	var cfg Config
	e := newEnv(t, func(c *Config) { cfg = *c })
	p, err := ports.NewPortal(ports.Deps{
		Store: e.Store, Sessions: e.Store, Mailer: e.Mails, Gateway: e.Gateway,
		Clock: e.Clock, Random: portstest.NewSeqRandom(3),
	}, ports.Config{PublicURL: publicURL, Argon2: fastArgon2, MailInline: true, PayFiPMode: domain.PayFiPURL})
	require.NoError(t, err)
	cfg.Portal, e.Portal = p, p
	e.server, err = New(cfg)
	require.NoError(t, err)
	e.TS = httptest.NewServer(e.server)
	t.Cleanup(e.TS.Close)
	return e
}

func TestSettingsShowAndCheckTheAmountBounds(t *testing.T) {
	e := newURLModeEnv(t)
	b := e.Manager()
	p := b.Get("/gestion/parametres")
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, "Montant minimum d'un paiement (€)", "Montant maximum d'un paiement (€)",
		"TIPI, mode URL", "de 1,00\u00a0€ à 9\u202f999,99\u00a0€")
	assert.Contains(t, p.Body, `id="min_amount" name="min_amount" type="text" value="1,00"`)
	assert.Contains(t, p.Body, `id="max_amount" name="max_amount" type="text" value="9999,99"`, "the stored 99 999,99 € is shown within the mode's limit")

	form := func(min, max string) url.Values {
		v := e.settingsValues(demo.BillerID)
		v.Set("min_amount", min)
		v.Set("max_amount", max)
		return v
	}
	p = b.Post("/gestion/parametres", form("1,00", "10 000,00"))
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, "Le montant maximum d'un paiement ne peut pas dépasser 9\u202f999,99\u00a0€, la limite de PayFiP (TIPI, mode URL).", `href="#max_amount"`)
	p = b.Post("/gestion/parametres", form("0,50", "100"))
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, "Le montant minimum d'un paiement doit être d'au moins 1,00\u00a0€", `href="#min_amount"`)
	p = b.Post("/gestion/parametres", form("beaucoup", "100"))
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, "Montant « beaucoup » invalide", `value="beaucoup"`)
	assert.Equal(t, "99999.99", e.demoBiller().MaxAmount.StringFixed(2), "nothing saved")

	p = b.Post("/gestion/parametres", form("5", "2 500,50"))
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	assert.Equal(t, "5.00", e.demoBiller().MinAmount.StringFixed(2))
	assert.Equal(t, "2500.50", e.demoBiller().MaxAmount.StringFixed(2))
	events, _, err := e.Store.AuditEvents(context.Background(), ports.AuditQuery{BillerID: demo.BillerID, Action: domain.AuditSettingsChanged})
	require.NoError(t, err)
	require.Len(t, events, 1)
	assert.Contains(t, events[0].Detail, "montant maximum d'un paiement : 99\u202f999,99\u00a0€ → 2\u202f500,50\u00a0€")
}
