package ports_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

func TestInvoicePaidAtTheCounter(t *testing.T) {
	e := newEnv(t)
	a := e.apiActor(t, e.biller())
	inv := e.house.Invoices[0]
	at := e.clock.Now().Add(-24 * time.Hour)

	rec, changed, err := e.portal.BillingAPI().SetInvoiceStatus(e.ctx, a, inv.Number, ports.InvoiceStatusChange{Status: domain.InvoicePaid, PaidAt: at})
	require.NoError(t, err)
	assert.True(t, changed)
	assert.Equal(t, domain.InvoicePaid, rec.Invoice.State)
	assert.True(t, at.Equal(rec.Invoice.PaidAt))
	assert.Equal(t, uuid.Nil, rec.Invoice.PaymentID, "paid outside the portal")

	_, changed, err = e.portal.BillingAPI().SetInvoiceStatus(e.ctx, a, inv.Number, ports.InvoiceStatusChange{Status: domain.InvoicePaid})
	require.NoError(t, err)
	assert.False(t, changed, "asking twice is harmless")
	assert.True(t, at.Equal(e.invoice(t, inv.ID).PaidAt), "the first date stays")

	_, _, err = e.portal.BillingAPI().SetInvoiceStatus(e.ctx, a, inv.Number, ports.InvoiceStatusChange{Status: domain.InvoiceCancelled})
	assert.Equal(t, domain.Conflict, domain.ErrorCode(err), "a settled invoice cannot be cancelled")

	log := e.auditOf(t, e.biller())
	require.Len(t, log, 2, "key created, invoice paid")
	assert.Equal(t, domain.AuditInvoiceStatus, log[0].Action)
	assert.Equal(t, inv.Number, log[0].Target)
	assert.Contains(t, log[0].Detail, "réglée hors du portail")
}

func TestInvoiceSentToTreasuryOrCancelled(t *testing.T) {
	e := newEnv(t)
	a := e.apiActor(t, e.biller())
	first, second := e.house.Invoices[0], e.house.Invoices[1]

	for range 2 {
		rec, _, err := e.portal.BillingAPI().SetInvoiceStatus(e.ctx, a, first.Number, ports.InvoiceStatusChange{Status: domain.InvoiceTreasury})
		require.NoError(t, err)
		assert.Equal(t, domain.InvoiceTreasury, rec.Invoice.State)
		rec, _, err = e.portal.BillingAPI().SetInvoiceStatus(e.ctx, a, second.Number, ports.InvoiceStatusChange{Status: domain.InvoiceCancelled})
		require.NoError(t, err)
		assert.Equal(t, domain.InvoiceCancelled, rec.Invoice.State)
	}
	assert.Len(t, e.auditOf(t, e.biller()), 3, "key, treasury, cancellation: the repeats log nothing")

	held := e.house.Invoices[2]
	held.Lock(uuid.New(), e.clock.Now().Add(time.Hour))
	require.NoError(t, e.store.SaveInvoice(e.ctx, held))
	_, _, err := e.portal.BillingAPI().SetInvoiceStatus(e.ctx, a, held.Number, ports.InvoiceStatusChange{Status: domain.InvoiceCancelled})
	assert.Equal(t, domain.Conflict, domain.ErrorCode(err), "a payment in progress")
}

func TestInvoiceStatusChangeIsChecked(t *testing.T) {
	e := newEnv(t)
	a := e.apiActor(t, e.biller())
	number := e.house.Invoices[0].Number
	for name, ch := range map[string]ports.InvoiceStatusChange{
		"unpaid":        {Status: domain.InvoiceUnpaid},
		"unknown":       {Status: "refunded"},
		"paid tomorrow": {Status: domain.InvoicePaid, PaidAt: e.clock.Now().Add(24 * time.Hour)},
	} {
		_, _, err := e.portal.BillingAPI().SetInvoiceStatus(e.ctx, a, number, ch)
		assert.Equal(t, domain.Invalid, domain.ErrorCode(err), name)
	}
	_, _, err := e.portal.BillingAPI().SetInvoiceStatus(e.ctx, a, "2099-404", ports.InvoiceStatusChange{Status: domain.InvoicePaid})
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err))
	assert.Equal(t, domain.InvoiceUnpaid, e.invoice(t, e.house.Invoices[0].ID).State)
}

func TestStaffMoveInvoicesByHandAccordingToTheirRole(t *testing.T) {
	e := newEnv(t)
	number := e.house.Invoices[0].Number
	reader := ports.Actor{Kind: domain.ActorStaff, BillerID: e.biller(), ID: uuid.New(), Label: "lecture@testville.fr", Role: domain.RoleReader}
	_, _, err := e.portal.BillingAPI().SetInvoiceStatus(e.ctx, reader, number, ports.InvoiceStatusChange{Status: domain.InvoiceTreasury})
	assert.ErrorIs(t, err, ports.ErrReadOnly)
	_, err = e.portal.BillingAPI().InvoiceByNumber(e.ctx, reader, number)
	assert.NoError(t, err, "a reader reads")

	manager := reader
	manager.Role, manager.Label = domain.RoleManager, "agent@testville.fr"
	_, changed, err := e.portal.BillingAPI().SetInvoiceStatus(e.ctx, manager, number, ports.InvoiceStatusChange{Status: domain.InvoiceTreasury})
	require.NoError(t, err)
	assert.True(t, changed)
	log := e.auditOf(t, e.biller())
	assert.Equal(t, domain.ActorStaff, log[0].Actor)
	assert.Equal(t, "agent@testville.fr", log[0].ActorLabel)
}

func TestPaidPaymentsForTheBillingSoftware(t *testing.T) {
	e := newEnv(t)
	other := e.otherHousehold(t)
	a := e.apiActor(t, e.biller())
	save := func(h portstest.Household, state domain.PaymentState, created time.Time) domain.Payment {
		p := portstest.NewPayment(t, h.Biller, h.Account, h.Invoices[0])
		p.State, p.CreatedAt = state, created
		if state == domain.PaymentPaid {
			p.TransactionAt, p.Confirmed = created.Add(5*time.Minute), true
		}
		require.NoError(t, e.store.SavePayment(e.ctx, p))
		return p
	}
	now := e.clock.Now()
	old := save(e.house, domain.PaymentPaid, now.Add(-48*time.Hour))
	recent := save(e.house, domain.PaymentPaid, now.Add(-time.Hour))
	save(e.house, domain.PaymentRefused, now.Add(-time.Hour))
	save(other, domain.PaymentPaid, now.Add(-time.Hour))

	list, total, err := e.portal.BillingAPI().PaidPayments(e.ctx, a, ports.PaidPaymentsQuery{Since: now.Add(-24 * time.Hour)})
	require.NoError(t, err)
	assert.Equal(t, 1, total, "paid, since the date, of this biller only")
	require.Len(t, list, 1)
	assert.Equal(t, recent.Refdet, list[0].Refdet)

	list, total, err = e.portal.BillingAPI().PaidPayments(e.ctx, a, ports.PaidPaymentsQuery{Limit: 1})
	require.NoError(t, err)
	assert.Equal(t, 2, total)
	assert.Equal(t, recent.Refdet, list[0].Refdet, "newest first")
	list, _, err = e.portal.BillingAPI().PaidPayments(e.ctx, a, ports.PaidPaymentsQuery{Limit: 1, Offset: 1})
	require.NoError(t, err)
	assert.Equal(t, old.Refdet, list[0].Refdet)
}
