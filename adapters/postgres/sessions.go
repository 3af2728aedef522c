package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// Sessions live in the database so that every portal instance behind a
// load balancer knows every login.

const sessionSelect = `SELECT id, biller_id, account_id, staff, csrf_token, notice_closed, persistent, created_at, expires_at
FROM sessions WHERE id = $1`

// citizenSessionSQL reads a citizen's session with its account and payer
// in one statement: every page of a logged-in citizen starts with it.
var citizenSessionSQL = `SELECT s.id, s.biller_id, s.account_id, s.staff, s.csrf_token, s.notice_closed, s.persistent,
	s.created_at, s.expires_at, ` + accountColumns.prefixed("a") + `, ` + payerColumns.prefixed("p") + `
FROM sessions s JOIN accounts a ON a.id = s.account_id JOIN payers p ON p.id = a.payer_id
WHERE s.id = $1 AND NOT s.staff`

type citizenSessionRow struct {
	sessionRow
	Account accountRow `db:"a"`
	Payer   payerRow   `db:"p"`
}

type sessionRow struct {
	ID           string    `db:"id"`
	BillerID     uuid.UUID `db:"biller_id"`
	AccountID    uuid.UUID `db:"account_id"`
	Staff        bool      `db:"staff"`
	CSRFToken    string    `db:"csrf_token"`
	NoticeClosed bool      `db:"notice_closed"`
	Persistent   bool      `db:"persistent"`
	CreatedAt    time.Time `db:"created_at"`
	ExpiresAt    time.Time `db:"expires_at"`
}

// CreateSession stores a new session; Conflict if its id exists, so that a
// new login never takes over another.
func (db *DB) CreateSession(ctx context.Context, s ports.Session) error {
	n, err := db.exec(ctx, "create session", `INSERT INTO sessions
	(id, biller_id, account_id, csrf_token, notice_closed, persistent, created_at, expires_at, staff)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
		s.ID, s.BillerID, s.AccountID, s.CSRFToken, s.NoticeClosed, s.Persistent, s.CreatedAt, s.ExpiresAt, s.Staff)
	if err != nil {
		return err
	}
	if n == 0 {
		return domain.Errorf(domain.Conflict, "Cette session existe déjà.")
	}
	return nil
}

// Session returns the session with id, expired or not.
func (db *DB) Session(ctx context.Context, id string) (ports.Session, error) {
	var r sessionRow
	if err := db.get(ctx, &r, "session", sessionSelect, id); err != nil {
		return ports.Session{}, err
	}
	return r.session(), nil
}

func (r sessionRow) session() ports.Session {
	return ports.Session{
		ID: r.ID, BillerID: r.BillerID, AccountID: r.AccountID, Staff: r.Staff, CSRFToken: r.CSRFToken,
		NoticeClosed: r.NoticeClosed, Persistent: r.Persistent, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt,
	}
}

// CitizenSession returns a citizen's session, expired or not, with its
// account and payer, in one statement; NotFound for a missing or staff
// session, or a missing account or payer.
func (db *DB) CitizenSession(ctx context.Context, id string) (ports.Session, domain.Account, domain.Payer, error) {
	var r citizenSessionRow
	if err := db.get(ctx, &r, "citizen session", citizenSessionSQL, id); err != nil {
		return ports.Session{}, domain.Account{}, domain.Payer{}, err
	}
	return r.session(), r.Account.account(), r.Payer.payer(), nil
}

// SaveSession replaces an existing session; NotFound if it was deleted
// meanwhile, so that a logout elsewhere is not undone.
func (db *DB) SaveSession(ctx context.Context, s ports.Session) error {
	n, err := db.exec(ctx, "save session", `UPDATE sessions SET biller_id = $2, account_id = $3, csrf_token = $4,
	notice_closed = $5, persistent = $6, created_at = $7, expires_at = $8, staff = $9
WHERE id = $1`,
		s.ID, s.BillerID, s.AccountID, s.CSRFToken, s.NoticeClosed, s.Persistent, s.CreatedAt, s.ExpiresAt, s.Staff)
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound("session")
	}
	return nil
}

// DeleteSession ends the session with id; ending a missing one is not an
// error.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	_, err := db.exec(ctx, "delete session", `DELETE FROM sessions WHERE id = $1`, id)
	return err
}

// DeleteAccountSessions ends every session of the account except the one
// whose id is except.
func (db *DB) DeleteAccountSessions(ctx context.Context, accountID uuid.UUID, except string) error {
	_, err := db.exec(ctx, "delete account sessions", `DELETE FROM sessions WHERE account_id = $1 AND id <> $2`, accountID, except)
	return err
}

// DeleteExpiredSessions removes the sessions expired at now (ExpiresAt not
// after now) and returns how many.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	n, err := db.exec(ctx, "delete expired sessions", `DELETE FROM sessions WHERE expires_at <= $1`, now)
	return int(n), err
}
