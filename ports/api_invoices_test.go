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

// otherHousehold saves a second biller whose payer and invoices have the
// same reference and numbers as the first one's (REF001, 2025-000001…).
func (e *env) otherHousehold(t *testing.T) portstest.Household {
	t.Helper()
	var h portstest.Household
	require.NoError(t, e.store.Atomic(e.ctx, func(tx ports.Tx) error {
		h = portstest.MustSeed(t, tx, "unused", 2)
		return nil
	}))
	return h
}

func TestPutPayerCreatesThenChangesNothing(t *testing.T) {
	e := newEnv(t)
	a := e.apiActor(t, e.biller())
	in := ports.PayerInput{Name: "Jeanne Durand", Email: "Jeanne@Exemple.fr"}

	rec, res, err := e.portal.BillingAPI().PutPayer(e.ctx, a, "REF100", in)
	require.NoError(t, err)
	assert.Equal(t, ports.PutCreated, res)
	assert.Equal(t, "jeanne@exemple.fr", rec.Payer.Email)
	assert.False(t, rec.Activated)
	logged := len(e.auditOf(t, e.biller()))

	again, res, err := e.portal.BillingAPI().PutPayer(e.ctx, a, "REF100", in)
	require.NoError(t, err)
	assert.Equal(t, ports.PutUnchanged, res)
	assert.Equal(t, rec.Payer.ID, again.Payer.ID)
	assert.Len(t, e.auditOf(t, e.biller()), logged, "an unchanged put is not logged")

	e.advance(time.Minute)
	in.Name = "Jeanne Durand-Martin"
	rec, res, err = e.portal.BillingAPI().PutPayer(e.ctx, a, "REF100", in)
	require.NoError(t, err)
	assert.Equal(t, ports.PutUpdated, res)
	assert.Equal(t, "Jeanne Durand-Martin", rec.Payer.Name)
	log := e.auditOf(t, e.biller())
	require.Len(t, log, logged+1)
	assert.Equal(t, domain.AuditPayerSaved, log[0].Action)
	assert.Equal(t, "REF100", log[0].Target)
	assert.Equal(t, domain.ActorAPI, log[0].Actor)
	assert.Equal(t, a.ID, log[0].ActorID)

	existing, err := e.portal.BillingAPI().PayerByRef(e.ctx, a, "REF001")
	require.NoError(t, err)
	assert.True(t, existing.Activated)
}

func TestPutPayerFollowsTheImportRules(t *testing.T) {
	e := newEnv(t)
	a := e.apiActor(t, e.biller())
	for _, c := range []struct {
		name, ref string
		in        ports.PayerInput
		code      domain.Code
		field     string
	}{
		{"no name", "REF100", ports.PayerInput{Name: " "}, domain.Invalid, "name"},
		{"bad address", "REF100", ports.PayerInput{Name: "Jeanne", Email: "jeanne@"}, domain.Invalid, "email"},
		{"another payer's address", "REF100", ports.PayerInput{Name: "Jeanne", Email: "ref002@exemple.fr"}, domain.Conflict, "email"},
		{"no reference", " ", ports.PayerInput{Name: "Jeanne"}, domain.Invalid, "external_ref"},
	} {
		_, _, err := e.portal.BillingAPI().PutPayer(e.ctx, a, c.ref, c.in)
		assert.Equal(t, c.code, domain.ErrorCode(err), c.name)
		assert.Equal(t, c.field, domain.ErrorField(err), c.name)
		assert.Regexp(t, `^\p{Lu}.*\.$`, domain.ErrorMessage(err), "%s: a French sentence", c.name)
	}
	_, err := e.store.PayerByRef(e.ctx, e.biller(), "REF100")
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err))
}

var waterBill = ports.InvoiceInput{PayerRef: "REF001", IssueDate: "2026-01-05", DueDate: "2026-02-05", Amount: "243.11", Object: "Eau"}

