package postgres

import (
	"context"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// Staff members' links (invitation, password reset), in staff_tokens
// (migration 0008): citizens' tokens reference accounts.

const (
	// staffTokenSelect reads staff links into tokenRow, the citizens' token
	// row: the owner is the member, and a staff link has no new address.
	staffTokenSelect = "SELECT hash, staff_id AS account_id, purpose, '' AS new_email, created_at, expires_at, used_at, revoked_at FROM staff_tokens"
	staffTokenUpsert = `INSERT INTO staff_tokens (hash, staff_id, purpose, created_at, expires_at, used_at, revoked_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (hash) DO UPDATE SET staff_id = EXCLUDED.staff_id, purpose = EXCLUDED.purpose,
	created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at,
	used_at = EXCLUDED.used_at, revoked_at = EXCLUDED.revoked_at`
)

// StaffToken returns the staff link whose secret hashes to hash.
func (s *queries) StaffToken(ctx context.Context, hash string) (domain.Token, error) {
	return s.tokenByHash(ctx, "staff token", staffTokenSelect, hash)
}

// OpenStaffTokens returns the member's links of purpose neither used nor
// revoked, oldest first.
func (s *queries) OpenStaffTokens(ctx context.Context, staffID uuid.UUID, purpose domain.TokenPurpose) ([]domain.Token, error) {
	return s.openTokens(ctx, "open staff tokens", staffTokenSelect+" WHERE staff_id = $1", staffID, purpose)
}

// SaveStaffToken inserts or replaces t.
func (s *queries) SaveStaffToken(ctx context.Context, t domain.Token) error {
	_, err := s.exec(ctx, "save staff token", staffTokenUpsert, t.Hash, t.AccountID, string(t.Purpose),
		t.CreatedAt, t.ExpiresAt, nullTime(t.UsedAt), nullTime(t.RevokedAt))
	return err
}
