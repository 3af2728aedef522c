package ports_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

func TestDashboardNoticeOncePerSession(t *testing.T) {
	e := newEnv(t)
	e.setBiller(t, func(b *domain.Biller) {
		b.Notice = "Coupure d'eau le 12 mars."
		b.HomeText = "Bienvenue sur votre espace."
	})
	secret, _, err := e.portal.CitizenAccounts().Login(e.ctx, e.biller(), "ref001@exemple.fr", password, false, "")
	require.NoError(t, err)
	s, c, err := e.portal.CitizenAccounts().Authenticate(e.ctx, secret)
	require.NoError(t, err)
	d, err := e.portal.Citizens().Dashboard(e.ctx, c, s)
	require.NoError(t, err)
	assert.Equal(t, "Coupure d'eau le 12 mars.", d.Notice)
	assert.Equal(t, "Bienvenue sur votre espace.", d.HomeText)
	assert.Equal(t, e.house.Payer.Name, d.PayerName)

	require.NoError(t, e.portal.Citizens().CloseNotice(e.ctx, s))
	s, _, err = e.portal.CitizenAccounts().Authenticate(e.ctx, secret)
	require.NoError(t, err)
	d, err = e.portal.Citizens().Dashboard(e.ctx, c, s)
	require.NoError(t, err)
	assert.Empty(t, d.Notice, "closed for the rest of the session")
	assert.Equal(t, "Bienvenue sur votre espace.", d.HomeText, "the home text shows every time")

	again, _, err := e.portal.CitizenAccounts().Login(e.ctx, e.biller(), "ref001@exemple.fr", password, false, secret)
	require.NoError(t, err)
	s, _, err = e.portal.CitizenAccounts().Authenticate(e.ctx, again)
	require.NoError(t, err)
	d, err = e.portal.Citizens().Dashboard(e.ctx, c, s)
	require.NoError(t, err)
	assert.NotEmpty(t, d.Notice, "shown again at the next login")
}

func TestInvoicesByTabAndPage(t *testing.T) {
	e := newEnv(t)
	require.NoError(t, e.store.Atomic(e.ctx, func(tx ports.Tx) error {
		for i := 0; i < 45; i++ {
			inv := portstest.NewInvoice(t, e.house.Payer, fmt.Sprintf("2024-%06d", i), "5.00")
			inv.IssueDate = domain.NewDate(2024, 1, 1).AddDays(i)
			inv.DueDate = inv.IssueDate.AddDays(10)
			_, err := inv.Settle(uuid.Nil, epoch(), epoch())
			require.NoError(t, err)
			portstest.MustSaveInvoices(t, tx, inv)
		}
		return nil
	}))
	page, err := e.portal.Citizens().Invoices(e.ctx, e.citizen, domain.TabPaid, 3, 20)
	require.NoError(t, err)
	assert.Equal(t, 45, page.Total)
	assert.Equal(t, 3, page.Pages)
	require.Len(t, page.Invoices, 5)
	assert.Equal(t, "2024-000004", page.Invoices[0].Number, "newest first")
	unpaid, err := e.portal.Citizens().Invoices(e.ctx, e.citizen, domain.TabUnpaid, 1, 0)
	require.NoError(t, err)
	assert.Len(t, unpaid.Invoices, 3)
	assert.Equal(t, e.house.Payer.Name, unpaid.PayerName)
	tr, err := e.portal.Citizens().Invoices(e.ctx, e.citizen, domain.TabTreasury, 1, 20)
	require.NoError(t, err)
	assert.Empty(t, tr.Invoices)
	assert.Equal(t, 1, tr.Pages)
	_, err = e.portal.Citizens().Invoices(e.ctx, e.citizen, "toutes", 1, 20)
	assert.ErrorIs(t, err, domain.ErrNotFound)
}

