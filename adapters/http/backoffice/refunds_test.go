package backoffice_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
	"github.com/portail-factures/portail/ports/portstest"
)

// doublePaid pays the demo's water invoice twice: first by the payment
// of paidUnconfirmed, then by a second attempt whose "paid" arrived
// later. It returns the refund the portal recorded.
func (e *env) doublePaid() domain.Refund {
	e.T.Helper()
	ctx := context.Background()
	first := e.PaidUnconfirmed()
	b, err := e.Store.Biller(ctx, demo.BillerID)
	require.NoError(e.T, err)
	acc, err := e.Store.AccountByEmail(ctx, demo.BillerID, demo.Email)
	require.NoError(e.T, err)
	inv, err := e.Store.Invoice(ctx, idOf(water))
	require.NoError(e.T, err)
	extra := portstest.NewPayment(e.T, b, acc, inv)
	extra.CreatedAt, extra.OperationID, extra.Authorization = start.Add(-30*time.Minute), "op-double", "NUMAUTO9"
	extra.State, extra.Method, extra.TransactionAt, extra.Confirmed = domain.PaymentPaid, domain.MethodCard, start.Add(-20*time.Minute), true
	require.NoError(e.T, e.Store.SavePayment(ctx, extra))
	r := domain.NewRefund(extra, inv, domain.SettledBefore{Number: inv.Number, PaymentID: first.ID, PaidAt: first.TransactionAt}, start.Add(-19*time.Minute))
	r.EarlierRefdet = first.Refdet
	require.NoError(e.T, e.Store.SaveRefund(ctx, r))
	return r
}

func (e *env) refund(id domain.Refund) domain.Refund {
	e.T.Helper()
	r, err := e.Store.Refund(context.Background(), id.ID)
	require.NoError(e.T, err)
	return r
}

func TestStaffRefunds(t *testing.T) {
	e := newEnv(t)
	r := e.doublePaid()

	rd := e.Reader()
	home := rd.Get("/gestion/")
	contains(t, home, `<a href="/gestion/remboursements"><span class="nombre">1</span> double paiement à rembourser</a>`,
		`href="/gestion/remboursements">À rembourser</a>`)

	p := rd.Get("/gestion/remboursements")
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	contains(t, p, "Doubles paiements à rembourser", "1 double paiement", water, "Camille Martin (DEMO-0001)", "243,11",
		r.Refdet, "NUMAUTO9", r.EarlierRefdet, "paiement en ligne", "À rembourser",
		`aria-current="page">À rembourser</a>`, `href="/gestion/remboursements/export.csv?etat=a-rembourser"`)
	notContains(t, p, "Marquer comme remboursé")
	post := rd.Post("/gestion/remboursements/"+r.ID.String()+"/rembourse", nil)
	assert.Equal(t, http.StatusForbidden, post.Status, "the role « lecture » may not mark")
	contains(t, post, "Votre rôle « lecture » permet de consulter mais pas de modifier.")
	assert.False(t, e.refund(r).Refunded())

	contains(t, rd.Get("/gestion/factures/"+idOf(water).String()), "Double paiement", "243,11", r.Refdet, `<a href="/gestion/remboursements">à rembourser</a>`)

	bad := rd.Get("/gestion/remboursements?etat=n-importe")
	assert.Equal(t, http.StatusBadRequest, bad.Status)
	contains(t, bad, "Choix de liste inconnu")

	t.Run("CSV", func(t *testing.T) {
		csv := rd.Get("/gestion/remboursements/export.csv?etat=a-rembourser")
		require.Equal(t, http.StatusOK, csv.Status, csv.Body)
		assert.Equal(t, "text/csv; charset=utf-8", csv.Header.Get("Content-Type"))
		assert.Contains(t, csv.Header.Get("Content-Disposition"), `attachment; filename="doubles-paiements-2026-11-26.csv"`)
		assert.True(t, strings.HasPrefix(csv.Body, "\ufeff"+strings.Join(ports.RefundExportColumns, ";")+"\r\n"))
		assert.Contains(t, csv.Body, water+";243.11;DEMO-0001;Camille Martin;"+r.Refdet+";op-double;NUMAUTO9;")
		assert.Contains(t, csv.Body, ";pending;À rembourser;;")
		none := rd.Get("/gestion/remboursements/export.csv?etat=rembourses")
		assert.NotContains(t, none.Body, r.Refdet)
		assert.Equal(t, http.StatusBadRequest, rd.Get("/gestion/remboursements/export.csv?etat=x").Status)
	})

	t.Run("a form without its token is refused", func(t *testing.T) {
		m := e.Manager()
		p := m.PostRaw("/gestion/remboursements/"+r.ID.String()+"/rembourse", nil)
		assert.Equal(t, http.StatusForbidden, p.Status)
		assert.False(t, e.refund(r).Refunded())
	})

	t.Run("another biller's staff sees nothing of it", func(t *testing.T) {
		e.otherBiller()
		o := e.Browser().OnHost(otherHost).StaffLogin("autre@autreville.test", otherPassword)
		p := o.Get("/gestion/remboursements?etat=tous")
		require.Equal(t, http.StatusOK, p.Status)
		notContains(t, p, r.Refdet, water)
		assert.NotContains(t, o.Get("/gestion/remboursements/export.csv?etat=tous").Body, r.Refdet)
		o.Get("/gestion/remboursements")
		p = o.Post("/gestion/remboursements/"+r.ID.String()+"/rembourse", nil)
		assert.Equal(t, http.StatusNotFound, p.Status)
		assert.False(t, e.refund(r).Refunded())
	})

	t.Run("the manager marks it refunded, once", func(t *testing.T) {
		m := e.Manager()
		p := m.Get("/gestion/remboursements")
		contains(t, p, "Marquer comme remboursé")
		e.Clock.Advance(time.Hour)
		p = m.Post("/gestion/remboursements/"+r.ID.String()+"/rembourse", nil)
		require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
		assert.Equal(t, "/gestion/remboursements?ok=rembourse", p.Location())
		got := e.refund(r)
		assert.True(t, got.Refunded())
		assert.Equal(t, "Agent de démonstration", got.RefundedBy)
		p = m.Get(p.Location())
		contains(t, p, "Le double paiement est marqué comme remboursé.", "Aucun double paiement n'est à rembourser.")
		p = m.Get("/gestion/remboursements?etat=rembourses")
		contains(t, p, "Remboursé le 26/11/2026 à 11h00 par Agent de démonstration")
		notContains(t, p, "<button type=\"submit\">Marquer comme remboursé")
		contains(t, m.Get("/gestion/"), `<span class="nombre">0</span> doubles paiements à rembourser`)
		contains(t, m.Get("/gestion/journal"), "Double paiement remboursé", water)

		again := m.Post("/gestion/remboursements/"+r.ID.String()+"/rembourse", nil)
		assert.Equal(t, http.StatusConflict, again.Status)
		contains(t, again, "déjà été marqué comme remboursé le 26/11/2026 à 11h00 par Agent de démonstration")
	})
}

