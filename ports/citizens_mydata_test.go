package ports_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

// The lists of « Mes données » and their order are checked on both stores
// by portstest.TestMyData; here, the bounds.

func TestMyDataKeepsTheNewestInvoicesUpToItsBoundAndSaysSo(t *testing.T) {
	e := newEnv(t)
	d, err := e.portal.Citizens().MyData(e.ctx, e.citizen)
	require.NoError(t, err)
	assert.Len(t, d.Invoices, 3)
	assert.Empty(t, d.Truncated)

	extra := ports.MyDataMaxInvoices + 1 - len(e.house.Invoices)
	require.NoError(t, e.store.Atomic(e.ctx, func(tx ports.Tx) error {
		for i := range extra {
			inv := portstest.NewInvoice(t, e.house.Payer, fmt.Sprintf("2019-%06d", i), "1.00")
			inv.IssueDate = domain.NewDate(2019, 1, 1)
			portstest.MustSaveInvoices(t, tx, inv)
		}
		return nil
	}))
	d, err = e.portal.Citizens().MyData(e.ctx, e.citizen)
	require.NoError(t, err)
	assert.Len(t, d.Invoices, ports.MyDataMaxInvoices)
	assert.Equal(t, []string{ports.MyDataInvoices}, d.Truncated)
	assert.Equal(t, e.house.Invoices[len(e.house.Invoices)-1].Number, d.Invoices[0].Number, "the newest are kept")
	assert.Equal(t, "2019-000001", d.Invoices[len(d.Invoices)-1].Number, "the oldest one left out")
}

func TestMyDataNeedsAnActiveAccount(t *testing.T) {
	e := newEnv(t)
	c := e.citizen
	c.BillerID = e.newbie.BillerID
	c.PayerID = e.newbie.ID
	_, err := e.portal.Citizens().MyData(e.ctx, c)
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err), "another payer through one's own account")
}
