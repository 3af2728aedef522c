package domain

import (
	"bytes"
	"time"

	"github.com/google/uuid"
)

// MaxDocumentSize bounds an invoice document: a scanned invoice of a few
// pages fits well below it.
const MaxDocumentSize = 10 << 20

// Document is the PDF of an invoice, as the billing software sent it.
// Invoice.PDF names it within the biller.
type Document struct {
	BillerID uuid.UUID
	// Name is unique within the biller: the invoice number by default.
	Name string
	// SHA256 is the hex digest of Data: pushing the same file twice
	// changes nothing.
	SHA256    string
	Data      []byte
	CreatedAt time.Time
}

// CheckPDF checks that data is a PDF file of an acceptable size.
func CheckPDF(data []byte) error {
	switch {
	case len(data) == 0:
		return FieldError("pdf", "Le document est vide.")
	case len(data) > MaxDocumentSize:
		return FieldError("pdf", "Le document dépasse 10 Mo.")
	case !bytes.HasPrefix(data, []byte("%PDF-")):
		return FieldError("pdf", "Le document n'est pas un fichier PDF.")
	}
	return nil
}
