package ports

import "github.com/portail-factures/portail/domain"

// PDFWriter lays out a document's content, built by the domain, as a PDF
// file. verifyURL is the address of the document's accessible HTML
// version, which the PDF links to. The adapter is adapters/http/pdf.
type PDFWriter interface {
	Receipt(r domain.Receipt, verifyURL string) ([]byte, error)
	Certificate(c domain.Certificate, verifyURL string) ([]byte, error)
}
