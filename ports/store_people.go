package ports

import (
	"context"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// PayerStore keeps a biller's payers (the people its invoices are for).
type PayerStore interface {
	Payer(ctx context.Context, id uuid.UUID) (domain.Payer, error)
	// PayerForUpdate returns the payer locked until the transaction ends.
	PayerForUpdate(ctx context.Context, id uuid.UUID) (domain.Payer, error)
	PayerByRef(ctx context.Context, billerID uuid.UUID, ref string) (domain.Payer, error)
	// PayerByEmail finds a payer by its normalised address within a biller.
	PayerByEmail(ctx context.Context, billerID uuid.UUID, email string) (domain.Payer, error)
	// SavePayer returns Conflict when another payer of the biller has the
	// same external reference, or the same email when it is non-empty.
	SavePayer(ctx context.Context, p domain.Payer) error
}

// AccountStore keeps the citizens' accounts on the portal.
type AccountStore interface {
	Account(ctx context.Context, id uuid.UUID) (domain.Account, error)
	AccountByEmail(ctx context.Context, billerID uuid.UUID, email string) (domain.Account, error)
	AccountByPayer(ctx context.Context, payerID uuid.UUID) (domain.Account, error)
	// AccountsByPayers returns the accounts not closed of the payers, in
	// one read and in no particular order; a payer with no such account
	// is left out. The notice jobs read a batch's payers with it.
	AccountsByPayers(ctx context.Context, payerIDs []uuid.UUID) ([]domain.Account, error)
	// SaveAccount returns Conflict when another account of the biller has
	// the same email, or the payer already has another account.
	SaveAccount(ctx context.Context, a domain.Account) error
}

// TokenStore keeps the citizens' one-time links (domain.Token); staff
// links are in StaffStore.
type TokenStore interface {
	// Token finds a token by the hash of its secret.
	Token(ctx context.Context, hash string) (domain.Token, error)
	// OpenTokens lists the account's tokens of that purpose that are
	// neither used nor revoked, in no particular order.
	OpenTokens(ctx context.Context, accountID uuid.UUID, purpose domain.TokenPurpose) ([]domain.Token, error)
	SaveToken(ctx context.Context, t domain.Token) error
}
