package domain

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// ReceiptKind says how the money reached the biller.
type ReceiptKind string

// The receipt kinds.
const (
	// ReceiptOnline: paid through PayFiP from the portal.
	ReceiptOnline ReceiptKind = "online"
	// ReceiptRecorded: the billing service recorded a payment made outside
	// the portal (« Réglée hors du portail », at the counter for example).
	ReceiptRecorded ReceiptKind = "recorded"
)

// Label says the kind in French, as the receipt shows it.
func (k ReceiptKind) Label() string {
	if k == ReceiptRecorded {
		return "Paiement enregistré par le service (réglé hors du portail)"
	}
	return "Paiement en ligne (PayFiP)"
}

// DocumentLine is one invoice on a receipt or a certificate.
type DocumentLine struct {
	// PaidAt is when the invoice was paid; on a receipt it is the
	// receipt's own date.
	PaidAt time.Time
	Number string
	Object string
	// Means is the payment means in French ("carte bancaire"), or
	// "réglée hors du portail" for a payment recorded by the service.
	Means  string
	Amount decimal.Decimal
}

// Receipt is the content of a payment receipt: the domain decides what it
// says, an adapter (ports.PDFWriter, the HTML page) lays it out.
type Receipt struct {
	Kind       ReceiptKind
	BillerID   uuid.UUID
	PayerID    uuid.UUID
	BillerName string
	PayerName  string
	// PayerRef is the payer's reference in the billing software.
	PayerRef string
	Lines    []DocumentLine
	Total    decimal.Decimal
	// PaidAt is the instant of the payment, in Paris.
	PaidAt time.Time
	// Transaction is PayFiP's operation number (idOp) and Authorization
	// its authorisation number (numauto); both empty for a payment
	// recorded by the service.
	Transaction   string
	Authorization string
	// Reference is the portal's own reference: the debt reference sent to
	// PayFiP (refdet), or the invoice number for a recorded payment.
	Reference string
	// PaymentID is the payment the receipt proves; Nil for a recorded one.
	PaymentID uuid.UUID
	// InvoiceID is the invoice of a recorded payment; Nil for an online one.
	InvoiceID uuid.UUID
	// Code is the verification code (see NewVerificationCode); empty until
	// the store gave it one.
	Code string
}

// ErrNoReceipt: the payment or the invoice has no receipt (not paid, not
// confirmed, or a test payment). Not found, so as to say nothing more.
var ErrNoReceipt = Errorf(NotFound, "Aucun reçu n'existe pour ce paiement.")

// Receipted reports whether a payment gets a receipt: paid, confirmed,
// and never a test payment (docs/payfip.md §3.12).
func (p Payment) Receipted() bool {
	return p.State == PaymentPaid && p.Confirmed && !p.IsTest()
}

// HasReceipt reports whether the invoice's receipt can be shown: paid,
// online (a confirmed payment) or as the service recorded it.
func (inv Invoice) HasReceipt() bool {
	return inv.State == InvoicePaid && !inv.AwaitingConfirmation && !inv.PaidAt.IsZero()
}

// NewPaymentReceipt builds the receipt of an online payment. invoices are
// the payment's invoices, in any order; each must belong to it.
func NewPaymentReceipt(b Biller, payer Payer, p Payment, invoices []Invoice) (Receipt, error) {
	if !p.Receipted() || p.BillerID != b.ID || p.PayerID != payer.ID {
		return Receipt{}, ErrNoReceipt
	}
	if len(invoices) != len(p.InvoiceIDs) {
		return Receipt{}, WrapInternal(fmt.Errorf("receipt of payment %s: %d invoices for %d ids", p.ID, len(invoices), len(p.InvoiceIDs)))
	}
	at := p.TransactionAt
	if at.IsZero() {
		at = p.FinishedAt
	}
	r := Receipt{
		Kind: ReceiptOnline, BillerID: b.ID, PayerID: payer.ID,
		BillerName: b.Name, PayerName: payer.Name, PayerRef: payer.ExternalRef,
		PaidAt: at.In(Paris), Transaction: p.OperationID, Authorization: p.Authorization,
		Reference: p.Refdet, PaymentID: p.ID, Total: decimal.Zero,
	}
	want := make(map[uuid.UUID]bool, len(p.InvoiceIDs))
	for _, id := range p.InvoiceIDs {
		want[id] = true
	}
	for _, inv := range invoices {
		if !want[inv.ID] {
			return Receipt{}, WrapInternal(fmt.Errorf("receipt of payment %s: invoice %s is not its own", p.ID, inv.ID))
		}
		r.Lines = append(r.Lines, DocumentLine{PaidAt: r.PaidAt, Number: inv.Number, Object: inv.Object, Means: p.Method.Label(), Amount: inv.Amount})
		r.Total = r.Total.Add(inv.Amount)
	}
	sort.Slice(r.Lines, func(i, j int) bool { return r.Lines[i].Number < r.Lines[j].Number })
	return r, nil
}

// NewRecordedReceipt builds the receipt of an invoice the billing service
// recorded as paid outside the portal.
func NewRecordedReceipt(b Biller, payer Payer, inv Invoice) (Receipt, error) {
	if inv.State != InvoicePaid || inv.PaymentID != uuid.Nil || inv.PaidAt.IsZero() ||
		inv.BillerID != b.ID || inv.PayerID != payer.ID {
		return Receipt{}, ErrNoReceipt
	}
	at := inv.PaidAt.In(Paris)
	return Receipt{
		Kind: ReceiptRecorded, BillerID: b.ID, PayerID: payer.ID,
		BillerName: b.Name, PayerName: payer.Name, PayerRef: payer.ExternalRef,
		PaidAt: at, Reference: inv.Number, InvoiceID: inv.ID, Total: inv.Amount,
		Lines: []DocumentLine{{PaidAt: at, Number: inv.Number, Object: inv.Object, Means: "réglée hors du portail", Amount: inv.Amount}},
	}, nil
}

// FileName is the PDF's file name, e.g. "recu-PF2026ABC.pdf": ASCII only.
func (r Receipt) FileName() string { return "recu-" + asciiName(r.Reference) + ".pdf" }

// asciiName keeps letters, digits and dashes, for a file name.
func asciiName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}