func TestPutInvoiceCreatesUpdatesThenChangesNothing(t *testing.T) {
	e := newEnv(t)
	a := e.apiActor(t, e.biller())
	rec, res, err := e.portal.BillingAPI().PutInvoice(e.ctx, a, "2026-020-002059", waterBill)
	require.NoError(t, err)
	assert.Equal(t, ports.PutCreated, res)
	assert.Equal(t, "REF001", rec.PayerRef)
	assert.Equal(t, domain.InvoiceUnpaid, rec.Invoice.State)
	assert.True(t, dec("243.11").Equal(rec.Invoice.Amount))
	assert.Nil(t, rec.Document)

	_, res, err = e.portal.BillingAPI().PutInvoice(e.ctx, a, "2026-020-002059", waterBill)
	require.NoError(t, err)
	assert.Equal(t, ports.PutUnchanged, res)

	e.advance(time.Second)
	changed := waterBill
	changed.Amount = "250"
	rec, res, err = e.portal.BillingAPI().PutInvoice(e.ctx, a, "2026-020-002059", changed)
	require.NoError(t, err)
	assert.Equal(t, ports.PutUpdated, res)
	assert.True(t, dec("250").Equal(rec.Invoice.Amount))

	log := e.auditOf(t, e.biller())
	assert.Equal(t, domain.AuditInvoiceSaved, log[0].Action)
	assert.Equal(t, "Facture modifiée : 250,00\u00a0€, échéance le 05/02/2026.", log[0].Detail)
	assert.Len(t, log, 3, "key created, invoice created, invoice changed")
}

func TestPutInvoiceFollowsTheImportRules(t *testing.T) {
	e := newEnv(t)
	a := e.apiActor(t, e.biller())
	with := func(change func(*ports.InvoiceInput)) ports.InvoiceInput {
		in := waterBill
		change(&in)
		return in
	}
	for _, c := range []struct {
		name, number string
		in           ports.InvoiceInput
		code         domain.Code
		field        string
	}{
		{"unknown payer", "N1", with(func(in *ports.InvoiceInput) { in.PayerRef = "REF404" }), domain.Invalid, "payer"},
		{"three decimals", "N1", with(func(in *ports.InvoiceInput) { in.Amount = "12.345" }), domain.Invalid, "amount"},
		{"negative", "N1", with(func(in *ports.InvoiceInput) { in.Amount = "-3" }), domain.Invalid, "amount"},
		{"bad date", "N1", with(func(in *ports.InvoiceInput) { in.IssueDate = "2026-02-30" }), domain.Invalid, "issue_date"},
		{"due before issue", "N1", with(func(in *ports.InvoiceInput) { in.DueDate = "2025-12-31" }), domain.Invalid, "due_date"},
		{"no number", " ", waterBill, domain.Invalid, "number"},
		{"another payer's number", "2025-900001", waterBill, domain.Conflict, "number"},
	} {
		_, _, err := e.portal.BillingAPI().PutInvoice(e.ctx, a, c.number, c.in)
		assert.Equal(t, c.code, domain.ErrorCode(err), c.name)
		assert.Equal(t, c.field, domain.ErrorField(err), c.name)
	}
	_, err := e.store.InvoiceByNumber(e.ctx, e.biller(), "N1")
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err))
}

func TestASettledOrHeldInvoiceKeepsItsAmount(t *testing.T) {
	e := newEnv(t)
	a := e.apiActor(t, e.biller())
	first := e.house.Invoices[0]
	in := ports.InvoiceInput{PayerRef: "REF001", IssueDate: first.IssueDate.String(), DueDate: first.DueDate.String(),
		Amount: first.Amount.String(), Object: first.Object}

	// Held by a live payment attempt.
	held := first
	held.Lock(uuid.New(), e.clock.Now().Add(time.Hour))
	require.NoError(t, e.store.SaveInvoice(e.ctx, held))
	more := in
	more.Amount = "99.99"
	_, _, err := e.portal.BillingAPI().PutInvoice(e.ctx, a, first.Number, more)
	assert.Equal(t, domain.Conflict, domain.ErrorCode(err), "a payment in progress")
	assert.Equal(t, held.LockedBy, e.invoice(t, first.ID).LockedBy, "the hold stays")

	// Settled.
	settled := first
	_, err = settled.Settle(uuid.Nil, e.clock.Now(), e.clock.Now())
	require.NoError(t, err)
	require.NoError(t, e.store.SaveInvoice(e.ctx, settled))
	_, _, err = e.portal.BillingAPI().PutInvoice(e.ctx, a, first.Number, more)
	assert.Equal(t, domain.Conflict, domain.ErrorCode(err))
	assert.Contains(t, domain.ErrorMessage(err), "réglée")
	assert.True(t, first.Amount.Equal(e.invoice(t, first.ID).Amount))

	rec, res, err := e.portal.BillingAPI().PutInvoice(e.ctx, a, first.Number, in)
	require.NoError(t, err, "resending what is stored is no change")
	assert.Equal(t, ports.PutUnchanged, res)
	assert.Equal(t, domain.InvoicePaid, rec.Invoice.State)
}

