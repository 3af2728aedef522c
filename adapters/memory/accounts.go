package memory

import (
	"cmp"
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// Account returns the account with id.
func (t *tx) Account(_ context.Context, id uuid.UUID) (domain.Account, error) {
	t, done, err := t.reading()
	if err != nil {
		return domain.Account{}, err
	}
	defer done()
	a, ok := t.t.accounts.rows[id]
	if !ok {
		return domain.Account{}, notFound("account %s", id)
	}
	return a, nil
}

// AccountByEmail returns the biller's account whose login is email.
func (t *tx) AccountByEmail(ctx context.Context, billerID uuid.UUID, email string) (domain.Account, error) {
	t, done, err := t.reading()
	if err != nil {
		return domain.Account{}, err
	}
	defer done()
	id, ok := t.t.accountByEmail[scoped{billerID, emailKey(email)}]
	if !ok || email == "" {
		return domain.Account{}, notFound("account with this email in biller %s", billerID)
	}
	return t.Account(ctx, id)
}

// AccountByPayer returns the payer's account.
func (t *tx) AccountByPayer(ctx context.Context, payerID uuid.UUID) (domain.Account, error) {
	t, done, err := t.reading()
	if err != nil {
		return domain.Account{}, err
	}
	defer done()
	id, ok := t.t.accountByPayer[payerID]
	if !ok {
		return domain.Account{}, notFound("account of payer %s", payerID)
	}
	return t.Account(ctx, id)
}

// AccountsByPayers returns the payers' accounts, see ports.AccountStore.
func (t *tx) AccountsByPayers(ctx context.Context, payerIDs []uuid.UUID) ([]domain.Account, error) {
	t, done, err := t.reading()
	if err != nil {
		return nil, err
	}
	defer done()
	var out []domain.Account
	seen := make(map[uuid.UUID]bool, len(payerIDs))
	for _, payer := range payerIDs {
		id, ok := t.t.accountByPayer[payer]
		if !ok || seen[payer] {
			continue
		}
		seen[payer] = true
		a, err := t.Account(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// SaveAccount inserts or replaces a; Conflict when another account of the
// biller has its email, or its payer has another account.
func (t *tx) SaveAccount(ctx context.Context, a domain.Account) (err error) {
	t, done, err := t.writing(ctx)
	if err != nil {
		return err
	}
	defer done(&err)
	if a.Email != "" && !a.Closed() {
		if id, ok := t.t.accountByEmail[scoped{a.BillerID, emailKey(a.Email)}]; ok && id != a.ID {
			return emailTaken("account %s already has this email", id)
		}
	}
	if id, ok := t.t.accountByPayer[a.PayerID]; ok && id != a.ID && !a.Closed() {
		return conflict("", "Ce redevable a déjà un compte.", "payer %s already has account %s", a.PayerID, id)
	}
	t.journal(t.t.accounts.put(a.ID, a))
	return nil
}

// Token returns the token whose secret hashes to hash.
func (t *tx) Token(_ context.Context, hash string) (domain.Token, error) {
	t, done, err := t.reading()
	if err != nil {
		return domain.Token{}, err
	}
	defer done()
	tok, ok := t.t.tokens.rows[hash]
	if !ok {
		return domain.Token{}, notFound("token")
	}
	return tok, nil
}

// OpenTokens returns the account's tokens of purpose neither used nor
// revoked, oldest first.
func (t *tx) OpenTokens(_ context.Context, accountID uuid.UUID, purpose domain.TokenPurpose) ([]domain.Token, error) {
	t, done, err := t.reading()
	if err != nil {
		return nil, err
	}
	defer done()
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

// SaveToken inserts or replaces tok.
func (t *tx) SaveToken(ctx context.Context, tok domain.Token) (err error) {
	t, done, err := t.writing(ctx)
	if err != nil {
		return err
	}
	defer done(&err)
	t.journal(t.t.tokens.put(tok.Hash, tok))
	return nil
}
