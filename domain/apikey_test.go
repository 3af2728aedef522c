package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
)

func TestNewAPIKey(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	random := make([]byte, domain.APIKeyRandomBytes)
	k, secret, err := domain.NewAPIKey(uuid.New(), uuid.New(), "  Logiciel  ", "admin@ville.fr", random, now)
	require.NoError(t, err)
	assert.Equal(t, "Logiciel", k.Name)
	assert.Equal(t, "admin@ville.fr", k.CreatedBy)
	assert.Equal(t, domain.HashSecret(secret), k.Hash)
	assert.True(t, strings.HasPrefix(secret, k.Hint))
	assert.True(t, k.Active())

	for name, label := range map[string]string{"empty": " ", "too long": strings.Repeat("é", 101)} {
		_, _, err := domain.NewAPIKey(uuid.New(), uuid.New(), label, "admin@ville.fr", random, now)
		assert.Equal(t, "name", domain.ErrorField(err), name)
	}
}

func TestOnlyAdministratorsManageAPIKeys(t *testing.T) {
	for role, want := range map[domain.StaffRole]bool{domain.RoleAdmin: true, domain.RoleManager: false, domain.RoleReader: false, "": false} {
		assert.Equal(t, want, role.CanManageAPIKeys(), role)
	}
}

func TestAPIKeyNonceHash(t *testing.T) {
	nonce := domain.NewAPIKeyNonce(make([]byte, domain.APIKeyNonceBytes))
	hash, err := domain.APIKeyNonceHash(nonce)
	require.NoError(t, err)
	assert.Equal(t, domain.HashSecret(nonce), hash, "only the nonce's hash is kept")
	for name, bad := range map[string]string{
		"empty": "", "not base64": "%%%%", "too short": domain.NewAPIKeyNonce(make([]byte, 8)),
		"too long": domain.NewAPIKeyNonce(make([]byte, 32)),
	} {
		_, err := domain.APIKeyNonceHash(bad)
		assert.ErrorIs(t, err, domain.ErrAPIKeyFormExpired, name)
	}
}
