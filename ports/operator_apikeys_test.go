package ports_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// auditOf returns the biller's audit log, newest first.
func (e *env) auditOf(t *testing.T, billerID uuid.UUID) []domain.AuditEvent {
	t.Helper()
	events, _, err := e.store.AuditEvents(e.ctx, ports.AuditQuery{BillerID: billerID})
	require.NoError(t, err)
	return events
}

// apiActor creates a key for billerID and authenticates with it, as the
// HTTP adapter does for each request.
func (e *env) apiActor(t *testing.T, billerID uuid.UUID) ports.Actor {
	t.Helper()
	_, secret, err := e.portal.Operator().CreateAPIKey(e.ctx, billerID, "Logiciel de facturation")
	require.NoError(t, err)
	a, err := e.portal.BillingAPI().AuthenticateAPIKey(e.ctx, secret)
	require.NoError(t, err)
	// The audit log is ordered by instant: what the test does next comes
	// after the key's creation.
	e.advance(time.Second)
	return a
}

func TestAPIKeyIsShownOnceAndStoredHashed(t *testing.T) {
	e := newEnv(t)
	key, secret, err := e.portal.Operator().CreateAPIKey(e.ctx, e.biller(), "  Logiciel Berger-Levrault  ")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(secret, domain.APIKeyPrefix))
	assert.GreaterOrEqual(t, len(secret), 40)
	assert.Equal(t, "Logiciel Berger-Levrault", key.Name)
	assert.True(t, strings.HasPrefix(secret, key.Hint))

	stored, err := e.store.APIKey(e.ctx, key.ID)
	require.NoError(t, err)
	assert.Equal(t, domain.HashSecret(secret), stored.Hash)
	assert.NotContains(t, stored.Hash+stored.Hint+stored.Name, secret, "the store never holds the secret")

	log := e.auditOf(t, e.biller())
	require.Len(t, log, 1)
	assert.Equal(t, domain.AuditAPIKeyCreated, log[0].Action)
	assert.Equal(t, domain.ActorSystem, log[0].Actor)
	assert.NotContains(t, log[0].Detail, secret)

	ctx := ports.WithClientIP(e.ctx, "192.0.2.7")
	a, err := e.portal.BillingAPI().AuthenticateAPIKey(ctx, secret)
	require.NoError(t, err)
	assert.Equal(t, ports.Actor{Kind: domain.ActorAPI, BillerID: e.biller(), ID: key.ID, Label: "Logiciel Berger-Levrault", IP: "192.0.2.7"}, a)
}

func TestAPIKeyLastUseIsWrittenAtMostOnceAMinute(t *testing.T) {
	e := newEnv(t)
	key, secret, err := e.portal.Operator().CreateAPIKey(e.ctx, e.biller(), "Logiciel")
	require.NoError(t, err)
	lastUse := func() time.Time {
		k, err := e.store.APIKey(e.ctx, key.ID)
		require.NoError(t, err)
		return k.LastUsedAt
	}
	_, err = e.portal.BillingAPI().AuthenticateAPIKey(e.ctx, secret)
	require.NoError(t, err)
	first := e.clock.Now()
	assert.True(t, first.Equal(lastUse()))

	e.advance(30 * time.Second)
	_, err = e.portal.BillingAPI().AuthenticateAPIKey(e.ctx, secret)
	require.NoError(t, err)
	assert.True(t, first.Equal(lastUse()), "no write within the minute")

	e.advance(31 * time.Second)
	_, err = e.portal.BillingAPI().AuthenticateAPIKey(e.ctx, secret)
	require.NoError(t, err)
	assert.True(t, e.clock.Now().Equal(lastUse()))
}

func TestRevokedUnknownAndMalformedKeysAreRefused(t *testing.T) {
	e := newEnv(t)
	key, secret, err := e.portal.Operator().CreateAPIKey(e.ctx, e.biller(), "Logiciel")
	require.NoError(t, err)

	for name, s := range map[string]string{
		"empty": "", "no prefix": strings.TrimPrefix(secret, domain.APIKeyPrefix),
		"one character off": secret[:len(secret)-1] + "x", "the hash": key.Hash,
	} {
		_, err := e.portal.BillingAPI().AuthenticateAPIKey(e.ctx, s)
		assert.Equal(t, domain.Unauthenticated, domain.ErrorCode(err), name)
	}

	e.advance(time.Second)
	revoked, err := e.portal.Operator().RevokeAPIKey(e.ctx, e.biller(), key.ID)
	require.NoError(t, err)
	assert.True(t, e.clock.Now().Equal(revoked.RevokedAt))
	_, err = e.portal.BillingAPI().AuthenticateAPIKey(e.ctx, secret)
	assert.Equal(t, domain.Unauthenticated, domain.ErrorCode(err), "a revoked key opens nothing")

	e.advance(time.Hour)
	again, err := e.portal.Operator().RevokeAPIKey(e.ctx, e.biller(), key.ID)
	require.NoError(t, err)
	assert.True(t, revoked.RevokedAt.Equal(again.RevokedAt), "revoking twice keeps the first date")

	log := e.auditOf(t, e.biller())
	require.Len(t, log, 2, "created, revoked once")
	assert.Equal(t, domain.AuditAPIKeyRevoked, log[0].Action)

	keys, err := e.portal.Operator().APIKeys(e.ctx, e.biller())
	require.NoError(t, err)
	require.Len(t, keys, 1)
	assert.False(t, keys[0].Active())
}

func TestAPIKeysBelongToOneBiller(t *testing.T) {
	e := newEnv(t)
	key, _, err := e.portal.Operator().CreateAPIKey(e.ctx, e.biller(), "Logiciel")
	require.NoError(t, err)
	other := e.otherHousehold(t).Biller.ID

	_, err = e.portal.Operator().RevokeAPIKey(e.ctx, other, key.ID)
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err), "another biller cannot revoke the key")
	k, err := e.store.APIKey(e.ctx, key.ID)
	require.NoError(t, err)
	assert.True(t, k.Active())

	keys, err := e.portal.Operator().APIKeys(e.ctx, other)
	require.NoError(t, err)
	assert.Empty(t, keys)

	_, _, err = e.portal.Operator().CreateAPIKey(e.ctx, uuid.New(), "Logiciel")
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err), "unknown biller")
	_, _, err = e.portal.Operator().CreateAPIKey(e.ctx, e.biller(), " ")
	assert.Equal(t, "name", domain.ErrorField(err))
}
