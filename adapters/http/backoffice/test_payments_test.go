package backoffice_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

func TestTheBackOfficeListsTestPayments(t *testing.T) {
	e := newEnv(t)
	e.SetBiller(func(b *domain.Biller) { b.Saisie = domain.SaisieTest })
	e.StartPaying()
	e.Gateway.SetOutcome("op-1", domain.OutcomePaid)
	e.Browser().PostRaw(ports.PathPaymentNotify, url.Values{"idop": {"op-1"}})
	pay, err := e.Store.PaymentByOperation(context.Background(), "op-1")
	require.NoError(t, err)
	require.Equal(t, domain.PaymentTest, pay.State)

	staff := e.Browser()
	staff.StaffLogin(demo.StaffEmail, demo.StaffPassword)
	list := staff.Get("/gestion/paiements?etat=test")
	require.Equal(t, http.StatusOK, list.Status, list.Body)
	contains(t, list, `<option value="test" selected>Paiement de test</option>`, pay.Refdet)
	notContains(t, staff.Get("/gestion/paiements?etat=paid"), pay.Refdet)

	detail := staff.Get("/gestion/paiements/" + pay.ID.String())
	require.Equal(t, http.StatusOK, detail.Status)
	contains(t, detail, "Environnement PayFiP (saisie)", "paiement de test, aucune somme encaissée", "paiement de test, aucune somme reçue")

	csv := staff.Get("/gestion/paiements/export.csv?etat=test")
	require.Equal(t, http.StatusOK, csv.Status)
	contains(t, csv, ";saisie;saisie_retour;test\r\n", ";T;T;oui\r\n")
}
