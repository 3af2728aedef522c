package ports_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

func TestStaffInvoices(t *testing.T) {
	e := newEnv(t)
	a := e.addStaff(t, "agent@ville.fr", domain.RoleReader)

	list, err := e.portal.BackOffice().StaffInvoices(e.ctx, a, ports.StaffInvoiceFilter{})
	require.NoError(t, err)
	assert.Equal(t, 4, list.Total)
	assert.False(t, list.AtLeast)
	for _, inv := range list.Invoices {
		assert.Contains(t, list.Payers, inv.PayerID, "every payer listed is named")
	}

	list, err = e.portal.BackOffice().StaffInvoices(e.ctx, a, ports.StaffInvoiceFilter{PayerRef: "REF002"})
	require.NoError(t, err)
	assert.Equal(t, 1, list.Total)
	list, err = e.portal.BackOffice().StaffInvoices(e.ctx, a, ports.StaffInvoiceFilter{PayerRef: "INCONNU"})
	require.NoError(t, err)
	assert.Equal(t, 0, list.Total)
	_, err = e.portal.BackOffice().StaffInvoices(e.ctx, a, ports.StaffInvoiceFilter{State: "perdue"})
	assert.Equal(t, "etat", domain.ErrorField(err))

	list, err = e.portal.BackOffice().StaffInvoices(e.ctx, ports.Actor{Kind: domain.ActorStaff, BillerID: uuid.New(), Role: domain.RoleManager}, ports.StaffInvoiceFilter{})
	require.NoError(t, err)
	assert.Equal(t, 0, list.Total, "another biller's staff lists none of these invoices")
	_, err = e.portal.BackOffice().StaffInvoices(e.ctx, ports.Actor{Kind: domain.ActorCitizen, BillerID: e.biller()}, ports.StaffInvoiceFilter{})
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err), "a citizen is no staff")
	_, err = e.portal.BackOffice().StaffInvoice(e.ctx, ports.Actor{Kind: domain.ActorStaff, BillerID: uuid.New(), Role: domain.RoleManager}, e.invoiceIDs(1)[0])
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err), "another biller's invoice does not exist for this actor")
}

func TestStaffInvoicesCountIsBounded(t *testing.T) {
	e := newEnv(t)
	a := e.addStaff(t, "agent@ville.fr", domain.RoleReader)
	var invs []domain.Invoice
	for i := range ports.BackOfficeCountLimit {
		invs = append(invs, portstest.NewInvoice(t, e.newbie, fmt.Sprintf("2026-%06d", i), "10.00"))
	}
	require.NoError(t, e.store.Atomic(e.ctx, func(tx ports.Tx) error {
		portstest.MustSaveInvoices(t, tx, invs...)
		return nil
	}))
	list, err := e.portal.BackOffice().StaffInvoices(e.ctx, a, ports.StaffInvoiceFilter{})
	require.NoError(t, err)
	assert.Equal(t, ports.BackOfficeCountLimit, list.Total, "the count stops at the bound")
	assert.True(t, list.AtLeast)
	assert.Equal(t, ports.BackOfficeCountLimit/ports.StaffInvoicePageSize, list.Pages)
}
