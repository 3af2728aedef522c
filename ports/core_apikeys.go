package ports

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// One rule for making and revoking the billing software's API keys,
// whoever does it: the instance operator on the command line
// (operator_apikeys.go) or an administrator in the back office
// (backoffice_admin_apikeys.go). The store keeps only the hash of a
// secret, the secret is returned once, and every creation and revocation
// is in the biller's audit log with its actor.

// errUnknownAPIKey answers a key that is not the biller's.
var errUnknownAPIKey = domain.Errorf(domain.NotFound, "Clé d'API inconnue pour ce service de facturation.")

// newAPIKey makes a key named name for a's biller, made by a, with a
// fresh id and secret; nothing is saved yet (saveNewAPIKey).
func (p *Portal) newAPIKey(a Actor, name string) (domain.APIKey, string, error) {
	id, err := p.newID()
	if err != nil {
		return domain.APIKey{}, "", err
	}
	random, err := p.randomBytes(domain.APIKeyRandomBytes)
	if err != nil {
		return domain.APIKey{}, "", err
	}
	return domain.NewAPIKey(id, a.BillerID, name, a.Label, random, p.clock.Now())
}

// saveNewAPIKey saves in tx a key newAPIKey made and writes its creation
// in the audit log as a.
func (p *Portal) saveNewAPIKey(ctx context.Context, tx Tx, a Actor, key domain.APIKey) error {
	if err := mapSave(tx.SaveAPIKey(ctx, key)); err != nil {
		return err
	}
	return p.audit(ctx, tx, a, domain.AuditAPIKeyCreated, key.Name,
		"Clé d'API « "+key.Name+" » créée ("+key.Hint+"…).")
}

// apiKeyOf reads a key of billerID; another biller's, like a missing
// one, is errUnknownAPIKey.
func apiKeyOf(ctx context.Context, tx Tx, billerID, id uuid.UUID) (domain.APIKey, error) {
	key, err := tx.APIKey(ctx, id)
	if err != nil {
		return domain.APIKey{}, notFoundAs(err, errUnknownAPIKey)
	}
	if key.BillerID != billerID {
		return domain.APIKey{}, errUnknownAPIKey
	}
	return key, nil
}

// revokeAPIKeyIn ends in tx the key id of a's biller at now, as a: the
// requests made with it fail from then on (AuthenticateAPIKey reads the
// key on every request). Revoking twice changes nothing and logs nothing
// more. It returns the key as revoked.
func (p *Portal) revokeAPIKeyIn(ctx context.Context, tx Tx, a Actor, id uuid.UUID, now time.Time) (domain.APIKey, error) {
	key, err := apiKeyOf(ctx, tx, a.BillerID, id)
	if err != nil || !key.Active() {
		return key, err
	}
	key.Revoke(now)
	if err := mapSave(tx.SaveAPIKey(ctx, key)); err != nil {
		return domain.APIKey{}, err
	}
	return key, p.audit(ctx, tx, a, domain.AuditAPIKeyRevoked, key.Name,
		"Clé d'API « "+key.Name+" » révoquée ("+key.Hint+"…).")
}
