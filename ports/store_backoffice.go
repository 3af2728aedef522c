package ports

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// BackOfficeTx is the part of Tx that serves the billing service's back
// office, its API and the scheduled jobs. Every list is scoped by one
// biller: nothing in it lets one biller see another's records.
type BackOfficeTx interface {
	// BillerByHost finds the biller serving a host name (NormalizeHost
	// form); NotFound when none does. SaveBiller returns Conflict when
	// another biller already has one of the biller's hosts.
	BillerByHost(ctx context.Context, host string) (domain.Biller, error)

	Staff(ctx context.Context, id uuid.UUID) (domain.Staff, error)
	// StaffByEmail finds a staff member by normalised address within a biller.
	StaffByEmail(ctx context.Context, billerID uuid.UUID, email string) (domain.Staff, error)
	// StaffMembers lists the biller's staff by email (byte order).
	StaffMembers(ctx context.Context, billerID uuid.UUID) ([]domain.Staff, error)
	// SaveStaff returns Conflict when another staff member of the biller
	// has the same email.
	SaveStaff(ctx context.Context, s domain.Staff) error
	// StaffToken finds a staff member's link (a domain.Token of a staff
	// purpose, whose AccountID is the member's id) by the hash of its
	// secret. Staff links are kept apart from citizens': Token never
	// finds them, StaffToken never finds a citizen's.
	StaffToken(ctx context.Context, hash string) (domain.Token, error)
	// OpenStaffTokens lists the member's links of that purpose that are
	// neither used nor revoked, oldest first.
	OpenStaffTokens(ctx context.Context, staffID uuid.UUID, purpose domain.TokenPurpose) ([]domain.Token, error)
	// SaveStaffToken inserts or replaces a staff member's link.
	SaveStaffToken(ctx context.Context, t domain.Token) error

	// APIKeyByHash finds a key, revoked or not, by the hash of its secret.
	APIKeyByHash(ctx context.Context, hash string) (domain.APIKey, error)
	APIKey(ctx context.Context, id uuid.UUID) (domain.APIKey, error)
	// APIKeys lists the biller's keys, revoked ones included, oldest first.
	APIKeys(ctx context.Context, billerID uuid.UUID) ([]domain.APIKey, error)
	// SaveAPIKey returns Conflict when another key has the same hash.
	SaveAPIKey(ctx context.Context, k domain.APIKey) error

	// AppendAudit adds an event to the audit log; events are never changed.
	AppendAudit(ctx context.Context, e domain.AuditEvent) error
	// AuditEvents returns one page of the biller's audit log matching q,
	// newest first (then by id descending), and how many events match.
	AuditEvents(ctx context.Context, q AuditQuery) ([]domain.AuditEvent, int, error)

	// Document returns a biller's invoice document by name.
	Document(ctx context.Context, billerID uuid.UUID, name string) (domain.Document, error)
	// DocumentInfo describes a biller's invoice document by name, its
	// size included, without reading its bytes; NotFound as Document.
	DocumentInfo(ctx context.Context, billerID uuid.UUID, name string) (DocumentInfo, error)
	// SaveDocument inserts or replaces the document (BillerID, Name).
	SaveDocument(ctx context.Context, d domain.Document) error

	// SavePaymentEvent appends a step to a payment's timeline (an event
	// saved again with its id replaces it).
	SavePaymentEvent(ctx context.Context, e domain.PaymentEvent) error
	// PaymentEvents returns a payment's timeline, oldest first (then by id).
	PaymentEvents(ctx context.Context, paymentID uuid.UUID) ([]domain.PaymentEvent, error)
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

	Message(ctx context.Context, id uuid.UUID) (domain.Message, error)
	// SearchMessages returns one page of the biller's messages matching
	// q, newest first (then by id descending), and how many match.
	SearchMessages(ctx context.Context, q MessageSearch) ([]domain.Message, int, error)

	// ClaimRun records that job ran for key (a day: "2026-11-26") and
	// returns true, or returns false when some process claimed it
	// already: several instances share one store and only one of them
	// runs a daily job.
	ClaimRun(ctx context.Context, job, key string, at time.Time) (bool, error)

	RefundTx
}

// BackOfficeCountLimit bounds the counts of the back office's lists: an
// exact count of a million rows costs a third of a second whatever the
// index, a bounded one a few milliseconds, and nobody pages through more
// than ten thousand rows — they refine the search.
const BackOfficeCountLimit = 10_000

// AuditQuery selects audit events of one biller. Zero fields match all.
type AuditQuery struct {
	BillerID uuid.UUID
	Actor    domain.ActorKind
	// Action matches exactly, or every action under a prefix ending in
	// "." ("citizen.").
	Action domain.AuditAction
	// From and Until bound At: From <= At < Until.
	From, Until time.Time
	// Text matches ActorLabel or Target, case-insensitively, as a substring
	// (non-ASCII letters: as for PayerSearch.Text).
	Text   string
	Offset int
	Limit  int
	// CountUpTo, when positive, bounds the count: the store stops
	// counting there, so a total of CountUpTo means "at least that many".
	// Counting all the million records of a biller takes a third of a
	// second on PostgreSQL (README, Measurements); zero counts them all.
	CountUpTo int
}

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
