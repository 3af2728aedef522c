package memory

import (
	"cmp"
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// Staff members' links (invitation, password reset), apart from
// citizens' tokens as in PostgreSQL.

// StaffToken returns the staff link whose secret hashes to hash.
func (s *Store) StaffToken(ctx context.Context, hash string) (domain.Token, error) {
	return read(s, func(t *tx) (domain.Token, error) { return t.StaffToken(ctx, hash) })
}

// OpenStaffTokens returns the member's links of purpose neither used nor
// revoked, oldest first.
func (s *Store) OpenStaffTokens(ctx context.Context, staffID uuid.UUID, purpose domain.TokenPurpose) ([]domain.Token, error) {
	return read(s, func(t *tx) ([]domain.Token, error) { return t.OpenStaffTokens(ctx, staffID, purpose) })
}

// SaveStaffToken inserts or replaces tok.
func (s *Store) SaveStaffToken(ctx context.Context, tok domain.Token) error {
	return s.write(ctx, func(t *tx) error { return t.SaveStaffToken(ctx, tok) })
}

func (t *tx) StaffToken(_ context.Context, hash string) (domain.Token, error) {
	if err := t.live(); err != nil {
		return domain.Token{}, err
	}
	tok, ok := t.t.bo.staffTokens.rows[hash]
	if !ok {
		return domain.Token{}, notFound("staff token")
	}
	return tok, nil
}

func (t *tx) OpenStaffTokens(_ context.Context, staffID uuid.UUID, purpose domain.TokenPurpose) ([]domain.Token, error) {
	if err := t.live(); err != nil {
		return nil, err
	}
	out := []domain.Token{}
	for hash := range t.t.bo.tokensByStaff[staffID] {
		tok := t.t.bo.staffTokens.rows[hash]
		if tok.Purpose == purpose && tok.UsedAt.IsZero() && tok.RevokedAt.IsZero() {
			out = append(out, tok)
		}
	}
	slices.SortFunc(out, func(a, b domain.Token) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.Hash, b.Hash))
	})
	return out, nil
}

func (t *tx) SaveStaffToken(_ context.Context, tok domain.Token) error {
	if err := t.writing(); err != nil {
		return err
	}
	t.journal(t.t.bo.staffTokens.put(tok.Hash, tok))
	return nil
}