func TestInvoicePageSaysTheSecondPaymentIsRefunded(t *testing.T) {
	e := newEnv(t)
	r := e.doublePaid()
	c := e.Browser().LoginDemo()
	p := c.Get("/factures/" + idOf(water).String())
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	contains(t, p, "Paiement reçu deux fois",
		"Cette facture a été réglée deux fois : le service Commune de Démoville vous remboursera le second paiement de 243,11", r.Refdet)

	_, err := e.Portal.BackOfficePayments().MarkRefunded(context.Background(), ports.Actor{Kind: domain.ActorStaff, BillerID: demo.BillerID,
		ID: demo.StaffID, Label: demo.StaffEmail, Role: domain.RoleManager}, r.ID)
	require.NoError(t, err)
	p = c.Get("/factures/" + idOf(water).String())
	contains(t, p, "le second paiement de 243,11", "vous a été remboursé le 26/11/2026")
	notContains(t, p, "vous remboursera", "Agent de démonstration")

	other := c.Get("/factures/" + idOf(canteen).String())
	notContains(t, other, "Paiement reçu deux fois")
}

// Rejecting the payment that settled an invoice first, while another
// payment's money for it waits to be refunded: the confirmation page says
// the invoice stays settled by that payment, and the refund is then
// listed as cancelled, no longer to refund.
func TestRejectingTheFirstPaymentCancelsTheRefund(t *testing.T) {
	e := newEnv(t)
	r := e.doublePaid()
	first := e.payment(r.EarlierPaymentID)
	m := e.Manager()
	path := "/gestion/paiements/" + first.ID.String()
	m.Get(path)
	p := m.Post(path+"/rejeter", nil)
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	contains(t, p, "La facture "+water+" restera réglée par le paiement "+r.Refdet+", reçu en double : ce double paiement ne sera plus à rembourser.")
	notContains(t, p, "seront de nouveau à régler")

	p = m.Post(path+"/rejeter", url.Values{"confirmation": {"oui"}})
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	assert.Equal(t, domain.InvoicePaid, e.InvoiceState(water))
	assert.Equal(t, domain.RefundCancelled, e.refund(r).State())

	contains(t, m.Get("/gestion/remboursements"), "Aucun double paiement n'est à rembourser.")
	contains(t, m.Get("/gestion/"), `<span class="nombre">0</span> doubles paiements à rembourser`)
	p = m.Get("/gestion/remboursements?etat=annules")
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	contains(t, p, `<option value="annules" selected>Annulés</option>`, r.Refdet,
		"Annulé le 26/11/2026 à 10h00 : le paiement "+first.Refdet)
	notContains(t, p, "Marquer comme remboursé")
	contains(t, m.Get("/gestion/factures/"+idOf(water).String()), "plus à rembourser (annulé le 26/11/2026 à 10h00 : le paiement "+first.Refdet)
	csv := m.Get("/gestion/remboursements/export.csv?etat=annules")
	require.Equal(t, http.StatusOK, csv.Status, csv.Body)
	assert.Contains(t, csv.Body, ";cancelled;Annulé;;;2026-11-26T10:00:00+01:00;le paiement "+first.Refdet)
	contains(t, m.Get("/gestion/journal"), "Double paiement annulé")
	notContains(t, e.Browser().LoginDemo().Get("/factures/"+idOf(water).String()), "Paiement reçu deux fois")
}
