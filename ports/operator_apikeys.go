package ports

import (
	"context"

	"github.com/google/uuid"
	"github.com/portail-factures/portail/domain"
)

// The instance operator's API keys, from the command line (portal
// apikey); the rule they share with the back office's is core_apikeys.go.

// cliActor is who creates and revokes keys from the command line, for
// the audit log and the key's CreatedBy.
func cliActor(billerID uuid.UUID) Actor {
	return Actor{Kind: domain.ActorSystem, BillerID: billerID, Label: "Ligne de commande"}
}

// CreateAPIKey makes a key for the biller's billing software and returns
// it with its secret, which is shown once: the store keeps only its hash.
// The creation is written in the biller's audit log.
func (p Operator) CreateAPIKey(ctx context.Context, billerID uuid.UUID, name string) (domain.APIKey, string, error) {
	a := cliActor(billerID)
	key, secret, err := p.newAPIKey(a, name)
	if err != nil {
		return domain.APIKey{}, "", err
	}
	err = p.store.Atomic(ctx, func(tx Tx) error {
		if _, err := tx.Biller(ctx, billerID); err != nil {
			return notFoundAs(err, errUnknownBiller)
		}
		return p.saveNewAPIKey(ctx, tx, a, key)
	})
	if err != nil {
		return domain.APIKey{}, "", err
	}
	return key, secret, nil
}

// RevokeAPIKey ends one of the biller's keys at once; the requests made
// with it fail from then on. Revoking twice changes nothing and logs
// nothing more. It returns the key as revoked.
func (p Operator) RevokeAPIKey(ctx context.Context, billerID, id uuid.UUID) (domain.APIKey, error) {
	now := p.clock.Now()
	var key domain.APIKey
	err := p.store.Atomic(ctx, func(tx Tx) error {
		var err error
		key, err = p.revokeAPIKeyIn(ctx, tx, cliActor(billerID), id, now)
		return err
	})
	if err != nil {
		return domain.APIKey{}, err
	}
	return key, nil
}

// APIKeys lists the biller's keys, revoked ones included, oldest first.
func (p Operator) APIKeys(ctx context.Context, billerID uuid.UUID) ([]domain.APIKey, error) {
	if _, err := p.store.Biller(ctx, billerID); err != nil {
		return nil, notFoundAs(err, errUnknownBiller)
	}
	keys, err := p.store.APIKeys(ctx, billerID)
	if err != nil {
		return nil, domain.WrapInternal(err)
	}
	return keys, nil
}
