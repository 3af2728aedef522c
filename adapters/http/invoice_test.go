package http

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports/demo"
)

func TestInvoiceTabs(t *testing.T) {
	e := newEnv(t)
	b := e.Browser().LoginDemo()

	unpaid := b.Get("/factures")
	require.Equal(t, http.StatusOK, unpaid.Status)
	contains(t, unpaid, "Factures non réglées", "Factures réglées", "Factures en trésorerie", "Camille Martin",
		">Date<", ">Echéance<", ">Montant<", ">Numéro<", ">Objet<", ">État<",
		water, canteen, nursery, "243,11\u00a0€", "Non réglée", "Payer la facture",
		"<title>Mes factures – Factures non réglées – Portail des factures – Commune de Démoville</title>")
	contains(t, unpaid, domain.Today(start).AddDays(21).French(), domain.Today(start).AddDays(-10).French())
	assert.Contains(t, unpaid.Body, `<a href="/factures?onglet=non-reglees" aria-current="page">`)
	assert.Equal(t, "no-store", unpaid.Header.Get("Cache-Control"))
	notContains(t, unpaid, paidOne, treasury, theirs)

	paid := b.Get("/factures?onglet=reglees")
	contains(t, paid, paidOne, "Réglée")
	assert.Contains(t, paid.Body, `<a href="/factures?onglet=reglees" aria-current="page">`)
	notContains(t, paid, water, "Payer la facture")

	tr := b.Get("/factures?onglet=tresorerie")
	contains(t, tr, treasury, "Transmise en trésorerie", "transmises au Trésor public", "avis de somme à payer")

	assert.Equal(t, http.StatusNotFound, b.Get("/factures?onglet=autre").Status)
	assert.Equal(t, http.StatusBadRequest, b.Get("/factures?page=zero").Status)
}

func TestInvoicesArePaginated(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	acc, err := e.Store.AccountByEmail(ctx, demo.BillerID, demo.Email)
	require.NoError(t, err)
	today := domain.Today(start)
	for i := range 25 {
		inv := domain.Invoice{
			ID: uuid.New(), BillerID: demo.BillerID, PayerID: acc.PayerID,
			Number: fmt.Sprintf("2026-099-%06d", i), Object: "Historique", IssueDate: today.AddDays(-100 - i),
			DueDate: today.AddDays(-70 - i), Amount: decimal.RequireFromString("10.00"), State: domain.InvoicePaid,
			PaidAt: start, CreatedAt: start, UpdatedAt: start,
		}
		require.NoError(t, e.Store.SaveInvoice(ctx, inv))
	}
	b := e.Browser().LoginDemo()
	first := b.Get("/factures?onglet=reglees")
	contains(t, first, "27 factures, page 1 sur 2", "Page suivante")
	notContains(t, first, "Page précédente")
	assert.Contains(t, first.Body, `href="/factures?onglet=reglees&amp;page=2"`)
	second := b.Get("/factures?onglet=reglees&page=2")
	contains(t, second, "page 2 sur 2", "Page précédente", "<title>Mes factures – Factures réglées – page 2")
}

func TestInvoiceDetail(t *testing.T) {
	e := newEnv(t)
	b := e.Browser().LoginDemo()
	p := b.Get("/factures/" + idOf(water).String())
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, "Facture "+water, "Eau et assainissement, 2e semestre", "243,11\u00a0€", "Non réglée",
		"Payer la facture", "Marquer la facture comme réglée", "Commune de Démoville")
	assert.Contains(t, p.Body, `href="/paiement?facture=`+idOf(water).String()+`"`)
	notContains(t, p, "PDF", "Marquer la facture comme non réglée")

	t.Run("another payer's invoice is not found", func(t *testing.T) {
		p := b.Get("/factures/" + idOf(theirs).String())
		assert.Equal(t, http.StatusNotFound, p.Status)
		contains(t, p, "Page introuvable", domain.ErrNotFound.Message)
		notContains(t, p, theirs)
		assert.Equal(t, http.StatusNotFound, b.Get("/factures/"+uuid.NewString()).Status)
		assert.Equal(t, http.StatusNotFound, b.Get("/factures/pas-un-uuid").Status)
	})
	t.Run("paid", func(t *testing.T) {
		p := b.Get("/factures/" + idOf(paidOne).String())
		contains(t, p, "Réglée", "Réglée le", "Aucune action n'est possible")
		notContains(t, p, "Payer la facture")
	})
	t.Run("treasury", func(t *testing.T) {
		p := b.Get("/factures/" + idOf(treasury).String())
		contains(t, p, "Transmise en trésorerie", "avis de somme à payer")
		notContains(t, p, "Payer la facture")
	})
}

