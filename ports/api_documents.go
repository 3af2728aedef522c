package ports

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/portail-factures/portail/domain"
)

// An invoice's PDF put and read by the billing software.

// PutInvoicePDF stores data as the PDF of the invoice numbered number,
// under the invoice's number, replacing the previous one. The same bytes
// twice change nothing (PutUnchanged). The invoice may be in any state:
// the document does not change what is owed.
func (p BillingAPI) PutInvoicePDF(ctx context.Context, a Actor, number string, data []byte) (DocumentInfo, PutResult, error) {
	if err := a.canWrite(a.BillerID); err != nil {
		return DocumentInfo{}, "", err
	}
	if err := domain.CheckPDF(data); err != nil {
		return DocumentInfo{}, "", err
	}
	sum := sha256.Sum256(data)
	digest := hex.EncodeToString(sum[:])
	now := p.clock.Now()
	var info DocumentInfo
	var res PutResult
	err := p.store.Atomic(ctx, func(tx Tx) error {
		inv, err := existingInvoiceForUpdate(ctx, tx, a.BillerID, number)
		if err != nil {
			return err
		}
		doc := domain.Document{BillerID: inv.BillerID, Name: inv.Number, SHA256: digest, Data: data, CreatedAt: now}
		old, err := tx.DocumentInfo(ctx, inv.BillerID, doc.Name)
		switch {
		case err == nil && old.SHA256 == digest && inv.PDF == doc.Name:
			res, info = PutUnchanged, old
			return nil
		case err == nil:
			res = PutUpdated
		case domain.ErrorCode(err) == domain.NotFound:
			res = PutCreated
		default:
			return domain.WrapInternal(err)
		}
		if err := tx.SaveDocument(ctx, doc); err != nil {
			return domain.WrapInternal(err)
		}
		if inv.PDF != doc.Name {
			inv.PDF = doc.Name
			inv.UpdatedAt = now
			if err := mapSave(tx.SaveInvoice(ctx, inv)); err != nil {
				return err
			}
		}
		info = documentInfo(doc)
		detail := "Document PDF de la facture enregistré (" + strconv.Itoa(len(data)) + " octets)."
		if res == PutUpdated {
			detail = "Document PDF de la facture remplacé (" + strconv.Itoa(len(data)) + " octets)."
		}
		return p.audit(ctx, tx, a, domain.AuditDocumentSaved, inv.Number, detail)
	})
	if err != nil {
		return DocumentInfo{}, "", err
	}
	return info, res, nil
}

// InvoicePDF returns the stored PDF of the actor's biller's invoice
// numbered number; ErrNoDocument when it has none.
func (p BillingAPI) InvoicePDF(ctx context.Context, a Actor, number string) (domain.Document, error) {
	if err := a.canRead(a.BillerID); err != nil {
		return domain.Document{}, err
	}
	inv, err := p.store.InvoiceByNumber(ctx, a.BillerID, strings.TrimSpace(number))
	if err != nil {
		return domain.Document{}, notFoundAs(err, errUnknownInvoice)
	}
	return invoiceDocument(ctx, p.store, inv)
}
