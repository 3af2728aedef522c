package ports

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// Store keeps the portal's data. Its read methods run on their own; Atomic
// runs several reads and writes as one transaction. Implementations
// return errors with a domain code: NotFound for a missing record,
// Conflict for a broken uniqueness rule, Unavailable for a store that
// cannot be reached; anything else is Internal.
type Store interface {
	Tx
	// Atomic runs fn in a transaction: every write fn makes is applied if
	// and only if fn returns nil. Records read inside it through
	// InvoicesForUpdate and PaymentForUpdate stay locked against other
	// transactions until it ends. fn may be called more than once if the
	// store must retry a serialisation failure, so it must not have side
	// effects outside tx.
	Atomic(ctx context.Context, fn func(tx Tx) error) error
}

// Tx is the set of operations on the store, inside or outside a
// transaction. Save methods insert or replace the whole record. A limit of
// zero or less on a list method means no limit. Lookups by an empty value
// (email, operation id) find nothing. After a failed Save inside Atomic,
// fn must return the error: a SQL store's transaction is then aborted.
type Tx interface {
	Biller(ctx context.Context, id uuid.UUID) (domain.Biller, error)
	// BillerForUpdate returns the biller locked until the transaction
	// ends: a change of settings never overwrites another made meanwhile.
	BillerForUpdate(ctx context.Context, id uuid.UUID) (domain.Biller, error)
	Billers(ctx context.Context) ([]domain.Biller, error)
	SaveBiller(ctx context.Context, b domain.Biller) error

	Payer(ctx context.Context, id uuid.UUID) (domain.Payer, error)
	// PayerForUpdate returns the payer locked until the transaction ends.
	PayerForUpdate(ctx context.Context, id uuid.UUID) (domain.Payer, error)
	PayerByRef(ctx context.Context, billerID uuid.UUID, ref string) (domain.Payer, error)
	// PayerByEmail finds a payer by its normalised address within a biller.
	PayerByEmail(ctx context.Context, billerID uuid.UUID, email string) (domain.Payer, error)
	// SavePayer returns Conflict when another payer of the biller has the
	// same external reference, or the same email when it is non-empty.
	SavePayer(ctx context.Context, p domain.Payer) error

	Account(ctx context.Context, id uuid.UUID) (domain.Account, error)
	AccountByEmail(ctx context.Context, billerID uuid.UUID, email string) (domain.Account, error)
	AccountByPayer(ctx context.Context, payerID uuid.UUID) (domain.Account, error)
	// SaveAccount returns Conflict when another account of the biller has
	// the same email, or the payer already has another account.
	SaveAccount(ctx context.Context, a domain.Account) error

	// Token finds a token by the hash of its secret.
	Token(ctx context.Context, hash string) (domain.Token, error)
	// OpenTokens lists the account's tokens of that purpose that are
	// neither used nor revoked, in no particular order.
	OpenTokens(ctx context.Context, accountID uuid.UUID, purpose domain.TokenPurpose) ([]domain.Token, error)
	SaveToken(ctx context.Context, t domain.Token) error

	Invoice(ctx context.Context, id uuid.UUID) (domain.Invoice, error)
	InvoiceByNumber(ctx context.Context, billerID uuid.UUID, number string) (domain.Invoice, error)
	// InvoicesForUpdate returns the invoices with these ids in the order
	// given, locked until the transaction ends; NotFound if one is missing.
	InvoicesForUpdate(ctx context.Context, ids []uuid.UUID) ([]domain.Invoice, error)
	// ListInvoices returns one page of a payer's invoices in one tab
	// (domain.Invoice.Tab), newest issue date first, then by number
	// descending (byte order), and the number of invoices in that tab.
	// An unknown tab is Invalid.
	ListInvoices(ctx context.Context, q InvoiceQuery) ([]domain.Invoice, int, error)
	// InvoicesDueBefore returns up to limit unpaid invoices of the biller
	// whose due date is strictly before due, oldest due date first.
	InvoicesDueBefore(ctx context.Context, billerID uuid.UUID, due domain.Date, limit int) ([]domain.Invoice, error)
	// SaveInvoice returns Conflict when another invoice of the biller has
	// the same number.
	SaveInvoice(ctx context.Context, inv domain.Invoice) error

	Payment(ctx context.Context, id uuid.UUID) (domain.Payment, error)
	// PaymentForUpdate returns the payment locked until the transaction ends.
	PaymentForUpdate(ctx context.Context, id uuid.UUID) (domain.Payment, error)
	PaymentByRefdet(ctx context.Context, refdet string) (domain.Payment, error)
	PaymentByOperation(ctx context.Context, operationID string) (domain.Payment, error)
	// LivePayments returns up to limit payments in state created or
	// in_progress, oldest first.
	LivePayments(ctx context.Context, limit int) ([]domain.Payment, error)
	// HeldPayments returns up to limit attempts that ended unpaid but
	// still hold their invoices at at (domain.Payment.Holds: abandoned or
	// expired, not in test, LockedUntil after at) and have an operation
	// id, by LockedUntil then id: the reconciler keeps asking about them.
	HeldPayments(ctx context.Context, at time.Time, limit int) ([]domain.Payment, error)
	// EndedUnpaidPayments returns up to limit attempts with an operation
	// id, not in test, that ended refused, abandoned or expired at or
	// after since (FinishedAt), by FinishedAt then id: the nightly pass.
	EndedUnpaidPayments(ctx context.Context, since time.Time, limit int) ([]domain.Payment, error)
	// SavePayment returns Conflict when another payment has the same refdet
	// or operation id.
	SavePayment(ctx context.Context, p domain.Payment) error

	SaveMessage(ctx context.Context, m domain.Message) error
	// Messages returns the biller's messages, newest first.
	Messages(ctx context.Context, billerID uuid.UUID, limit int) ([]domain.Message, error)

	Outbox
	BackOfficeTx
}