func TestInvoicePDFIsLinkedOnlyWhenThereIsOne(t *testing.T) {
	e := newEnv(t)
	b := e.Browser().LoginDemo()
	assert.Equal(t, http.StatusNotFound, b.Get("/factures/"+idOf(water).String()+"/pdf").Status)

	inv, err := e.Store.Invoice(context.Background(), idOf(canteen))
	require.NoError(t, err)
	inv.PDF = "factures/2026-030-000412.pdf"
	require.NoError(t, e.Store.SaveInvoice(context.Background(), inv))
	p := b.Get("/factures/" + idOf(canteen).String())
	assert.NotContains(t, p.Body, `/pdf"`, "no link to a document the store does not hold")
	pdf := b.Get("/factures/" + idOf(canteen).String() + "/pdf")
	assert.Equal(t, http.StatusNotFound, pdf.Status, "nothing fake is served")
	contains(t, pdf, "Cette facture n'a pas de document PDF.")
	assert.Equal(t, http.StatusNotFound, b.Get("/factures/"+idOf(theirs).String()+"/pdf").Status)
}

func TestDeclarePaidAndUndo(t *testing.T) {
	e := newEnv(t)
	b := e.Browser().LoginDemo()
	detail := "/factures/" + idOf(canteen).String()
	b.Get(detail)
	p := b.Post(detail+"/reglee", nil)
	require.Equal(t, http.StatusSeeOther, p.Status)
	assert.Equal(t, detail+"?message=reglee", p.Location())
	p = b.Get(p.Location())
	contains(t, p, "La facture a été marquée comme réglée.", "Déclarée réglée par vos soins", "Marquer la facture comme non réglée")
	notContains(t, p, "Marquer la facture comme réglée", `href="/paiement?facture=`)
	contains(t, b.Get("/factures?onglet=reglees"), canteen)

	p = b.Post(detail+"/non-reglee", nil)
	require.Equal(t, http.StatusSeeOther, p.Status)
	p = b.Get(p.Location())
	contains(t, p, "La facture a été marquée comme non réglée.", "Non réglée", "Payer la facture")

	// Someone else's invoice: not found, nothing changed.
	p = b.Post("/factures/"+idOf(theirs).String()+"/reglee", nil)
	assert.Equal(t, http.StatusNotFound, p.Status)
}

func TestSuspendedPaymentShowsTheServicesMessage(t *testing.T) {
	e := newEnv(t)
	e.SetBiller(func(b *domain.Biller) {
		b.Suspension = domain.Suspension{Active: true, Message: "Maintenance des factures jusqu'à lundi."}
	})
	b := e.Browser().LoginDemo()
	p := b.Get("/factures/" + idOf(water).String())
	contains(t, p, "Maintenance des factures jusqu'à lundi.", "Marquer la facture comme réglée")
	notContains(t, p, `href="/paiement?facture=`)

	// « Mes factures »: the message in place of the pay button.
	p = b.Get("/factures")
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, "Maintenance des factures jusqu'à lundi.", water)
	notContains(t, p, `href="/paiement"`, "Payer la facture")

	// The selection page says why, with no pay button.
	p = b.Get("/paiement")
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, "Maintenance des factures jusqu'à lundi.")
	notContains(t, p, `<button type="submit">Payer la facture</button>`, "Aucune facture ne peut être réglée en ligne pour le moment")

	// Going straight to the summary: the message once, no list, no error
	// summary pointing to it.
	p = b.Get("/paiement/recapitulatif?facture=" + idOf(water).String())
	assert.Equal(t, http.StatusServiceUnavailable, p.Status)
	contains(t, p, "Maintenance des factures jusqu'à lundi.")
	notContains(t, p, "Payer la facture sur le portail PayFiP", "Une erreur empêche de continuer", `href="#invoices"`)

	// The default message when the service gave none.
	e.SetBiller(func(b *domain.Biller) { b.Suspension = domain.Suspension{Active: true} })
	contains(t, b.Get("/factures"), domain.DefaultSuspensionMessage)
	contains(t, b.Get("/paiement"), domain.DefaultSuspensionMessage)

	// Lifted: the button comes back.
	e.SetBiller(func(b *domain.Biller) { b.Suspension = domain.Suspension{} })
	contains(t, b.Get("/factures"), `href="/paiement"`)
}
