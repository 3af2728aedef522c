package ports

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// BackOfficeQueries are the searches of the billing service's back
// office, its API and the scheduled jobs. Every list is scoped by one
// biller: nothing in it lets one biller see another's records.
type BackOfficeQueries interface {
	// Payments returns one page of the biller's payments matching q,
	// newest CreatedAt first (then by id descending), and how many match.
	Payments(ctx context.Context, q PaymentQuery) ([]domain.Payment, int, error)
	// SearchInvoices returns one page of the biller's invoices matching
	// q, newest issue date first, then by number descending, and how many
	// match.
	SearchInvoices(ctx context.Context, q InvoiceSearch) ([]domain.Invoice, int, error)
	// SearchPayers returns one page of the biller's payers matching q, by
	// name then external reference (byte order, as Go compares strings),
	// and how many match.
	SearchPayers(ctx context.Context, q PayerSearch) ([]domain.Payer, int, error)
	// SearchMessages returns one page of the biller's messages matching
	// q, newest first (then by id descending), and how many match.
	SearchMessages(ctx context.Context, q MessageSearch) ([]domain.Message, int, error)
}

// BackOfficeCountLimit bounds the counts of the back office's lists: an
// exact count of a million rows costs a third of a second whatever the
// index, a bounded one a few milliseconds, and nobody pages through more
// than ten thousand rows — they refine the search.
const BackOfficeCountLimit = 10_000

// PaymentQuery selects payments of one biller. Zero fields match all.
type PaymentQuery struct {
	BillerID uuid.UUID
	// From and Until bound CreatedAt: From <= CreatedAt < Until.
	From, Until time.Time
	States      []domain.PaymentState
	PayerID     uuid.UUID
	// Refdet matches exactly.
	Refdet string
	// Unconfirmed selects paid payments not confirmed yet (legacy URL mode).
	Unconfirmed bool
	// Confirmed selects payments whose money is known to have come
	// (domain.Payment.Confirmed): with state paid, those the billing
	// software may book.
	Confirmed bool
	// Anomaly selects payments with a non-empty Anomaly.
	Anomaly bool
	Offset  int
	Limit   int
	// CountUpTo bounds the count, as AuditQuery.CountUpTo.
	CountUpTo int
}

// InvoiceSearch selects invoices of one biller. Zero fields match all.
type InvoiceSearch struct {
	BillerID uuid.UUID
	PayerID  uuid.UUID
	// Number matches exactly.
	Number string
	States []domain.InvoiceState
	// Declared selects unpaid invoices the payer declared paid.
	Declared bool
	Offset   int
	Limit    int
	// CountUpTo bounds the count, as AuditQuery.CountUpTo.
	CountUpTo int
}

// PayerSearch selects payers of one biller. Text, trimmed, matches the
// external reference or the email exactly (case-insensitively for the
// email), or the start of the name, case-insensitively. An empty Text
// matches all. A SQL store folds the case of non-ASCII letters as its
// database's locale does (none under the "C" locale).
type PayerSearch struct {
	BillerID uuid.UUID
	Text     string
	Offset   int
	Limit    int
}

// MessageSearch selects messages of one biller. Zero fields match all.
type MessageSearch struct {
	BillerID uuid.UUID
	PayerID  uuid.UUID
	State    domain.MessageState
	Kind     domain.MessageKind
	Offset   int
	Limit    int
}
