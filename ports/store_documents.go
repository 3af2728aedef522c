package ports

import (
	"context"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// DocumentStore keeps the invoices' documents (PDF files).
type DocumentStore interface {
	// Document returns a biller's invoice document by name.
	Document(ctx context.Context, billerID uuid.UUID, name string) (domain.Document, error)
	// DocumentInfo describes a biller's invoice document by name, its
	// size included, without reading its bytes; NotFound as Document.
	DocumentInfo(ctx context.Context, billerID uuid.UUID, name string) (DocumentInfo, error)
	// SaveDocument inserts or replaces the document (BillerID, Name).
	SaveDocument(ctx context.Context, d domain.Document) error
}
