package http

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStaffInvoices(t *testing.T) {
	e := newEnv(t)
	e.otherBiller()
	b := e.reader()

	p := b.get("/gestion/factures")
	require.Equal(t, http.StatusOK, p.status, p.body)
	contains(t, p, "8 factures", water, theirs, "Camille Martin (DEMO-0001)", "243,11")
	notContains(t, p, "AUTRE-2026-1")

	p = b.get("/gestion/factures?redevable=DEMO-0002")
	contains(t, p, "2 factures", theirs)
	notContains(t, p, water)
	p = b.get("/gestion/factures?etat=treasury")
	contains(t, p, "1 facture", treasury)
	p = b.get("/gestion/factures?numero=" + water)
	contains(t, p, "1 facture")
	p = b.get("/gestion/factures?numero=AUTRE-2026-1")
	contains(t, p, "0 factures", "Aucune facture")
	p = b.get("/gestion/factures?redevable=AUTRE-0001")
	contains(t, p, "0 factures")
	p = b.get("/gestion/factures?etat=n-importe")
	assert.Equal(t, http.StatusBadRequest, p.status)
	contains(t, p, "État de facture inconnu.")

	p = b.get("/gestion/factures/" + idOf(water).String())
	require.Equal(t, http.StatusOK, p.status)
	contains(t, p, "Facture "+water, "Camille Martin", "Non réglée", "Transmission en trésorerie")
	p = b.get("/gestion/factures/" + idOf(paidOne).String())
	contains(t, p, "Réglée le", "hors du portail")

	other := e.otherBillerInvoiceID()
	p = b.get("/gestion/factures/" + other.String())
	assert.Equal(t, http.StatusNotFound, p.status, "another biller's invoice does not exist here")
	p = b.get("/gestion/factures/pas-un-id")
	assert.Equal(t, http.StatusNotFound, p.status)
}
