package ports_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
)

func TestImportAllOrNothing(t *testing.T) {
	e := newEnv(t)
	good := domain.ImportBatch{
		Payers: []domain.ImportPayer{{Line: 2, ExternalRef: "REF100", Name: "Jeanne Durand", Email: "jeanne@exemple.fr"}},
		Invoices: []domain.ImportInvoice{
			{Line: 4, PayerRef: "REF100", Number: "2026-000001", IssueDate: "2026-01-05", DueDate: "2026-02-05", Amount: "12,30", Object: "Cantine"},
			{Line: 5, PayerRef: "REF001", Number: "2026-000002", IssueDate: "2026-01-05", DueDate: "2026-02-05", Amount: "7.70", Object: "Eau"},
		},
	}
	bad := good
	bad.Invoices = append([]domain.ImportInvoice{}, good.Invoices...)
	bad.Invoices = append(bad.Invoices, domain.ImportInvoice{Line: 6, PayerRef: "REF404", Number: "2026-000003", IssueDate: "2026-01-05", DueDate: "2026-02-05", Amount: "1"})

	res, lineErrs, err := e.portal.Operator().Import(e.ctx, e.biller(), bad, false)
	require.NoError(t, err)
	require.Len(t, lineErrs, 1)
	assert.Equal(t, 6, lineErrs[0].Line)
	assert.Equal(t, 0, res.InvoicesCreated)
	_, err = e.store.PayerByRef(e.ctx, e.biller(), "REF100")
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err), "nothing of a wrong file is applied")

	res, lineErrs, err = e.portal.Operator().Import(e.ctx, e.biller(), good, true)
	require.NoError(t, err)
	assert.Empty(t, lineErrs)
	assert.Equal(t, 1, res.PayersCreated)
	assert.Equal(t, 2, res.InvoicesCreated)
	_, err = e.store.PayerByRef(e.ctx, e.biller(), "REF100")
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err), "a dry run changes nothing")

	res, lineErrs, err = e.portal.Operator().Import(e.ctx, e.biller(), good, false)
	require.NoError(t, err)
	assert.Empty(t, lineErrs)
	assert.Equal(t, 2, res.InvoicesCreated)
	inv, err := e.store.InvoiceByNumber(e.ctx, e.biller(), "2026-000001")
	require.NoError(t, err)
	assert.True(t, dec("12.30").Equal(inv.Amount))

	res, _, err = e.portal.Operator().Import(e.ctx, e.biller(), good, false)
	require.NoError(t, err)
	assert.Equal(t, 3, res.Unchanged, "importing the same file again is idempotent")
	assert.Zero(t, res.InvoicesCreated+res.PayersCreated)

	require.NoError(t, e.portal.CitizenAccounts().RequestActivation(e.ctx, e.biller(), "jeanne@exemple.fr"), "an imported payer can activate")
}

func TestImportIntoAnUnknownBiller(t *testing.T) {
	e := newEnv(t)
	_, _, err := e.portal.Operator().Import(e.ctx, e.newbie.ID, domain.ImportBatch{}, false)
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err))
}
