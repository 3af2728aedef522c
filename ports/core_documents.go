package ports

import (
	"context"
	"time"

	"github.com/portail-factures/portail/domain"
)

// DocumentInfo describes a stored document without its bytes.
type DocumentInfo struct {
	Name      string
	SHA256    string
	Size      int
	CreatedAt time.Time
}

func documentInfo(d domain.Document) DocumentInfo {
	return DocumentInfo{Name: d.Name, SHA256: d.SHA256, Size: len(d.Data), CreatedAt: d.CreatedAt}
}

// ErrNoDocument answers an invoice that has no stored PDF: an imported
// invoice may name a file the billing software never sent.
var ErrNoDocument = &domain.Error{Code: domain.NotFound, Message: "Cette facture n'a pas de document PDF."}

// invoiceDocument returns the document inv names, and ErrNoDocument when
// it names none or the store has no such document.
func invoiceDocument(ctx context.Context, tx Tx, inv domain.Invoice) (domain.Document, error) {
	if inv.PDF == "" {
		return domain.Document{}, ErrNoDocument
	}
	d, err := tx.Document(ctx, inv.BillerID, inv.PDF)
	switch {
	case err == nil:
		return d, nil
	case domain.ErrorCode(err) == domain.NotFound:
		return domain.Document{}, ErrNoDocument
	}
	return domain.Document{}, domain.WrapInternal(err)
}

// invoiceDocumentInfo describes the document inv names without reading
// its bytes, and returns false when it names none or the store has no
// such document.
func invoiceDocumentInfo(ctx context.Context, tx Tx, inv domain.Invoice) (DocumentInfo, bool, error) {
	if inv.PDF == "" {
		return DocumentInfo{}, false, nil
	}
	info, err := tx.DocumentInfo(ctx, inv.BillerID, inv.PDF)
	switch {
	case err == nil:
		return info, true, nil
	case domain.ErrorCode(err) == domain.NotFound:
		return DocumentInfo{}, false, nil
	}
	return DocumentInfo{}, false, domain.WrapInternal(err)
}
