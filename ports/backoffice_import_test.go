package ports_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// officeBatch creates one payer and one invoice, updates one of REF001's
// invoices and repeats REF001 unchanged.
func officeBatch(e *env) domain.ImportBatch {
	first := e.house.Invoices[0]
	return domain.ImportBatch{
		Payers: []domain.ImportPayer{
			{Line: 2, ExternalRef: "REF001", Name: e.house.Payer.Name, Email: e.house.Payer.Email},
			{Line: 3, ExternalRef: "REF100", Name: "Jeanne Durand", Email: "jeanne@exemple.fr"},
		},
		Invoices: []domain.ImportInvoice{
			{Line: 5, PayerRef: "REF100", Number: "2026-000001", IssueDate: "2026-01-05", DueDate: "2026-02-05", Amount: "12,30", Object: "Cantine"},
			{Line: 6, PayerRef: "REF001", Number: first.Number, IssueDate: first.IssueDate.String(), DueDate: first.DueDate.String(),
				Amount: "99.99", Object: first.Object, PDF: first.PDF},
		},
	}
}

// counts returns how many payers and invoices the env's biller has.
func counts(t *testing.T, e *env) (int, int) {
	t.Helper()
	_, payers, err := e.store.SearchPayers(e.ctx, ports.PayerSearch{BillerID: e.biller(), Limit: 1})
	require.NoError(t, err)
	_, invoices, err := e.store.SearchInvoices(e.ctx, ports.InvoiceSearch{BillerID: e.biller(), Limit: 1})
	require.NoError(t, err)
	return payers, invoices
}

func TestImportFileDryRunChangesNothing(t *testing.T) {
	e := newEnv(t)
	manager := agent(e, domain.RoleManager)
	payers, invoices := counts(t, e)

	rep, err := e.portal.BackOffice().ImportFile(e.ctx, manager, officeBatch(e), true)
	require.NoError(t, err)
	assert.True(t, rep.DryRun)
	assert.False(t, rep.Applied)
	assert.Empty(t, rep.Errors)
	assert.Equal(t, 1, rep.PayersCreated)
	assert.Equal(t, 1, rep.InvoicesUpdated)
	require.Len(t, rep.Lines, 4)
	assert.Equal(t, []domain.ImportOutcome{domain.ImportUnchanged, domain.ImportCreated, domain.ImportCreated, domain.ImportUpdated},
		[]domain.ImportOutcome{rep.Lines[0].Outcome, rep.Lines[1].Outcome, rep.Lines[2].Outcome, rep.Lines[3].Outcome})
	assert.Contains(t, rep.Lines[3].Detail, "99,99")
	assert.Equal(t, 2, rep.Count(domain.ImportCreated))

	p2, i2 := counts(t, e)
	assert.Equal(t, [2]int{payers, invoices}, [2]int{p2, i2}, "a dry run creates nothing")
	assert.True(t, e.house.Invoices[0].Amount.Equal(e.invoice(t, e.house.Invoices[0].ID).Amount), "and updates nothing")
	ev := auditTrail(t, e, domain.AuditImport)
	require.Len(t, ev, 1)
	assert.Contains(t, ev[0].Detail, "Simulation")
	assert.Equal(t, "4 lignes", ev[0].Target)

	e.advance(time.Minute)
	rep, err = e.portal.BackOffice().ImportFile(e.ctx, manager, officeBatch(e), false)
	require.NoError(t, err)
	assert.True(t, rep.Applied)
	assert.Equal(t, rep.Count(domain.ImportCreated), 2)
	p3, i3 := counts(t, e)
	assert.Equal(t, [2]int{payers + 1, invoices + 1}, [2]int{p3, i3})
	assert.True(t, dec("99.99").Equal(e.invoice(t, e.house.Invoices[0].ID).Amount))
	ev = auditTrail(t, e, domain.AuditImport)
	require.Len(t, ev, 2)
	assert.Contains(t, ev[0].Detail, "Import appliqué : redevables 1 créé(s), 0 mis à jour ; factures 1 créée(s), 1 mise(s) à jour ; 1 ligne(s) inchangée(s).")
}

func TestImportFileWithAWrongLine(t *testing.T) {
	e := newEnv(t)
	batch := officeBatch(e)
	batch.Invoices = append(batch.Invoices, domain.ImportInvoice{Line: 7, PayerRef: "REF404", Number: "2026-000009",
		IssueDate: "2026-01-05", DueDate: "2026-02-05", Amount: "1"})
	payers, invoices := counts(t, e)
	for _, dryRun := range []bool{true, false} {
		e.advance(time.Minute)
		rep, err := e.portal.BackOffice().ImportFile(e.ctx, agent(e, domain.RoleManager), batch, dryRun)
		require.NoError(t, err)
		assert.False(t, rep.Applied)
		require.Len(t, rep.Errors, 1)
		require.Len(t, rep.Lines, 5)
		assert.Equal(t, domain.ImportRejected, rep.Lines[4].Outcome)
		assert.Equal(t, "REF404", batch.Invoices[2].PayerRef)
		assert.Contains(t, rep.Lines[4].Detail, "REF404")
	}
	p2, i2 := counts(t, e)
	assert.Equal(t, [2]int{payers, invoices}, [2]int{p2, i2})
	ev := auditTrail(t, e, domain.AuditImport)
	require.Len(t, ev, 2)
	assert.Equal(t, "Import refusé, rien n'est enregistré : 1 ligne(s) rejetée(s) (ligne 7).", ev[0].Detail)
	assert.Contains(t, ev[1].Detail, "Simulation")
}

func TestImportFileRolesAndScope(t *testing.T) {
	e := newEnv(t)
	_, err := e.portal.BackOffice().ImportFile(e.ctx, agent(e, domain.RoleReader), officeBatch(e), true)
	assert.ErrorIs(t, err, ports.ErrReadOnly, "even a dry run: it is the first step of a change")
	assert.Empty(t, auditTrail(t, e, domain.AuditImport))

	other := otherBiller(t, e)
	rep, err := e.portal.BackOffice().ImportFile(e.ctx, other, officeBatch(e), false)
	require.NoError(t, err)
	require.True(t, rep.Applied)
	assert.Equal(t, 2, rep.PayersCreated, "REF001 is new to the other biller")
	p, err := e.store.PayerByRef(e.ctx, other.BillerID, "REF001")
	require.NoError(t, err)
	assert.NotEqual(t, e.house.Payer.ID, p.ID)
	assert.True(t, e.house.Invoices[0].Amount.Equal(e.invoice(t, e.house.Invoices[0].ID).Amount), "nothing of this biller changed")
	assert.Empty(t, auditTrail(t, e, domain.AuditImport), "the other biller's log is its own")
}
