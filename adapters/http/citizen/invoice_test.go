package citizen_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/adapters/http/webtest/full"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports/demo"
)

func TestInvoiceTabs(t *testing.T) {
	e := full.New(t)
	b := e.Browser().LoginDemo()

	unpaid := b.Get("/factures")
	require.Equal(t, http.StatusOK, unpaid.Status)
	webtest.Contains(t, unpaid, "Factures non réglées", "Factures réglées", "Factures en trésorerie", "Camille Martin",
		">Date<", ">Echéance<", ">Montant<", ">Numéro<", ">Objet<", ">État<",
		webtest.Water, webtest.Canteen, webtest.Nursery, "243,11\u00a0€", "Non réglée", "Payer la facture",
		"<title>Mes factures – Factures non réglées – Portail des factures – Commune de Démoville</title>")
	webtest.Contains(t, unpaid, domain.Today(webtest.Start).AddDays(21).French(), domain.Today(webtest.Start).AddDays(-10).French())
	assert.Contains(t, unpaid.Body, `<a href="/factures?onglet=non-reglees" aria-current="page">`)
	assert.Equal(t, "no-store", unpaid.Header.Get("Cache-Control"))
	webtest.NotContains(t, unpaid, webtest.PaidOne, webtest.Treasury, webtest.Theirs)

	paid := b.Get("/factures?onglet=reglees")
	webtest.Contains(t, paid, webtest.PaidOne, "Réglée")
	assert.Contains(t, paid.Body, `<a href="/factures?onglet=reglees" aria-current="page">`)
	webtest.NotContains(t, paid, webtest.Water, "Payer la facture")

	tr := b.Get("/factures?onglet=tresorerie")
	webtest.Contains(t, tr, webtest.Treasury, "Transmise en trésorerie", "transmises au Trésor public", "avis de somme à payer")

	assert.Equal(t, http.StatusNotFound, b.Get("/factures?onglet=autre").Status)
	assert.Equal(t, http.StatusBadRequest, b.Get("/factures?page=zero").Status)
}

func TestInvoicesArePaginated(t *testing.T) {
	e := full.New(t)
	ctx := context.Background()
	acc, err := e.Store.AccountByEmail(ctx, demo.BillerID, demo.Email)
	require.NoError(t, err)
	today := domain.Today(webtest.Start)
	for i := range 25 {
		inv := domain.Invoice{
			ID: uuid.New(), BillerID: demo.BillerID, PayerID: acc.PayerID,
			Number: fmt.Sprintf("2026-099-%06d", i), Object: "Historique", IssueDate: today.AddDays(-100 - i),
			DueDate: today.AddDays(-70 - i), Amount: decimal.RequireFromString("10.00"), State: domain.InvoicePaid,
			PaidAt: webtest.Start, CreatedAt: webtest.Start, UpdatedAt: webtest.Start,
		}
		require.NoError(t, e.Store.SaveInvoice(ctx, inv))
	}
	b := e.Browser().LoginDemo()
	first := b.Get("/factures?onglet=reglees")
	webtest.Contains(t, first, "31 factures, page 1 sur 2", "Page suivante")
	webtest.NotContains(t, first, "Page précédente")
	assert.Contains(t, first.Body, `href="/factures?onglet=reglees&amp;page=2"`)
	second := b.Get("/factures?onglet=reglees&page=2")
	webtest.Contains(t, second, "page 2 sur 2", "Page précédente", "<title>Mes factures – Factures réglées – page 2")
}

func TestInvoiceDetail(t *testing.T) {
	e := full.New(t)
	b := e.Browser().LoginDemo()
	p := b.Get("/factures/" + webtest.IDOf(webtest.Water).String())
	require.Equal(t, http.StatusOK, p.Status)
	webtest.Contains(t, p, "Facture "+webtest.Water, "Eau et assainissement, 2e semestre", "243,11\u00a0€", "Non réglée",
		"Payer la facture", "Marquer la facture comme réglée", "Commune de Démoville")
	assert.Contains(t, p.Body, `href="/paiement?facture=`+webtest.IDOf(webtest.Water).String()+`"`)
	webtest.NotContains(t, p, "PDF", "Marquer la facture comme non réglée")

	t.Run("another payer's invoice is not found", func(t *testing.T) {
		p := b.Get("/factures/" + webtest.IDOf(webtest.Theirs).String())
		assert.Equal(t, http.StatusNotFound, p.Status)
		webtest.Contains(t, p, "Page introuvable", domain.ErrNotFound.Message)
		webtest.NotContains(t, p, webtest.Theirs)
		assert.Equal(t, http.StatusNotFound, b.Get("/factures/"+uuid.NewString()).Status)
		assert.Equal(t, http.StatusNotFound, b.Get("/factures/pas-un-uuid").Status)
	})
	t.Run("paid", func(t *testing.T) {
		p := b.Get("/factures/" + webtest.IDOf(webtest.PaidOne).String())
		webtest.Contains(t, p, "Réglée", "Réglée le", "Aucune action n'est possible")
		webtest.NotContains(t, p, "Payer la facture")
	})
	t.Run("treasury", func(t *testing.T) {
		p := b.Get("/factures/" + webtest.IDOf(webtest.Treasury).String())
		webtest.Contains(t, p, "Transmise en trésorerie", "avis de somme à payer")
		webtest.NotContains(t, p, "Payer la facture")
	})
}

