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

// Snapshots is implemented by a Store that can read in one snapshot
// without writing (PostgreSQL: a REPEATABLE READ, READ ONLY transaction):
// every read of fn sees the store as it was when the first one ran,
// whatever commits meanwhile, and a write fails. Optional: a use case
// that reads many lists together (« Mes données ») uses it when the store
// offers it, and Atomic otherwise (the memory store's Atomic holds its
// lock throughout, which is a snapshot too).
type Snapshots interface {
	ReadSnapshot(ctx context.Context, fn func(tx Tx) error) error
}

// Tx is the set of operations on the store, inside or outside a
// transaction: the composition of one small interface per role, each in
// its own file (store_billers.go, store_people.go, store_invoices.go…);
// an adapter's compile-time checks may name the roles. Save methods insert or replace the whole record. A limit of
// zero or less on a list method means no limit. Lookups by an empty value
// (email, operation id) find nothing. After a failed Save inside Atomic,
// fn must return the error: a SQL store's transaction is then aborted.
type Tx interface {
	BillerStore
	PayerStore
	AccountStore
	TokenStore
	InvoiceStore
	PaymentStore
	MessageStore
	RefundStore
	StaffStore
	APIKeyStore
	DocumentStore
	VerificationStore
	AuditStore
	NoticeStore
	SecretStore
	CertificateStore
	RetentionStore
	BoardStore
	BackOfficeQueries
	JobRuns
	Outbox
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

// CitizenSessions is implemented by a SessionStore that keeps its
// sessions beside the Store's accounts and payers: it reads a citizen's
// session with its account and payer at once (one statement on
// PostgreSQL), which every page of a logged-in citizen needs (issue #14,
// goal 1). Optional: the portal uses it only when its Store and
// SessionStore are one, and reads the three apart otherwise.
type CitizenSessions interface {
	// CitizenSession returns the session with id, expired or not, with
	// the account it belongs to and that account's payer; NotFound when
	// there is no such session, when it is a staff session, or when its
	// account or payer is missing.
	CitizenSession(ctx context.Context, id string) (Session, domain.Account, domain.Payer, error)
}
