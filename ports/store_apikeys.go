package ports

import (
	"context"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// APIKeyStore keeps the keys of the billing software's API.
type APIKeyStore interface {
	// APIKeyByHash finds a key, revoked or not, by the hash of its secret.
	APIKeyByHash(ctx context.Context, hash string) (domain.APIKey, error)
	APIKey(ctx context.Context, id uuid.UUID) (domain.APIKey, error)
	// APIKeys lists the biller's keys, revoked ones included, oldest first.
	APIKeys(ctx context.Context, billerID uuid.UUID) ([]domain.APIKey, error)
	// APIKeyByNonce finds the biller's key, revoked or not, made by the
	// creation form whose nonce has this hash (APIKey.NonceHash); the
	// empty hash finds none.
	APIKeyByNonce(ctx context.Context, billerID uuid.UUID, nonceHash string) (domain.APIKey, error)
	// SaveAPIKey returns Conflict when another key has the same hash, or
	// another key of the biller the same non-empty nonce hash.
	SaveAPIKey(ctx context.Context, k domain.APIKey) error
}
