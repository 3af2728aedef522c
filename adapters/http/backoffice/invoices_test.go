package backoffice_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/http/backoffice"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

func TestStaffInvoices(t *testing.T) {
	e := newEnv(t)
	e.otherBiller()
	b := e.Reader()

	p := b.Get("/gestion/factures")
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	contains(t, p, "13 factures", water, theirs, "Camille Martin (DEMO-0001)", "243,11")
	notContains(t, p, "AUTRE-2026-1")

	p = b.Get("/gestion/factures?redevable=DEMO-0002")
	contains(t, p, "2 factures", theirs)
	notContains(t, p, water)
	p = b.Get("/gestion/factures?etat=treasury")
	contains(t, p, "1 facture", treasury)
	p = b.Get("/gestion/factures?numero=" + water)
	contains(t, p, "1 facture")
	p = b.Get("/gestion/factures?numero=AUTRE-2026-1")
	contains(t, p, "0 factures", "Aucune facture")
	p = b.Get("/gestion/factures?redevable=AUTRE-0001")
	contains(t, p, "0 factures")
	p = b.Get("/gestion/factures?etat=n-importe")
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, "État de facture inconnu.")

	p = b.Get("/gestion/factures/" + idOf(water).String())
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, "Facture "+water, "Camille Martin", "Non réglée", "Transmission en trésorerie")
	p = b.Get("/gestion/factures/" + idOf(paidOne).String())
	contains(t, p, "Réglée le", "hors du portail")

	other := e.otherBillerInvoiceID()
	p = b.Get("/gestion/factures/" + other.String())
	assert.Equal(t, http.StatusNotFound, p.Status, "another biller's invoice does not exist here")
	p = b.Get("/gestion/factures/pas-un-id")
	assert.Equal(t, http.StatusNotFound, p.Status)
}

func TestStaffInvoiceStatusChanges(t *testing.T) {
	e := newEnv(t)
	e.otherBiller()
	path := "/gestion/factures/" + idOf(water).String()

	reader := e.Reader()
	p := reader.Get(path)
	notContains(t, p, "Marquer la facture comme réglée", "Annuler la facture")
	p = reader.Post(path+"/etat", url.Values{"etat": {"cancelled"}})
	assert.Equal(t, http.StatusForbidden, p.Status)
	assert.Equal(t, domain.InvoiceUnpaid, e.InvoiceState(water))

	m := e.Manager()
	p = m.Get(path)
	contains(t, p, "Marquer la facture comme réglée", "Transmettre la facture en trésorerie", "Annuler la facture")
	p = m.Post(path+"/etat", url.Values{"etat": {"paid"}, "reglee_le": {"pas une date"}})
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, "La date du règlement est invalide")
	p = m.Post(path+"/etat", url.Values{"etat": {"paid"}, "reglee_le": {"2026-11-24"}})
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	p = m.Get(p.Location())
	contains(t, p, "La facture est enregistrée comme réglée hors du portail.", "Réglée le", "24/11/2026", "hors du portail")
	assert.Equal(t, domain.InvoicePaid, e.InvoiceState(water))

	p = m.Post(path+"/etat", url.Values{"etat": {"cancelled"}})
	assert.Equal(t, http.StatusConflict, p.Status)
	contains(t, p, "ne peut pas être annulée")

	nurseryPath := "/gestion/factures/" + idOf(nursery).String()
	m.Get(nurseryPath)
	p = m.Post(nurseryPath+"/etat", url.Values{"etat": {"treasury"}})
	require.Equal(t, http.StatusSeeOther, p.Status)
	assert.Equal(t, domain.InvoiceTreasury, e.InvoiceState(nursery))
	m.Get(nurseryPath)
	p = m.Post(nurseryPath+"/etat", url.Values{"etat": {"cancelled"}})
	require.Equal(t, http.StatusSeeOther, p.Status)
	assert.Equal(t, domain.InvoiceCancelled, e.InvoiceState(nursery))

	citizen := e.Browser().LoginDemo()
	p = citizen.Get("/factures?onglet=tresorerie")
	notContains(t, p, nursery)

	other := e.Browser().OnHost(otherHost).StaffLogin("autre@autreville.test", otherPassword)
	other.Get("/gestion/")
	p = other.Post("/gestion/factures/"+idOf(canteen).String()+"/etat", url.Values{"etat": {"cancelled"}})
	assert.Equal(t, http.StatusNotFound, p.Status, "another biller's staff cannot touch the invoice")
	assert.Equal(t, domain.InvoiceUnpaid, e.InvoiceState(canteen))

	events, _, err := e.Store.AuditEvents(context.Background(), ports.AuditQuery{BillerID: demo.BillerID, Actor: domain.ActorStaff, Text: nursery})
	require.NoError(t, err)
	assert.Len(t, events, 2, "each change is in the audit log")
}

func TestPageLinksKeepTheFilters(t *testing.T) {
	u, err := url.Parse("/gestion/factures?etat=unpaid&page=2")
	require.NoError(t, err)
	prev, next := backoffice.PageLinks(u, 2, 3)
	assert.Equal(t, "/gestion/factures?etat=unpaid&page=1", prev)
	assert.Equal(t, "/gestion/factures?etat=unpaid&page=3", next)
	prev, next = backoffice.PageLinks(u, 1, 1)
	assert.Empty(t, prev)
	assert.Empty(t, next)
}
