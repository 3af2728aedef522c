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
func (t *tx) StaffToken(_ context.Context, hash string) (domain.Token, error) {
	t, done, err := t.reading()
	if err != nil {
		return domain.Token{}, err
	}
	defer done()
	tok, ok := t.t.bo.staffTokens.rows[hash]
	if !ok {
		return domain.Token{}, notFound("staff token")
	}
	return tok, nil
}

// OpenStaffTokens returns the member's links of purpose neither used nor
// revoked, oldest first.
func (t *tx) OpenStaffTokens(_ context.Context, staffID uuid.UUID, purpose domain.TokenPurpose) ([]domain.Token, error) {
	t, done, err := t.reading()
	if err != nil {
		return nil, err
	}
	defer done()
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

// SaveStaffToken inserts or replaces tok.
func (t *tx) SaveStaffToken(ctx context.Context, tok domain.Token) (err error) {
	t, done, err := t.writing(ctx)
	if err != nil {
		return err
	}
	defer done(&err)
	t.journal(t.t.bo.staffTokens.put(tok.Hash, tok))
	return nil
}