func TestInvoicePDFIsLinkedOnlyWhenThereIsOne(t *testing.T) {
	e := full.New(t)
	b := e.Browser().LoginDemo()
	assert.Equal(t, http.StatusNotFound, b.Get("/factures/"+webtest.IDOf(webtest.Water).String()+"/pdf").Status)

	inv, err := e.Store.Invoice(context.Background(), webtest.IDOf(webtest.Canteen))
	require.NoError(t, err)
	inv.PDF = "factures/2026-030-000412.pdf"
	require.NoError(t, e.Store.SaveInvoice(context.Background(), inv))
	p := b.Get("/factures/" + webtest.IDOf(webtest.Canteen).String())
	assert.NotContains(t, p.Body, `/pdf"`, "no link to a document the store does not hold")
	pdf := b.Get("/factures/" + webtest.IDOf(webtest.Canteen).String() + "/pdf")
	assert.Equal(t, http.StatusNotFound, pdf.Status, "nothing fake is served")
	webtest.Contains(t, pdf, "Cette facture n'a pas de document PDF.")
	assert.Equal(t, http.StatusNotFound, b.Get("/factures/"+webtest.IDOf(webtest.Theirs).String()+"/pdf").Status)
}

func TestDeclarePaidAndUndo(t *testing.T) {
	e := full.New(t)
	b := e.Browser().LoginDemo()
	detail := "/factures/" + webtest.IDOf(webtest.Canteen).String()
	b.Get(detail)
	p := b.Post(detail+"/reglee", nil)
	require.Equal(t, http.StatusSeeOther, p.Status)
	assert.Equal(t, detail+"?message=reglee", p.Location())
	p = b.Get(p.Location())
	webtest.Contains(t, p, "La facture a été marquée comme réglée.", "Déclarée réglée par vos soins", "Marquer la facture comme non réglée")
	webtest.NotContains(t, p, "Marquer la facture comme réglée", `href="/paiement?facture=`)
	webtest.Contains(t, b.Get("/factures?onglet=reglees"), webtest.Canteen)

	p = b.Post(detail+"/non-reglee", nil)
	require.Equal(t, http.StatusSeeOther, p.Status)
	p = b.Get(p.Location())
	webtest.Contains(t, p, "La facture a été marquée comme non réglée.", "Non réglée", "Payer la facture")

	// Someone else's invoice: not found, nothing changed.
	p = b.Post("/factures/"+webtest.IDOf(webtest.Theirs).String()+"/reglee", nil)
	assert.Equal(t, http.StatusNotFound, p.Status)
}

func TestSuspendedPaymentShowsTheServicesMessage(t *testing.T) {
	e := full.New(t)
	e.SetBiller(func(b *domain.Biller) {
		b.Suspension = domain.Suspension{Active: true, Message: "Maintenance des factures jusqu'à lundi."}
	})
	b := e.Browser().LoginDemo()
	p := b.Get("/factures/" + webtest.IDOf(webtest.Water).String())
	webtest.Contains(t, p, "Maintenance des factures jusqu'à lundi.", "Marquer la facture comme réglée")
	webtest.NotContains(t, p, `href="/paiement?facture=`)

	// « Mes factures »: the message in place of the pay button.
	p = b.Get("/factures")
	require.Equal(t, http.StatusOK, p.Status)
	webtest.Contains(t, p, "Maintenance des factures jusqu'à lundi.", webtest.Water)
	webtest.NotContains(t, p, `href="/paiement"`, "Payer la facture")

	// The selection page says why, with no pay button.
	p = b.Get("/paiement")
	require.Equal(t, http.StatusOK, p.Status)
	webtest.Contains(t, p, "Maintenance des factures jusqu'à lundi.")
	webtest.NotContains(t, p, `<button type="submit">Payer la facture</button>`, "Aucune facture ne peut être réglée en ligne pour le moment")

	// Going straight to the summary: the message once, no list, no error
	// summary pointing to it.
	p = b.Get("/paiement/recapitulatif?facture=" + webtest.IDOf(webtest.Water).String())
	assert.Equal(t, http.StatusServiceUnavailable, p.Status)
	webtest.Contains(t, p, "Maintenance des factures jusqu'à lundi.")
	webtest.NotContains(t, p, "Payer la facture sur le portail PayFiP", "Une erreur empêche de continuer", `href="#invoices"`)

	// The default message when the service gave none.
	e.SetBiller(func(b *domain.Biller) { b.Suspension = domain.Suspension{Active: true} })
	webtest.Contains(t, b.Get("/factures"), domain.DefaultSuspensionMessage)
	webtest.Contains(t, b.Get("/paiement"), domain.DefaultSuspensionMessage)

	// Lifted: the button comes back.
	e.SetBiller(func(b *domain.Biller) { b.Suspension = domain.Suspension{} })
	webtest.Contains(t, b.Get("/factures"), `href="/paiement"`)
}