// InvoiceQuery selects one page of a payer's invoices in one tab.
type InvoiceQuery struct {
	PayerID uuid.UUID
	Tab     domain.Tab
	Offset  int
	Limit   int
}

// Session is a browser's login, kept server side. The cookie carries a
// random secret; the store knows only its hash (ID), so a copy of the
// store opens no session.
type Session struct {
	ID       string // domain.HashSecret of the cookie's secret
	BillerID uuid.UUID
	// AccountID is the citizen's account, or the staff member's id when
	// Staff is set.
	AccountID uuid.UUID
	// Staff marks a back-office session: it never opens the citizen's
	// pages, and a citizen's session never opens the back office.
	Staff bool
	// CSRFToken is the form token of this session (a random string).
	CSRFToken string
	// NoticeClosed is set once the payer closed the important notice.
	NoticeClosed bool
	// Persistent is the "Se souvenir de moi" choice: the cookie outlives
	// the browser.
	Persistent bool
	CreatedAt  time.Time
	ExpiresAt  time.Time
}

// SessionStore keeps sessions. Session returns NotFound for an unknown or
// deleted session; expiry is the caller's to check. CreateSession of an
// existing id is a Conflict; SaveSession of a missing session is NotFound
// and does not recreate it (a logout in another tab stays a logout);
// DeleteSession of a missing session is no error. A session is expired at
// now when ExpiresAt <= now.
type SessionStore interface {
	CreateSession(ctx context.Context, s Session) error
	Session(ctx context.Context, id string) (Session, error)
	SaveSession(ctx context.Context, s Session) error
	DeleteSession(ctx context.Context, id string) error
	// DeleteAccountSessions ends every session of the account except the
	// one whose id is except (may be empty).
	DeleteAccountSessions(ctx context.Context, accountID uuid.UUID, except string) error
	// DeleteExpiredSessions removes sessions expired at now.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)
}
