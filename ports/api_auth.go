package ports

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/portail-factures/portail/domain"
)

// The API's authentication by key (keys are created and revoked by the
// Operator, operator_apikeys.go).

// apiKeyTouchEvery bounds how often AuthenticateAPIKey records a key's
// last use: once a minute is precise enough for the back office, and a
// busy billing software does not turn every read into a write.
const apiKeyTouchEvery = time.Minute

// errBadAPIKey answers a missing, unknown or revoked key alike.
var errBadAPIKey = &domain.Error{Code: domain.Unauthenticated,
	Message: "Clé d'API absente, inconnue ou révoquée."}

// AuthenticateAPIKey returns the actor of a request bearing secret: the
// key's biller, the key's id and name, and the client's address from
// ctx (WithClientIP). A missing, unknown or revoked key is
// Unauthenticated, with the same message for all three.
func (p BillingAPI) AuthenticateAPIKey(ctx context.Context, secret string) (Actor, error) {
	if !strings.HasPrefix(secret, domain.APIKeyPrefix) || len(secret) > 200 {
		return Actor{}, errBadAPIKey
	}
	hash := domain.HashSecret(secret)
	key, err := p.store.APIKeyByHash(ctx, hash)
	if err != nil {
		return Actor{}, notFoundAs(err, errBadAPIKey)
	}
	if !key.Active() || key.Hash != hash {
		return Actor{}, errBadAPIKey
	}
	if now := p.clock.Now(); now.Sub(key.LastUsedAt) >= apiKeyTouchEvery {
		p.touchAPIKey(ctx, key.ID, now)
	}
	return Actor{Kind: domain.ActorAPI, BillerID: key.BillerID, ID: key.ID, Label: key.Name, IP: ClientIP(ctx)}, nil
}

// touchAPIKey records the key's last use. Its failure is logged, not
// returned: a request must not fail for a date in a list.
func (p *Portal) touchAPIKey(ctx context.Context, id uuid.UUID, now time.Time) {
	err := p.store.Atomic(ctx, func(tx Tx) error {
		key, err := tx.APIKey(ctx, id)
		if err != nil {
			return err
		}
		// Read again inside the transaction: a revocation made meanwhile
		// must not be overwritten, and another instance may have touched
		// the key already.
		if !key.Active() || now.Sub(key.LastUsedAt) < apiKeyTouchEvery {
			return nil
		}
		key.LastUsedAt = now
		return tx.SaveAPIKey(ctx, key)
	})
	if err != nil {
		p.log.WarnContext(ctx, "API key last use not recorded", "key", id, "err", err)
	}
}