func TestPutInvoiceKeepsItsDocument(t *testing.T) {
	e := newEnv(t)
	a := e.apiActor(t, e.biller())
	_, _, err := e.portal.BillingAPI().PutInvoice(e.ctx, a, "N1", waterBill)
	require.NoError(t, err)
	_, _, err = e.portal.BillingAPI().PutInvoicePDF(e.ctx, a, "N1", []byte("%PDF-1.7 facture"))
	require.NoError(t, err)
	_, res, err := e.portal.BillingAPI().PutInvoice(e.ctx, a, "N1", waterBill)
	require.NoError(t, err)
	assert.Equal(t, ports.PutUnchanged, res)
	changed := waterBill
	changed.Object = "Eau et assainissement"
	rec, res, err := e.portal.BillingAPI().PutInvoice(e.ctx, a, "N1", changed)
	require.NoError(t, err)
	assert.Equal(t, ports.PutUpdated, res)
	require.NotNil(t, rec.Document)
	assert.Equal(t, "N1", rec.Invoice.PDF)
}

func TestTheAPISeesOnlyItsBiller(t *testing.T) {
	e := newEnv(t)
	other := e.otherHousehold(t)
	b := e.apiActor(t, other.Biller.ID)

	// Both billers have REF001 and 2025-000001: B reads its own.
	payer, err := e.portal.BillingAPI().PayerByRef(e.ctx, b, "REF001")
	require.NoError(t, err)
	assert.Equal(t, other.Payer.ID, payer.Payer.ID)
	inv, err := e.portal.BillingAPI().InvoiceByNumber(e.ctx, b, "2025-000001")
	require.NoError(t, err)
	assert.Equal(t, other.Invoices[0].ID, inv.Invoice.ID)

	// What only A has is not found for B, and B's changes stay with B.
	_, err = e.portal.BillingAPI().InvoiceByNumber(e.ctx, b, "2025-000003")
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err))
	_, err = e.portal.BillingAPI().PayerByRef(e.ctx, b, "REF002")
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err))
	_, _, err = e.portal.BillingAPI().SetInvoiceStatus(e.ctx, b, "2025-000003", ports.InvoiceStatusChange{Status: domain.InvoiceCancelled})
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err))
	_, _, err = e.portal.BillingAPI().PutInvoicePDF(e.ctx, b, "2025-000003", []byte("%PDF-1.4"))
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err))
	_, _, err = e.portal.BillingAPI().PutInvoice(e.ctx, b, "2025-000003", ports.InvoiceInput{PayerRef: "REF002", IssueDate: "2026-01-01", DueDate: "2026-01-02", Amount: "1"})
	assert.Equal(t, "payer", domain.ErrorField(err), "A's payer is unknown to B")
	_, _, err = e.portal.BillingAPI().SetInvoiceStatus(e.ctx, b, "2025-000001", ports.InvoiceStatusChange{Status: domain.InvoiceCancelled})
	require.NoError(t, err)
	assert.Equal(t, domain.InvoiceUnpaid, e.invoice(t, e.house.Invoices[0].ID).State, "A's invoice of the same number is untouched")
	for _, ev := range e.auditOf(t, e.biller()) {
		assert.NotEqual(t, "2025-000001", ev.Target, "nothing in A's log")
	}

	for name, a := range map[string]ports.Actor{
		"no actor":  {},
		"citizen":   {Kind: domain.ActorCitizen, BillerID: e.biller()},
		"no biller": {Kind: domain.ActorAPI},
	} {
		_, err := e.portal.BillingAPI().PayerByRef(e.ctx, a, "REF001")
		assert.Equal(t, domain.NotFound, domain.ErrorCode(err), name)
		_, _, err = e.portal.BillingAPI().PutPayer(e.ctx, a, "REF001", ports.PayerInput{Name: "X"})
		assert.Equal(t, domain.NotFound, domain.ErrorCode(err), name)
	}
}
