package citizen

import (
	"net/http"
	"strings"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
)

// receiptPage is a paid invoice's receipt: the accessible version of the
// PDF, printable (portail.css's print rules).
type receiptPage struct {
	kit.Base
	Receipt   domain.Receipt
	InvoiceID string
	// PaidAt is the payment's date and time in Paris, in words.
	PaidAt string
}

// receipt shows the receipt of one of the citizen's paid invoices: another
// payer's invoice is not found, one without a receipt says so.
func (s *Portal) receipt(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	id, err := kit.PathID(r)
	if err != nil {
		return err
	}
	rec, err := s.portal.Citizens().InvoiceReceipt(r.Context(), u.citizen, id)
	if err != nil {
		return err
	}
	p := &receiptPage{Base: kit.Base{Title: "Reçu de paiement " + rec.Reference, Menu: menuInvoices},
		Receipt: rec, InvoiceID: id.String(), PaidAt: domain.FrenchDateTime(rec.PaidAt)}
	return s.render(w, r, http.StatusOK, pageReceipt, p)
}

// receiptPDF serves the receipt's PDF as a download.
func (s *Portal) receiptPDF(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	id, err := kit.PathID(r)
	if err != nil {
		return err
	}
	name, data, err := s.portal.Citizens().InvoiceReceiptPDF(r.Context(), u.citizen, id)
	if err != nil {
		return err
	}
	kit.ServePDF(w, r, domain.Document{Data: data}, strings.TrimSuffix(name, ".pdf"))
	return nil
}
