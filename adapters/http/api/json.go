package api

import (
	"time"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The API's JSON documents. Amounts are decimal strings ("243.11"), never
// numbers, so that no client reads them as floats; dates are "2006-01-02";
// instants are RFC 3339 in UTC, null when unset.

// PayerIn is the body of PUT /api/v1/payers/{ref}.
type PayerIn struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// InvoiceIn is the body of PUT /api/v1/invoices/{number}.
type InvoiceIn struct {
	Payer     string `json:"payer"`
	IssueDate string `json:"issue_date"`
	DueDate   string `json:"due_date"`
	Amount    string `json:"amount"`
	Object    string `json:"object"`
}

// StatusIn is the body of POST /api/v1/invoices/{number}/status.
type StatusIn struct {
	Status string `json:"status"`
	// PaidAt is RFC 3339, or a day (2006-01-02, midnight in Paris);
	// only for "paid"; empty means now.
	PaidAt string `json:"paid_at"`
}

// The documents the API answers. Result, on a write, is created, updated
// or unchanged.
type (
	PayerDoc struct {
		Result ports.PutResult `json:"result,omitempty"`
		Payer  Payer           `json:"payer"`
	}
	InvoiceDoc struct {
		Result  ports.PutResult `json:"result,omitempty"`
		Invoice Invoice         `json:"invoice"`
	}
	PDFDoc struct {
		Result ports.PutResult `json:"result,omitempty"`
		PDF    Document        `json:"pdf"`
	}
)

type Payer struct {
	Reference            string     `json:"reference"`
	Name                 string     `json:"name"`
	Email                string     `json:"email"`
	Activated            bool       `json:"activated"`
	Paperless            bool       `json:"paperless"`
	PaperlessRequestedAt *time.Time `json:"paperless_requested_at"`
	CreatedAt            *time.Time `json:"created_at"`
	UpdatedAt            *time.Time `json:"updated_at"`
}

func payerOf(rec ports.PayerRecord) Payer {
	p := rec.Payer
	return Payer{
		Reference: p.ExternalRef, Name: p.Name, Email: p.Email, Activated: rec.Activated,
		Paperless: p.Paperless, PaperlessRequestedAt: instant(p.PaperlessRequestedAt),
		CreatedAt: instant(p.CreatedAt), UpdatedAt: instant(p.UpdatedAt),
	}
}

type Invoice struct {
	Number    string `json:"number"`
	Payer     string `json:"payer"`
	IssueDate string `json:"issue_date"`
	DueDate   string `json:"due_date"`
	Amount    string `json:"amount"`
	Object    string `json:"object"`
	// State is unpaid, paid, treasury or cancelled.
	State  string     `json:"state"`
	PaidAt *time.Time `json:"paid_at"`
	// PaidOnline tells a payment through the portal from one recorded
	// by the service (at the counter).
	PaidOnline bool `json:"paid_online"`
	// AwaitingConfirmation is set while the online payment that settled
	// the invoice is known only from the legacy URL mode's
	// unauthenticated callback: not money received until the service
	// confirms it (then false, or the payment is rejected and the invoice
	// unpaid again).
	AwaitingConfirmation bool       `json:"awaiting_confirmation"`
	DeclaredPaidAt       *time.Time `json:"declared_paid_at"`
	TreasuryAt           *time.Time `json:"treasury_at"`
	// PaymentInProgress is set while an online attempt holds the invoice.
	PaymentInProgress bool       `json:"payment_in_progress"`
	PDF               *Document  `json:"pdf"`
	CreatedAt         *time.Time `json:"created_at"`
	UpdatedAt         *time.Time `json:"updated_at"`
}

func invoiceOf(rec ports.InvoiceRecord, now time.Time) Invoice {
	inv := rec.Invoice
	// Only a declaration awaiting the service's decision: a confirmed one
	// keeps its DeclaredPaidAt (domain.Invoice.Channel), which the API
	// does not show on a paid invoice.
	var declared time.Time
	if inv.Declared() {
		declared = inv.DeclaredPaidAt
	}
	out := Invoice{
		Number: inv.Number, Payer: rec.PayerRef, IssueDate: inv.IssueDate.String(), DueDate: inv.DueDate.String(),
		Amount: inv.Amount.StringFixed(2), Object: inv.Object, State: string(inv.State),
		PaidAt: instant(inv.PaidAt), PaidOnline: inv.PaidOnline(),
		AwaitingConfirmation: inv.PaymentUnconfirmed(),
		DeclaredPaidAt:       instant(declared), TreasuryAt: instant(inv.TreasuryAt),
		PaymentInProgress: inv.Locked(now), CreatedAt: instant(inv.CreatedAt), UpdatedAt: instant(inv.UpdatedAt),
	}
	if rec.Document != nil {
		d := documentOf(*rec.Document)
		out.PDF = &d
	}
	return out
}

type Document struct {
	SHA256   string     `json:"sha256"`
	Size     int        `json:"size"`
	StoredAt *time.Time `json:"stored_at"`
}

func documentOf(d ports.DocumentInfo) Document {
	return Document{SHA256: d.SHA256, Size: d.Size, StoredAt: instant(d.CreatedAt)}
}

type Payment struct {
	Refdet   string     `json:"refdet"`
	Amount   string     `json:"amount"`
	Invoices []string   `json:"invoices"`
	PaidAt   *time.Time `json:"paid_at"`
	// Confirmed is false for a payment known only from the legacy mode's
	// unauthenticated callback, until the service confirms it.
	Confirmed     bool       `json:"confirmed"`
	Method        string     `json:"method"`
	Authorization string     `json:"authorization"`
	StartedAt     *time.Time `json:"started_at"`
	Anomaly       string     `json:"anomaly,omitempty"`
}

func paymentOf(p domain.Payment) Payment {
	paid := p.TransactionAt
	if paid.IsZero() {
		paid = p.FinishedAt
	}
	invoices := p.InvoiceNumbers
	if invoices == nil {
		invoices = []string{}
	}
	return Payment{
		Refdet: p.Refdet, Amount: p.Total.StringFixed(2), Invoices: invoices, PaidAt: instant(paid),
		Confirmed: p.Confirmed, Method: string(p.Method), Authorization: p.Authorization,
		StartedAt: instant(p.CreatedAt), Anomaly: p.Anomaly,
	}
}

// instant is t in UTC, or nil (JSON null) when unset.
func instant(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}
