package memory

import (
	"cmp"
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// Account returns the account with id.
func (s *Store) Account(ctx context.Context, id uuid.UUID) (domain.Account, error) {
	return read(s, func(t *tx) (domain.Account, error) { return t.Account(ctx, id) })
}

// AccountByEmail returns the biller's account whose login is email.
func (s *Store) AccountByEmail(ctx context.Context, billerID uuid.UUID, email string) (domain.Account, error) {
	return read(s, func(t *tx) (domain.Account, error) { return t.AccountByEmail(ctx, billerID, email) })
}

// AccountByPayer returns the payer's account.
func (s *Store) AccountByPayer(ctx context.Context, payerID uuid.UUID) (domain.Account, error) {
	return read(s, func(t *tx) (domain.Account, error) { return t.AccountByPayer(ctx, payerID) })
}

// SaveAccount inserts or replaces a; Conflict when another account of the
// biller has its email, or its payer has another account.
func (s *Store) SaveAccount(ctx context.Context, a domain.Account) error {
	return s.write(ctx, func(t *tx) error { return t.SaveAccount(ctx, a) })
}

// Token returns the token whose secret hashes to hash.
func (s *Store) Token(ctx context.Context, hash string) (domain.Token, error) {
	return read(s, func(t *tx) (domain.Token, error) { return t.Token(ctx, hash) })
}

// OpenTokens returns the account's tokens of purpose neither used nor
// revoked, oldest first.
func (s *Store) OpenTokens(ctx context.Context, accountID uuid.UUID, purpose domain.TokenPurpose) ([]domain.Token, error) {
	return read(s, func(t *tx) ([]domain.Token, error) { return t.OpenTokens(ctx, accountID, purpose) })
}

// SaveToken inserts or replaces tok.
func (s *Store) SaveToken(ctx context.Context, tok domain.Token) error {
	return s.write(ctx, func(t *tx) error { return t.SaveToken(ctx, tok) })
}

func (t *tx) Account(_ context.Context, id uuid.UUID) (domain.Account, error) {
	if err := t.live(); err != nil {
		return domain.Account{}, err
	}
	a, ok := t.t.accounts.rows[id]
	if !ok {
		return domain.Account{}, notFound("account %s", id)
	}
	return a, nil
}

func (t *tx) AccountByEmail(ctx context.Context, billerID uuid.UUID, email string) (domain.Account, error) {
	if err := t.live(); err != nil {
		return domain.Account{}, err
	}
	id, ok := t.t.accountByEmail[scoped{billerID, emailKey(email)}]
	if !ok || email == "" {
		return domain.Account{}, notFound("account with this email in biller %s", billerID)
	}
	return t.Account(ctx, id)
}

func (t *tx) AccountByPayer(ctx context.Context, payerID uuid.UUID) (domain.Account, error) {
	if err := t.live(); err != nil {
		return domain.Account{}, err
	}
	id, ok := t.t.accountByPayer[payerID]
	if !ok {
		return domain.Account{}, notFound("account of payer %s", payerID)
	}
	return t.Account(ctx, id)
}

func (t *tx) SaveAccount(_ context.Context, a domain.Account) error {
	if err := t.writing(); err != nil {
		return err
	}
	if a.Email != "" {
		if id, ok := t.t.accountByEmail[scoped{a.BillerID, emailKey(a.Email)}]; ok && id != a.ID {
			return emailTaken("account %s already has this email", id)
		}
	}
	if id, ok := t.t.accountByPayer[a.PayerID]; ok && id != a.ID {
		return conflict("", "Ce redevable a déjà un compte.", "payer %s already has account %s", a.PayerID, id)
	}
	t.journal(t.t.accounts.put(a.ID, a))
	return nil
}

func (t *tx) Token(_ context.Context, hash string) (domain.Token, error) {
	if err := t.live(); err != nil {
		return domain.Token{}, err
	}
	tok, ok := t.t.tokens.rows[hash]
	if !ok {
		return domain.Token{}, notFound("token")
	}
	return tok, nil
}

func (t *tx) OpenTokens(_ context.Context, accountID uuid.UUID, purpose domain.TokenPurpose) ([]domain.Token, error) {
	if err := t.live(); err != nil {
		return nil, err
	}
	out := []domain.Token{}
	for hash := range t.t.tokensByAccount[accountID] {
		tok := t.t.tokens.rows[hash]
		if tok.Purpose == purpose && tok.UsedAt.IsZero() && tok.RevokedAt.IsZero() {
			out = append(out, tok)
		}
	}
	slices.SortFunc(out, func(a, b domain.Token) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.Hash, b.Hash))
	})
	return out, nil
}

func (t *tx) SaveToken(_ context.Context, tok domain.Token) error {
	if err := t.writing(); err != nil {
		return err
	}
	t.journal(t.t.tokens.put(tok.Hash, tok))
	return nil
}
