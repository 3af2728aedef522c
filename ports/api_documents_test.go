package ports_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

func TestInvoicePDFFromTheBillingSoftwareToTheCitizen(t *testing.T) {
	e := newEnv(t)
	a := e.apiActor(t, e.biller())
	inv := e.house.Invoices[0]
	pdf := []byte("%PDF-1.7\nfacture 2025-000001\n%%EOF")

	_, err := e.portal.Citizens().InvoiceDocument(e.ctx, e.citizen, inv.ID)
	assert.ErrorIs(t, err, ports.ErrNoDocument)
	_, err = e.portal.Citizens().InvoiceDocumentInfo(e.ctx, e.citizen, inv.ID)
	assert.ErrorIs(t, err, ports.ErrNoDocument)

	info, res, err := e.portal.BillingAPI().PutInvoicePDF(e.ctx, a, inv.Number, pdf)
	require.NoError(t, err)
	assert.Equal(t, ports.PutCreated, res)
	assert.Equal(t, inv.Number, info.Name)
	assert.Equal(t, len(pdf), info.Size)
	assert.Len(t, info.SHA256, 64)
	assert.Equal(t, inv.Number, e.invoice(t, inv.ID).PDF, "the invoice names its document")

	_, res, err = e.portal.BillingAPI().PutInvoicePDF(e.ctx, a, inv.Number, pdf)
	require.NoError(t, err)
	assert.Equal(t, ports.PutUnchanged, res, "the same bytes twice")

	doc, err := e.portal.Citizens().InvoiceDocument(e.ctx, e.citizen, inv.ID)
	require.NoError(t, err)
	assert.Equal(t, pdf, doc.Data)
	got, err := e.portal.Citizens().InvoiceDocumentInfo(e.ctx, e.citizen, inv.ID)
	require.NoError(t, err)
	assert.Equal(t, info, got, "the size without the bytes")

	e.advance(time.Minute) // the audit log is ordered by instant
	replaced := append([]byte(nil), pdf...)
	replaced = append(replaced, " rectificatif"...)
	_, res, err = e.portal.BillingAPI().PutInvoicePDF(e.ctx, a, inv.Number, replaced)
	require.NoError(t, err)
	assert.Equal(t, ports.PutUpdated, res)
	doc, err = e.portal.BillingAPI().InvoicePDF(e.ctx, a, inv.Number)
	require.NoError(t, err)
	assert.Equal(t, replaced, doc.Data)

	log := e.auditOf(t, e.biller())
	require.Len(t, log, 3, "key, stored, replaced")
	assert.Equal(t, domain.AuditDocumentSaved, log[0].Action)
	assert.Contains(t, log[0].Detail, "remplacé")
}

func TestInvoicePDFIsCheckedAndScoped(t *testing.T) {
	e := newEnv(t)
	a := e.apiActor(t, e.biller())
	number := e.house.Invoices[0].Number
	for name, data := range map[string][]byte{
		"empty": nil, "not a PDF": []byte("<html>"), "too big": append([]byte("%PDF-"), make([]byte, domain.MaxDocumentSize)...),
	} {
		_, _, err := e.portal.BillingAPI().PutInvoicePDF(e.ctx, a, number, data)
		assert.Equal(t, "pdf", domain.ErrorField(err), name)
	}
	_, _, err := e.portal.BillingAPI().PutInvoicePDF(e.ctx, a, "2099-404", []byte("%PDF-1.4"))
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err))

	// The newcomer's invoice has a document; the citizen of REF001 cannot
	// read it, nor a made-up id.
	theirs, err := e.store.InvoiceByNumber(e.ctx, e.biller(), "2025-900001")
	require.NoError(t, err)
	_, _, err = e.portal.BillingAPI().PutInvoicePDF(e.ctx, a, theirs.Number, []byte("%PDF-1.4"))
	require.NoError(t, err)
	for _, id := range []uuid.UUID{theirs.ID, uuid.New()} {
		_, err = e.portal.Citizens().InvoiceDocument(e.ctx, e.citizen, id)
		assert.ErrorIs(t, err, domain.ErrNotFound)
		_, err = e.portal.Citizens().InvoiceDocumentInfo(e.ctx, e.citizen, id)
		assert.ErrorIs(t, err, domain.ErrNotFound)
	}

	// An imported invoice may name a file that was never sent.
	named := e.house.Invoices[1]
	named.PDF = "factures/2025-000002.pdf"
	require.NoError(t, e.store.SaveInvoice(e.ctx, named))
	_, err = e.portal.Citizens().InvoiceDocument(e.ctx, e.citizen, named.ID)
	assert.ErrorIs(t, err, ports.ErrNoDocument)
	_, err = e.portal.Citizens().InvoiceDocumentInfo(e.ctx, e.citizen, named.ID)
	assert.ErrorIs(t, err, ports.ErrNoDocument)
}
