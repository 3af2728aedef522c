package ports_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

func TestAdministratorCreatesListsAndRevokesAPIKeys(t *testing.T) {
	e := newEnv(t)
	admin := e.addStaff(t, "admin@ville.fr", domain.RoleAdmin)
	bo := e.portal.BackOfficeAdmin()

	key, secret, err := bo.CreateAPIKey(e.ctx, admin, "  Logiciel de facturation  ", e.apiKeyNonce(t))
	require.NoError(t, err)
	assert.Equal(t, "Logiciel de facturation", key.Name)
	assert.Equal(t, "admin@ville.fr", key.CreatedBy, "the key names who made it")
	assert.True(t, strings.HasPrefix(secret, domain.APIKeyPrefix+strings.TrimPrefix(key.Hint, domain.APIKeyPrefix)))
	stored, err := e.store.APIKey(e.ctx, key.ID)
	require.NoError(t, err)
	assert.Equal(t, domain.HashSecret(secret), stored.Hash, "only the hash is kept, as the command line does")
	assert.NotContains(t, stored.Hash+stored.Hint+stored.Name+stored.CreatedBy, secret)

	api, err := e.portal.BillingAPI().AuthenticateAPIKey(e.ctx, secret)
	require.NoError(t, err, "the key opens the API at once")
	assert.Equal(t, key.ID, api.ID)

	e.advance(time.Minute)
	cli, _, err := e.portal.Operator().CreateAPIKey(e.ctx, e.biller(), "Script de reprise")
	require.NoError(t, err)
	assert.Equal(t, "Ligne de commande", cli.CreatedBy)

	keys, err := bo.APIKeys(e.ctx, admin)
	require.NoError(t, err)
	require.Len(t, keys, 2, "the command line's keys are listed too")
	assert.Equal(t, key.ID, keys[0].ID)
	assert.False(t, keys[0].LastUsedAt.IsZero(), "the last use is known")
	got, err := bo.APIKey(e.ctx, admin, cli.ID)
	require.NoError(t, err)
	assert.Equal(t, "Script de reprise", got.Name)

	e.advance(time.Minute)
	revoked, err := bo.RevokeAPIKey(e.ctx, admin, key.ID)
	require.NoError(t, err)
	assert.True(t, e.clock.Now().Equal(revoked.RevokedAt))
	_, err = e.portal.BillingAPI().AuthenticateAPIKey(e.ctx, secret)
	assert.Equal(t, domain.Unauthenticated, domain.ErrorCode(err), "a revoked key is refused at once")
	e.advance(time.Minute)
	again, err := bo.RevokeAPIKey(e.ctx, admin, key.ID)
	require.NoError(t, err)
	assert.True(t, revoked.RevokedAt.Equal(again.RevokedAt), "revoking twice keeps the first date")

	events, _, err := e.store.AuditEvents(e.ctx, ports.AuditQuery{BillerID: e.biller(), Action: "apikey."})
	require.NoError(t, err)
	require.Len(t, events, 3, "two creations and one revocation")
	assert.Equal(t, domain.AuditAPIKeyRevoked, events[0].Action)
	assert.Equal(t, "admin@ville.fr", events[0].ActorLabel, "the administrator is the revocation's actor")
	assert.Equal(t, domain.ActorStaff, events[0].Actor)
	assert.Equal(t, "Clé d'API « Logiciel de facturation » révoquée ("+key.Hint+"…).", events[0].Detail)
	assert.Equal(t, "Ligne de commande", events[1].ActorLabel)
	assert.Equal(t, domain.AuditAPIKeyCreated, events[2].Action)
	assert.Equal(t, "admin@ville.fr", events[2].ActorLabel)
	for _, ev := range events {
		assert.NotContains(t, ev.Detail, secret)
	}
}

