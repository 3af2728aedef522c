package postgres

import (
	"context"
	"database/sql"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// Payers, their accounts and the accounts' single-use links.

var (
	payerColumns = cols("id", "biller_id", "external_ref", "name", "email", "paperless",
		"paperless_requested_at", "created_at", "updated_at")
	payerSelect = "SELECT " + payerColumns.names() + " FROM payers"
	payerUpsert = payerColumns.upsert("payers")

	accountColumns = cols("id", "biller_id", "payer_id", "email", "password_hash", "state",
		"activated_at", "last_login_at", "created_at", "updated_at", "notices_off", "reminders_off",
		"closed_at", "anonymised_at") // 0018
	accountSelect = "SELECT " + accountColumns.names() + " FROM accounts"
	// accountsByPayersSQL reads a batch's payers' accounts (the notice
	// jobs).
	accountsByPayersSQL = accountSelect + " WHERE payer_id = ANY($1::uuid[]) AND state <> 'closed'"
	accountUpsert       = accountColumns.upsert("accounts")

	tokenSelect = "SELECT hash, account_id, purpose, new_email, created_at, expires_at, used_at, revoked_at FROM tokens"
	tokenUpsert = `INSERT INTO tokens (hash, account_id, purpose, new_email, created_at, expires_at, used_at, revoked_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (hash) DO UPDATE SET account_id = EXCLUDED.account_id, purpose = EXCLUDED.purpose,
	new_email = EXCLUDED.new_email, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at,
	used_at = EXCLUDED.used_at, revoked_at = EXCLUDED.revoked_at`
)

type payerRow struct {
	ID                   uuid.UUID    `db:"id"`
	BillerID             uuid.UUID    `db:"biller_id"`
	ExternalRef          string       `db:"external_ref"`
	Name                 string       `db:"name"`
	Email                string       `db:"email"`
	Paperless            bool         `db:"paperless"`
	PaperlessRequestedAt sql.NullTime `db:"paperless_requested_at"`
	CreatedAt            time.Time    `db:"created_at"`
	UpdatedAt            time.Time    `db:"updated_at"`
}

func (r payerRow) payer() domain.Payer {
	return domain.Payer{
		ID: r.ID, BillerID: r.BillerID, ExternalRef: r.ExternalRef, Name: r.Name, Email: r.Email,
		Paperless: r.Paperless, PaperlessRequestedAt: timeOf(r.PaperlessRequestedAt),
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

func payerArgs(p domain.Payer) []any {
	return []any{idArg(p.ID), idArg(p.BillerID), p.ExternalRef, p.Name, p.Email, p.Paperless,
		nullTime(p.PaperlessRequestedAt), p.CreatedAt, p.UpdatedAt}
}

func (s *queries) payer(ctx context.Context, what, where string, args ...any) (domain.Payer, error) {
	var r payerRow
	if err := s.get(ctx, &r, what, payerSelect+" WHERE "+where, args...); err != nil {
		return domain.Payer{}, err
	}
	return r.payer(), nil
}

// Payer returns the payer with id.
func (s *queries) Payer(ctx context.Context, id uuid.UUID) (domain.Payer, error) {
	return s.payer(ctx, "payer "+id.String(), "id = $1", id)
}

// PayerForUpdate returns the payer with id, locked until the transaction
// ends. Outside Atomic it is a plain read.
func (s *queries) PayerForUpdate(ctx context.Context, id uuid.UUID) (domain.Payer, error) {
	return s.payer(ctx, "payer "+id.String(), "id = $1 FOR UPDATE", id)
}

// PayerByRef returns the biller's payer with the external reference ref.
func (s *queries) PayerByRef(ctx context.Context, billerID uuid.UUID, ref string) (domain.Payer, error) {
	return s.payer(ctx, "payer by reference", "biller_id = $1 AND external_ref = $2", billerID, ref)
}

// PayerByEmail returns the biller's payer with the address email, whatever
// its case.
func (s *queries) PayerByEmail(ctx context.Context, billerID uuid.UUID, email string) (domain.Payer, error) {
	if email == "" {
		return domain.Payer{}, notFound("payer with an empty email")
	}
	return s.payer(ctx, "payer by email", "biller_id = $1 AND lower(email) = lower($2) AND email <> ''", billerID, email)
}

// SavePayer inserts or replaces p; Conflict when another payer of the
// biller has its reference, or its email.
func (s *queries) SavePayer(ctx context.Context, p domain.Payer) error {
	_, err := s.exec(ctx, "save payer", payerUpsert, payerArgs(p)...)
	return err
}

type accountRow struct {
	ID           uuid.UUID    `db:"id"`
	BillerID     uuid.UUID    `db:"biller_id"`
	PayerID      uuid.UUID    `db:"payer_id"`
	Email        string       `db:"email"`
	PasswordHash string       `db:"password_hash"`
	State        string       `db:"state"`
	ActivatedAt  sql.NullTime `db:"activated_at"`
	LastLoginAt  sql.NullTime `db:"last_login_at"`
	CreatedAt    time.Time    `db:"created_at"`
	UpdatedAt    time.Time    `db:"updated_at"`
	NoticesOff   bool         `db:"notices_off"`
	RemindersOff bool         `db:"reminders_off"`
	ClosedAt     sql.NullTime `db:"closed_at"`
	AnonymisedAt sql.NullTime `db:"anonymised_at"`
}

func (r accountRow) account() domain.Account {
	return domain.Account{
		ID: r.ID, BillerID: r.BillerID, PayerID: r.PayerID, Email: r.Email, PasswordHash: r.PasswordHash,
		State: domain.AccountState(r.State), ActivatedAt: timeOf(r.ActivatedAt), LastLoginAt: timeOf(r.LastLoginAt),
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, NoticesOff: r.NoticesOff, RemindersOff: r.RemindersOff,
		ClosedAt: timeOf(r.ClosedAt), AnonymisedAt: timeOf(r.AnonymisedAt),
	}
}

func accountArgs(a domain.Account) []any {
	return []any{a.ID, a.BillerID, a.PayerID, a.Email, a.PasswordHash, string(a.State),
		nullTime(a.ActivatedAt), nullTime(a.LastLoginAt), a.CreatedAt, a.UpdatedAt, a.NoticesOff, a.RemindersOff,
		nullTime(a.ClosedAt), nullTime(a.AnonymisedAt)}
}

func (s *queries) account(ctx context.Context, what, where string, args ...any) (domain.Account, error) {
	var r accountRow
	if err := s.get(ctx, &r, what, accountSelect+" WHERE "+where, args...); err != nil {
		return domain.Account{}, err
	}
	return r.account(), nil
}

// Account returns the account with id.
func (s *queries) Account(ctx context.Context, id uuid.UUID) (domain.Account, error) {
	return s.account(ctx, "account "+id.String(), "id = $1", id)
}

// AccountByEmail returns the biller's account, not closed, whose login is email,
// whatever its case.
func (s *queries) AccountByEmail(ctx context.Context, billerID uuid.UUID, email string) (domain.Account, error) {
	if email == "" {
		return domain.Account{}, notFound("account with an empty email")
	}
	return s.account(ctx, "account by email", "biller_id = $1 AND lower(email) = lower($2) AND email <> '' AND state <> 'closed'", billerID, email)
}

// AccountByPayer returns the payer's account not closed.
func (s *queries) AccountByPayer(ctx context.Context, payerID uuid.UUID) (domain.Account, error) {
	return s.account(ctx, "account of payer "+payerID.String(), "payer_id = $1 AND state <> 'closed'", payerID)
}

// AccountsByPayers returns the payers' accounts not closed, in one read
// of accounts_payer_key.
func (s *queries) AccountsByPayers(ctx context.Context, payerIDs []uuid.UUID) ([]domain.Account, error) {
	var rows []accountRow
	if err := s.list(ctx, &rows, "accounts of payers", accountsByPayersSQL, idArray(payerIDs)); err != nil {
		return nil, err
	}
	out := make([]domain.Account, len(rows))
	for i, r := range rows {
		out[i] = r.account()
	}
	return out, nil
}

// SaveAccount inserts or replaces a; Conflict when another account of the
// biller has its email, or its payer has another account.
func (s *queries) SaveAccount(ctx context.Context, a domain.Account) error {
	_, err := s.exec(ctx, "save account", accountUpsert, accountArgs(a)...)
	return err
}

type tokenRow struct {
	Hash      string       `db:"hash"`
	AccountID uuid.UUID    `db:"account_id"`
	Purpose   string       `db:"purpose"`
	NewEmail  string       `db:"new_email"`
	CreatedAt time.Time    `db:"created_at"`
	ExpiresAt time.Time    `db:"expires_at"`
	UsedAt    sql.NullTime `db:"used_at"`
	RevokedAt sql.NullTime `db:"revoked_at"`
}

func (r tokenRow) token() domain.Token {
	return domain.Token{
		Hash: r.Hash, AccountID: r.AccountID, Purpose: domain.TokenPurpose(r.Purpose), NewEmail: r.NewEmail,
		CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, UsedAt: timeOf(r.UsedAt), RevokedAt: timeOf(r.RevokedAt),
	}
}

// Token returns the token whose secret hashes to hash.
func (s *queries) Token(ctx context.Context, hash string) (domain.Token, error) {
	return s.tokenByHash(ctx, "token", tokenSelect, hash)
}

// OpenTokens returns the account's tokens of purpose neither used nor
// revoked, oldest first.
func (s *queries) OpenTokens(ctx context.Context, accountID uuid.UUID, purpose domain.TokenPurpose) ([]domain.Token, error) {
	return s.openTokens(ctx, "open tokens", tokenSelect+" WHERE account_id = $1", accountID, purpose)
}

// tokenByHash reads one link from query (a select of tokenRow's columns)
// by the hash of its secret: citizens' tokens and staff links alike.
func (s *queries) tokenByHash(ctx context.Context, what, query, hash string) (domain.Token, error) {
	var r tokenRow
	if err := s.get(ctx, &r, what, query+" WHERE hash = $1", hash); err != nil {
		return domain.Token{}, err
	}
	return r.token(), nil
}

// openTokens lists the links of query (filtered on their owner as $1) of
// purpose that are neither used nor revoked, oldest first.
func (s *queries) openTokens(ctx context.Context, what, query string, owner uuid.UUID, purpose domain.TokenPurpose) ([]domain.Token, error) {
	var rows []tokenRow
	err := s.list(ctx, &rows, what, query+
		" AND purpose = $2 AND used_at IS NULL AND revoked_at IS NULL ORDER BY created_at, hash",
		owner, string(purpose))
	if err != nil {
		return nil, err
	}
	out := make([]domain.Token, len(rows))
	for i, r := range rows {
		out[i] = r.token()
	}
	return out, nil
}

// SaveToken inserts or replaces t.
func (s *queries) SaveToken(ctx context.Context, t domain.Token) error {
	_, err := s.exec(ctx, "save token", tokenUpsert, t.Hash, t.AccountID, string(t.Purpose), t.NewEmail,
		t.CreatedAt, t.ExpiresAt, nullTime(t.UsedAt), nullTime(t.RevokedAt))
	return err
}
