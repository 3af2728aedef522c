package postgres

import (
	"context"
	"database/sql"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// Staff members' links (invitation, password reset), in staff_tokens
// (migration 0008): citizens' tokens reference accounts.

const (
	staffTokenSelect = "SELECT hash, staff_id, purpose, created_at, expires_at, used_at, revoked_at FROM staff_tokens"
	staffTokenUpsert = `INSERT INTO staff_tokens (hash, staff_id, purpose, created_at, expires_at, used_at, revoked_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (hash) DO UPDATE SET staff_id = EXCLUDED.staff_id, purpose = EXCLUDED.purpose,
	created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at,
	used_at = EXCLUDED.used_at, revoked_at = EXCLUDED.revoked_at`
)

type staffTokenRow struct {
	Hash      string       `db:"hash"`
	StaffID   uuid.UUID    `db:"staff_id"`
	Purpose   string       `db:"purpose"`
	CreatedAt time.Time    `db:"created_at"`
	ExpiresAt time.Time    `db:"expires_at"`
	UsedAt    sql.NullTime `db:"used_at"`
	RevokedAt sql.NullTime `db:"revoked_at"`
}

func (r staffTokenRow) token() domain.Token {
	return domain.Token{
		Hash: r.Hash, AccountID: r.StaffID, Purpose: domain.TokenPurpose(r.Purpose),
		CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, UsedAt: timeOf(r.UsedAt), RevokedAt: timeOf(r.RevokedAt),
	}
}

// StaffToken returns the staff link whose secret hashes to hash.
func (s *queries) StaffToken(ctx context.Context, hash string) (domain.Token, error) {
	var r staffTokenRow
	if err := s.get(ctx, &r, "staff token", staffTokenSelect+" WHERE hash = $1", hash); err != nil {
		return domain.Token{}, err
	}
	return r.token(), nil
}

// OpenStaffTokens returns the member's links of purpose neither used nor
// revoked, oldest first.
func (s *queries) OpenStaffTokens(ctx context.Context, staffID uuid.UUID, purpose domain.TokenPurpose) ([]domain.Token, error) {
	var rows []staffTokenRow
	err := s.list(ctx, &rows, "open staff tokens", staffTokenSelect+
		" WHERE staff_id = $1 AND purpose = $2 AND used_at IS NULL AND revoked_at IS NULL ORDER BY created_at, hash",
		staffID, string(purpose))
	if err != nil {
		return nil, err
	}
	out := make([]domain.Token, len(rows))
	for i, r := range rows {
		out[i] = r.token()
	}
	return out, nil
}

// SaveStaffToken inserts or replaces t.
func (s *queries) SaveStaffToken(ctx context.Context, t domain.Token) error {
	_, err := s.exec(ctx, "save staff token", staffTokenUpsert, t.Hash, t.AccountID, string(t.Purpose),
		t.CreatedAt, t.ExpiresAt, nullTime(t.UsedAt), nullTime(t.RevokedAt))
	return err
}