func TestAPIKeysAreForAdministratorsOfTheirBiller(t *testing.T) {
	e := newEnv(t)
	admin := e.addStaff(t, "admin@ville.fr", domain.RoleAdmin)
	key, _, err := e.portal.BackOfficeAdmin().CreateAPIKey(e.ctx, admin, "Logiciel", e.apiKeyNonce(t))
	require.NoError(t, err)
	bo := e.portal.BackOfficeAdmin()

	t.Run("gestionnaire and lecture are refused every use case", func(t *testing.T) {
		for _, a := range []ports.Actor{e.addStaff(t, "gestion@ville.fr", domain.RoleManager), e.addStaff(t, "lecture@ville.fr", domain.RoleReader)} {
			_, err := bo.APIKeys(e.ctx, a)
			assert.Equal(t, domain.ErrAPIKeysAdminOnly, err, a.Label)
			_, err = bo.APIKey(e.ctx, a, key.ID)
			assert.Equal(t, domain.ErrAPIKeysAdminOnly, err, a.Label)
			_, _, err = bo.CreateAPIKey(e.ctx, a, "Intrus", e.apiKeyNonce(t))
			assert.Equal(t, domain.ErrAPIKeysAdminOnly, err, a.Label)
			_, err = bo.RevokeAPIKey(e.ctx, a, key.ID)
			assert.Equal(t, domain.ErrAPIKeysAdminOnly, err, a.Label)
		}
		assert.Equal(t, "Seul un administrateur du service peut gérer les clés d'API.", domain.ErrorMessage(domain.ErrAPIKeysAdminOnly))
	})

	t.Run("the API and the system are no administrators", func(t *testing.T) {
		for _, a := range []ports.Actor{ports.SystemActor(e.biller()), e.apiActor(t, e.biller())} {
			_, _, err := bo.CreateAPIKey(e.ctx, a, "Intrus", e.apiKeyNonce(t))
			assert.Equal(t, domain.ErrAPIKeysAdminOnly, err, a.Label)
		}
	})

	t.Run("another biller's administrator neither sees nor revokes the key", func(t *testing.T) {
		other := e.otherBillerStaff(t)
		_, _, a, err := e.portal.BackOffice().StaffLogin(e.ctx, other.BillerID, other.Email, staffPassword, "")
		require.NoError(t, err)
		keys, err := bo.APIKeys(e.ctx, a)
		require.NoError(t, err)
		assert.Empty(t, keys)
		_, err = bo.APIKey(e.ctx, a, key.ID)
		assert.Equal(t, domain.NotFound, domain.ErrorCode(err))
		_, err = bo.RevokeAPIKey(e.ctx, a, key.ID)
		assert.Equal(t, domain.NotFound, domain.ErrorCode(err))
		k, err := e.store.APIKey(e.ctx, key.ID)
		require.NoError(t, err)
		assert.True(t, k.Active())
	})

	t.Run("a disabled administrator's session is refused", func(t *testing.T) {
		st, err := e.store.Staff(e.ctx, admin.ID)
		require.NoError(t, err)
		st.Disabled = true
		require.NoError(t, e.store.SaveStaff(e.ctx, st))
		_, _, err = bo.CreateAPIKey(e.ctx, admin, "Logiciel", e.apiKeyNonce(t))
		assert.Equal(t, domain.ErrAPIKeysAdminOnly, err)
		_, err = bo.RevokeAPIKey(e.ctx, admin, key.ID)
		assert.Equal(t, domain.ErrAPIKeysAdminOnly, err)
	})

	t.Run("the name is required, in French", func(t *testing.T) {
		a := e.addStaff(t, "admin2@ville.fr", domain.RoleAdmin)
		for _, name := range []string{"", "   ", strings.Repeat("x", 101)} {
			_, _, err := bo.CreateAPIKey(e.ctx, a, name, e.apiKeyNonce(t))
			assert.Equal(t, "name", domain.ErrorField(err))
			assert.Equal(t, "Le nom de la clé est obligatoire (100 caractères au plus).", domain.ErrorMessage(err))
		}
	})
	keys, err := e.store.APIKeys(e.ctx, e.biller())
	require.NoError(t, err)
	assert.Len(t, keys, 2, "the administrator's and the test API actor's, nothing else")
}

// apiKeyNonce is a fresh « Créer la clé » form's nonce.
func (e *env) apiKeyNonce(t *testing.T) string {
	t.Helper()
	nonce, err := e.portal.BackOfficeAdmin().APIKeyFormNonce()
	require.NoError(t, err)
	return nonce
}

func TestAPIKeyFormPostedAgainMakesNoSecondKey(t *testing.T) {
	e := newEnv(t)
	admin := e.addStaff(t, "admin@ville.fr", domain.RoleAdmin)
	bo := e.portal.BackOfficeAdmin()
	nonce := e.apiKeyNonce(t)

	key, secret, err := bo.CreateAPIKey(e.ctx, admin, "Logiciel", nonce)
	require.NoError(t, err)
	require.NotEmpty(t, secret)
	stored, err := e.store.APIKey(e.ctx, key.ID)
	require.NoError(t, err)
	assert.Equal(t, domain.HashSecret(nonce), stored.NonceHash, "the key keeps the nonce's hash, not the nonce")

	e.advance(time.Minute)
	again, secret2, err := bo.CreateAPIKey(e.ctx, admin, "Logiciel", nonce)
	assert.ErrorIs(t, err, domain.ErrAPIKeyAlreadyCreated)
	assert.Equal(t, domain.Conflict, domain.ErrorCode(err))
	assert.Empty(t, secret2, "the secret cannot be shown again")
	assert.Equal(t, key.ID, again.ID, "the first key, to name it")
	assert.Contains(t, domain.ErrorMessage(err), "révoquez la clé et créez-en une autre")

	// Another administrator's post with the nonce (the form of the same
	// biller) finds the same key: one form, one key.
	other := e.addStaff(t, "admin2@ville.fr", domain.RoleAdmin)
	_, _, err = bo.CreateAPIKey(e.ctx, other, "Autre nom", nonce)
	assert.ErrorIs(t, err, domain.ErrAPIKeyAlreadyCreated)

	// A fresh form makes a new key; a form without a valid nonce none.
	_, secret3, err := bo.CreateAPIKey(e.ctx, admin, "Logiciel", e.apiKeyNonce(t))
	require.NoError(t, err)
	assert.NotEqual(t, secret, secret3)
	for _, bad := range []string{"", "pas-un-nonce", nonce + "x"} {
		_, _, err = bo.CreateAPIKey(e.ctx, admin, "Logiciel", bad)
		assert.ErrorIs(t, err, domain.ErrAPIKeyFormExpired, bad)
	}

	keys, err := e.store.APIKeys(e.ctx, e.biller())
	require.NoError(t, err)
	made := 0
	for _, k := range keys {
		if k.CreatedBy == "admin@ville.fr" {
			made++
		}
	}
	assert.Equal(t, 2, made, "one key per form")
	events, _, err := e.store.AuditEvents(e.ctx, ports.AuditQuery{BillerID: e.biller(), Action: "apikey."})
	require.NoError(t, err)
	assert.Len(t, events, 2, "a repeated post logs nothing")
}