// TestAnotherPayersInvoiceIsInvisible: every use case answers NotFound, the
// same as for an invoice that does not exist, so nothing leaks.
func TestAnotherPayersInvoiceIsInvisible(t *testing.T) {
	e := newEnv(t)
	foreign, err := e.store.InvoiceByNumber(e.ctx, e.biller(), "2025-900001")
	require.NoError(t, err)
	missing := uuid.New()
	for _, id := range []uuid.UUID{foreign.ID, missing} {
		_, err := e.portal.Citizens().Invoice(e.ctx, e.citizen, id)
		assert.ErrorIs(t, err, domain.ErrNotFound)
		assert.ErrorIs(t, e.portal.Citizens().DeclarePaid(e.ctx, e.citizen, id), domain.ErrNotFound)
		assert.ErrorIs(t, e.portal.Citizens().UndoDeclarePaid(e.ctx, e.citizen, id), domain.ErrNotFound)
		_, err = e.portal.Citizens().PreparePayment(e.ctx, e.citizen, []uuid.UUID{id})
		assert.ErrorIs(t, err, domain.ErrNotFound)
		_, _, err = e.portal.Citizens().StartPayment(e.ctx, e.citizen, []uuid.UUID{e.house.Invoices[0].ID, id})
		assert.ErrorIs(t, err, domain.ErrNotFound)
	}
	assert.Empty(t, e.gateway.Requests(), "no attempt was created")
	assert.False(t, e.invoice(t, e.house.Invoices[0].ID).Locked(e.clock.Now()), "a refused start locks nothing")
	assert.True(t, e.invoice(t, foreign.ID).DeclaredPaidAt.IsZero(), "another payer's invoice is untouched")
}

func TestInvoiceDetailAndDeclarePaid(t *testing.T) {
	e := newEnv(t)
	id := e.house.Invoices[0].ID
	d, err := e.portal.Citizens().Invoice(e.ctx, e.citizen, id)
	require.NoError(t, err)
	assert.True(t, d.Actions.Pay)
	assert.Equal(t, "Non réglée", d.Status)

	require.NoError(t, e.portal.Citizens().DeclarePaid(e.ctx, e.citizen, id))
	d, err = e.portal.Citizens().Invoice(e.ctx, e.citizen, id)
	require.NoError(t, err)
	assert.False(t, d.Actions.Pay)
	assert.True(t, d.Actions.UndoDeclare)
	assert.Equal(t, domain.TabPaid, d.Invoice.Tab())

	require.NoError(t, e.portal.Citizens().UndoDeclarePaid(e.ctx, e.citizen, id))
	assert.Equal(t, domain.TabUnpaid, e.invoice(t, id).Tab())

	e.setBiller(t, func(b *domain.Biller) {
		b.Suspension = domain.Suspension{Active: true, Message: "Maintenance jusqu'à 14h."}
	})
	d, err = e.portal.Citizens().Invoice(e.ctx, e.citizen, id)
	require.NoError(t, err)
	assert.False(t, d.Actions.Pay)
	assert.Equal(t, "Maintenance jusqu'à 14h.", domain.ErrorMessage(d.Actions.PayBlocked), "the service's message replaces the pay button")
}

func TestTransferToTreasury(t *testing.T) {
	e := newEnv(t)
	e.setBiller(t, func(b *domain.Biller) { b.TreasuryDelayDays = 10 })
	due := e.house.Invoices[0].DueDate
	// The day before the treasury date, in Paris: nothing moves.
	e.clock.Set(due.AddDays(10).Time(domain.Paris).Add(23*time.Hour + 59*time.Minute))
	n, err := e.portal.Jobs().TransferToTreasury(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, n)
	// Locked by a live attempt: it waits.
	_, _, err = e.portal.Citizens().StartPayment(e.ctx, e.citizen, []uuid.UUID{e.house.Invoices[1].ID})
	require.NoError(t, err)
	e.advance(time.Minute)
	n, err = e.portal.Jobs().TransferToTreasury(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, 3, n, "the three unpaid invoices due then, the newcomer's and two of the household's; not the locked one")
	assert.Equal(t, domain.InvoiceTreasury, e.invoice(t, e.house.Invoices[0].ID).State)
	assert.Equal(t, domain.InvoiceUnpaid, e.invoice(t, e.house.Invoices[1].ID).State)
	n, err = e.portal.Jobs().TransferToTreasury(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "idempotent")
	page, err := e.portal.Citizens().Invoices(e.ctx, e.citizen, domain.TabTreasury, 1, 20)
	require.NoError(t, err)
	assert.Len(t, page.Invoices, 2)
}
