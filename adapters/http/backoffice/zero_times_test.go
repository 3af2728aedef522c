package backoffice_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports/demo"
	"github.com/portail-factures/portail/ports/portstest"
)

// A zero time.Time is a struct, and a struct is always true to {{if}} and
// {{with}}: the screens below test .IsZero instead. One test per screen
// where an instant may be unknown.

func TestPayerWhoNeverLoggedInShowsJamais(t *testing.T) {
	e := newEnv(t)
	page := "/gestion/redevables/" + e.demoPayer("DEMO-0001").String()
	p := e.Manager().Get(page)
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, "<dt>Dernière connexion</dt><dd>Jamais</dd>")

	e.Clock.Set(time.Date(2026, 11, 26, 14, 5, 0, 0, time.UTC))
	e.Browser().LoginDemo()
	p = e.Manager().Get(page)
	contains(t, p, "<dt>Dernière connexion</dt><dd>26/11/2026 à 15h05</dd>")
	notContains(t, p, "Jamais")
}

func TestDashboardSuspensionWithoutAnEnd(t *testing.T) {
	e := newEnv(t)
	e.SetBiller(func(b *domain.Biller) {
		b.Suspension = domain.Suspension{Active: true, Message: "Maintenance des factures."}
	})
	p := e.Manager().Get("/gestion/")
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, "Paiement en ligne suspendu.", "« Maintenance des factures. »</p>")
	notContains(t, p, "Reprise prévue")

	e.SetBiller(func(b *domain.Biller) {
		b.Suspension = domain.Suspension{Active: true, Message: "Maintenance des factures.", From: start.Add(24 * time.Hour)}
	})
	p = e.Manager().Get("/gestion/")
	contains(t, p, "Suspension programmée</strong> du paiement en ligne à partir du 27/11/2026 à 10h00.</p>")
	notContains(t, p, "jusqu'au")

	e.SetBiller(func(b *domain.Biller) {
		b.Suspension = domain.Suspension{Active: true, From: start.Add(24 * time.Hour), Until: start.Add(26 * time.Hour)}
	})
	contains(t, e.Manager().Get("/gestion/"), "à partir du 27/11/2026 à 10h00 jusqu'au 27/11/2026 à 12h00.")
}

func TestRefundWhoseFirstSettlementHasNoDate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	b, err := e.Store.Biller(ctx, demo.BillerID)
	require.NoError(t, err)
	acc, err := e.Store.AccountByEmail(ctx, demo.BillerID, demo.Email)
	require.NoError(t, err)
	inv, err := e.Store.Invoice(ctx, idOf(water))
	require.NoError(t, err)
	extra := portstest.NewPayment(t, b, acc, inv)
	extra.State, extra.Method, extra.TransactionAt, extra.Confirmed = domain.PaymentPaid, domain.MethodCard, start.Add(-20*time.Minute), true
	require.NoError(t, e.Store.SavePayment(ctx, extra))
	// Paid at the counter, on a date the service did not record.
	r := domain.NewRefund(extra, inv, domain.SettledBefore{Number: inv.Number}, start.Add(-19*time.Minute))
	require.NoError(t, e.Store.SaveRefund(ctx, r))

	p := e.Manager().Get("/gestion/remboursements")
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, "hors du portail (guichet, règlement déclaré…)</td>")
	notContains(t, p, "<br>le ")
}
