package ports

import (
	"context"

	"github.com/google/uuid"
	"github.com/portail-factures/portail/domain"
)

// cliActor is who creates and revokes keys from the command line, for
// the audit log.
func cliActor(billerID uuid.UUID) Actor {
	return Actor{Kind: domain.ActorSystem, BillerID: billerID, Label: "Ligne de commande"}
}

// CreateAPIKey makes a key for the biller's billing software and returns
// it with its secret, which is shown once: the store keeps only its hash.
// The creation is written in the biller's audit log.
func (p Operator) CreateAPIKey(ctx context.Context, billerID uuid.UUID, name string) (domain.APIKey, string, error) {
	now := p.clock.Now()
	id, err := p.newID()
	if err != nil {
		return domain.APIKey{}, "", err
	}
	random, err := p.randomBytes(domain.APIKeyRandomBytes)
	if err != nil {
		return domain.APIKey{}, "", err
	}
	key, secret, err := domain.NewAPIKey(id, billerID, name, random, now)
	if err != nil {
		return domain.APIKey{}, "", err
	}
	err = p.store.Atomic(ctx, func(tx Tx) error {
		if _, err := tx.Biller(ctx, billerID); err != nil {
			return notFoundAs(err, errUnknownBiller)
		}
		if err := mapSave(tx.SaveAPIKey(ctx, key)); err != nil {
			return err
		}
		return p.audit(ctx, tx, cliActor(billerID), domain.AuditAPIKeyCreated, key.Name,
			"Clé d'API « "+key.Name+" » créée ("+key.Hint+"…).")
	})
	if err != nil {
		return domain.APIKey{}, "", err
	}
	return key, secret, nil
}

// errUnknownAPIKey answers a key that is not the biller's.
var errUnknownAPIKey = domain.Errorf(domain.NotFound, "Clé d'API inconnue pour ce service de facturation.")

// RevokeAPIKey ends one of the biller's keys at once; the requests made
// with it fail from then on. Revoking twice changes nothing and logs
// nothing more. It returns the key as revoked.
func (p Operator) RevokeAPIKey(ctx context.Context, billerID, id uuid.UUID) (domain.APIKey, error) {
	now := p.clock.Now()
	var key domain.APIKey
	err := p.store.Atomic(ctx, func(tx Tx) error {
		var err error
		key, err = tx.APIKey(ctx, id)
		if err != nil {
			return notFoundAs(err, errUnknownAPIKey)
		}
		if key.BillerID != billerID {
			return errUnknownAPIKey
		}
		if !key.Active() {
			return nil
		}
		key.Revoke(now)
		if err := mapSave(tx.SaveAPIKey(ctx, key)); err != nil {
			return err
		}
		return p.audit(ctx, tx, cliActor(billerID), domain.AuditAPIKeyRevoked, key.Name,
			"Clé d'API « "+key.Name+" » révoquée ("+key.Hint+"…).")
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
