package ports

import (
	"context"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// « Clés d'API » in the back office's « Paramètres »: an administrator
// ("administrateur") lists, creates and revokes the keys of their
// biller's billing software, so that no shell access is needed. The rule
// is the command line's (core_apikeys.go): the secret is returned once,
// only its hash is kept, and the audit log names the administrator.
// Other roles get ErrAPIKeysAdminOnly.

// canManageAPIKeys checks that the actor is a staff member of billerID
// whose role manages API keys.
func (a Actor) canManageAPIKeys(billerID uuid.UUID) error {
	if err := a.canRead(billerID); err != nil {
		return err
	}
	if a.Kind != domain.ActorStaff || !a.Role.CanManageAPIKeys() {
		return domain.ErrAPIKeysAdminOnly
	}
	return nil
}

// apiKeysAdmin checks the actor and, in tx, that their record is still an
// active administrator of their biller (not disabled nor changed since
// their session began).
func apiKeysAdmin(ctx context.Context, tx Tx, a Actor) error {
	if err := a.canManageAPIKeys(a.BillerID); err != nil {
		return err
	}
	st, err := tx.Staff(ctx, a.ID)
	if err != nil {
		return notFoundAs(err, domain.ErrAPIKeysAdminOnly)
	}
	if st.BillerID != a.BillerID || st.Disabled || !st.Role.CanManageAPIKeys() {
		return domain.ErrAPIKeysAdminOnly
	}
	return nil
}

// APIKeys lists the actor's biller's keys, revoked ones included, oldest
// first.
func (p BackOfficeAdmin) APIKeys(ctx context.Context, a Actor) ([]domain.APIKey, error) {
	if err := a.canManageAPIKeys(a.BillerID); err != nil {
		return nil, err
	}
	keys, err := p.store.APIKeys(ctx, a.BillerID)
	if err != nil {
		return nil, domain.WrapInternal(err)
	}
	return keys, nil
}

// APIKey returns one of the actor's biller's keys, for the confirmation
// of its revocation; another biller's is NotFound.
func (p BackOfficeAdmin) APIKey(ctx context.Context, a Actor, id uuid.UUID) (domain.APIKey, error) {
	if err := a.canManageAPIKeys(a.BillerID); err != nil {
		return domain.APIKey{}, err
	}
	return apiKeyOf(ctx, p.store, a.BillerID, id)
}

// APIKeyFormNonce is the one-time nonce of a « Créer la clé » form, which
// the form sends back with the key's name (CreateAPIKey).
func (p BackOfficeAdmin) APIKeyFormNonce() (string, error) {
	random, err := p.randomBytes(domain.APIKeyNonceBytes)
	if err != nil {
		return "", err
	}
	return domain.NewAPIKeyNonce(random), nil
}

// CreateAPIKey is « Créer la clé »: a key named name for the actor's
// biller, returned with its secret, which the caller shows once and
// never again. The creation is in the audit log with the administrator.
//
// nonce is the form's (APIKeyFormNonce); the key keeps its hash. The
// same form posted again (its answer reloaded, a double click) makes no
// second key: it gets the first one, no secret, and
// domain.ErrAPIKeyAlreadyCreated, so that the caller can say so.
func (p BackOfficeAdmin) CreateAPIKey(ctx context.Context, a Actor, name, nonce string) (domain.APIKey, string, error) {
	if err := a.canManageAPIKeys(a.BillerID); err != nil {
		return domain.APIKey{}, "", err
	}
	nonceHash, err := domain.APIKeyNonceHash(nonce)
	if err != nil {
		return domain.APIKey{}, "", err
	}
	key, secret, err := p.newAPIKey(a, name)
	if err != nil {
		return domain.APIKey{}, "", err
	}
	key.NonceHash = nonceHash
	err = p.store.Atomic(ctx, func(tx Tx) error {
		if err := apiKeysAdmin(ctx, tx, a); err != nil {
			return err
		}
		if _, err := tx.APIKeyByNonce(ctx, a.BillerID, nonceHash); domain.ErrorCode(err) != domain.NotFound {
			if err != nil {
				return domain.WrapInternal(err)
			}
			return domain.ErrAPIKeyAlreadyCreated
		}
		return p.saveNewAPIKey(ctx, tx, a, key)
	})
	if domain.ErrorCode(err) == domain.Conflict {
		// Posted again, or twice at once: then the store's unique nonce
		// refused the second insert after the first committed.
		if made, findErr := p.store.APIKeyByNonce(ctx, a.BillerID, nonceHash); findErr == nil {
			return made, "", domain.ErrAPIKeyAlreadyCreated
		}
	}
	if err != nil {
		return domain.APIKey{}, "", err
	}
	return key, secret, nil
}

// RevokeAPIKey is « Révoquer la clé »: the API refuses the key from then
// on. Revoking twice changes nothing and logs nothing more. It returns
// the key as revoked.
func (p BackOfficeAdmin) RevokeAPIKey(ctx context.Context, a Actor, id uuid.UUID) (domain.APIKey, error) {
	if err := a.canManageAPIKeys(a.BillerID); err != nil {
		return domain.APIKey{}, err
	}
	now := p.clock.Now()
	var key domain.APIKey
	err := p.store.Atomic(ctx, func(tx Tx) error {
		if err := apiKeysAdmin(ctx, tx, a); err != nil {
			return err
		}
		var err error
		key, err = p.revokeAPIKeyIn(ctx, tx, a, id, now)
		return err
	})
	if err != nil {
		return domain.APIKey{}, err
	}
	return key, nil
}
