package ports_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/memory"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

const clientIP = "203.0.113.7"

// auditTrail returns the biller's audit events of one action, newest first.
func auditTrail(t *testing.T, e *env, action domain.AuditAction) []domain.AuditEvent {
	t.Helper()
	list, _, err := e.store.AuditEvents(e.ctx, ports.AuditQuery{BillerID: e.biller(), Action: action})
	require.NoError(t, err)
	return list
}

// onlyEvent asserts that exactly one event of action was written, by a
// citizen from clientIP, and returns it.
func onlyEvent(t *testing.T, e *env, action domain.AuditAction) domain.AuditEvent {
	t.Helper()
	list := auditTrail(t, e, action)
	require.Len(t, list, 1, "events %s", action)
	ev := list[0]
	assert.Equal(t, domain.ActorCitizen, ev.Actor)
	assert.Equal(t, clientIP, ev.IP)
	assert.Equal(t, e.biller(), ev.BillerID)
	assert.True(t, e.clock.Now().Equal(ev.At))
	return ev
}

func TestCitizenLoginsAreAudited(t *testing.T) {
	e := newEnv(t)
	e.ctx = ports.WithClientIP(e.ctx, clientIP)

	t.Run("success", func(t *testing.T) {
		secret, _, err := e.portal.CitizenAccounts().Login(e.ctx, e.biller(), "REF001@exemple.fr", password, true, "")
		require.NoError(t, err)
		ev := onlyEvent(t, e, domain.AuditLogin)
		assert.Equal(t, e.house.Account.ID, ev.ActorID)
		assert.Equal(t, "ref001@exemple.fr", ev.ActorLabel)
		assert.Contains(t, ev.Detail, "Se souvenir de moi")

		require.NoError(t, e.portal.CitizenAccounts().Logout(e.ctx, secret))
		ev = onlyEvent(t, e, domain.AuditLogout)
		assert.Equal(t, e.house.Account.ID, ev.ActorID)
		require.NoError(t, e.portal.CitizenAccounts().Logout(e.ctx, secret))
		assert.Len(t, auditTrail(t, e, domain.AuditLogout), 1, "logging out of an ended session writes nothing")
	})

	t.Run("failures", func(t *testing.T) {
		_, _, err := e.portal.CitizenAccounts().Login(e.ctx, e.biller(), "ref001@exemple.fr", "mauvais", false, "")
		assert.ErrorIs(t, err, domain.ErrBadCredentials)
		_, _, err = e.portal.CitizenAccounts().Login(e.ctx, e.biller(), "ref002@exemple.fr", password, false, "")
		assert.ErrorIs(t, err, domain.ErrBadCredentials)
		typed := "  Inconnu@Exemple.fr\n" + strings.Repeat("x", 300)
		_, _, err = e.portal.CitizenAccounts().Login(e.ctx, e.biller(), typed, password, false, "")
		assert.ErrorIs(t, err, domain.ErrBadCredentials)

		list := auditTrail(t, e, domain.AuditLoginFailed)
		require.Len(t, list, 3)
		byLabel := map[string]domain.AuditEvent{}
		for _, ev := range list {
			assert.Equal(t, clientIP, ev.IP)
			byLabel[ev.ActorLabel[:min(len(ev.ActorLabel), 20)]] = ev
		}
		wrong := byLabel["ref001@exemple.fr"]
		assert.Equal(t, e.house.Account.ID, wrong.ActorID)
		assert.Equal(t, "Mot de passe incorrect.", wrong.Detail)
		assert.Equal(t, "Adresse inconnue.", byLabel["ref002@exemple.fr"].Detail, "a payer who never asked for activation has no account yet")
		stranger := byLabel["Inconnu@Exemple.fr x"]
		assert.Equal(t, uuid.Nil, stranger.ActorID, "an unknown address has no actor id")
		assert.True(t, strings.HasPrefix(stranger.ActorLabel, "Inconnu@Exemple.fr xxx"), "trimmed, control characters blanked: %q", stranger.ActorLabel)
		assert.LessOrEqual(t, len([]rune(stranger.ActorLabel)), 101, "bounded")
	})
}

func TestFailedLoginStaysAFailedLoginWhenTheAuditLogFails(t *testing.T) {
	e := newEnv(t)
	var logs bytes.Buffer
	p, err := ports.NewPortal(ports.Deps{
		Store: noAuditStore{e.store}, Sessions: e.store, Mailer: e.mails, Gateway: e.gateway,
		Clock: e.clock, Random: portstest.NewSeqRandom(9), Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	}, ports.Config{PublicURL: "https://factures.testville.fr", Argon2: fastArgon2, MailInline: true})
	require.NoError(t, err)
	_, _, err = p.CitizenAccounts().Login(e.ctx, e.biller(), "personne@exemple.fr", password, false, "")
	assert.ErrorIs(t, err, domain.ErrBadCredentials)
	assert.Contains(t, logs.String(), "audit event lost")
	assert.Contains(t, logs.String(), "level=ERROR")
}

// noAuditStore fails every audit append made outside a transaction.
type noAuditStore struct{ *memory.Store }

func (noAuditStore) AppendAudit(context.Context, domain.AuditEvent) error {
	return errors.New("disk full")
}

func TestAccountLinksAndChangesAreAudited(t *testing.T) {
	e := newEnv(t)
	e.ctx = ports.WithClientIP(e.ctx, clientIP)

	require.NoError(t, e.portal.CitizenAccounts().RequestActivation(e.ctx, e.biller(), "ref002@exemple.fr"))
	sent := onlyEvent(t, e, domain.AuditActivationSent)
	assert.Equal(t, "ref002@exemple.fr", sent.ActorLabel)
	assert.NotEqual(t, uuid.Nil, sent.ActorID, "the pending account")
	_, secret := e.linkIn(t, "ref002@exemple.fr")
	require.NoError(t, e.portal.CitizenAccounts().SetPassword(e.ctx, e.biller(), secret, "nouveau-mdp", "nouveau-mdp"))
	set := onlyEvent(t, e, domain.AuditPasswordSet)
	assert.Equal(t, sent.ActorID, set.ActorID)
	assert.Contains(t, set.Detail, "compte activé")

	require.NoError(t, e.portal.CitizenAccounts().RequestPasswordReset(e.ctx, e.biller(), "ref001@exemple.fr"))
	reset := onlyEvent(t, e, domain.AuditPasswordResetSent)
	assert.Equal(t, e.house.Account.ID, reset.ActorID)
	require.NoError(t, e.portal.CitizenAccounts().RequestPasswordReset(e.ctx, e.biller(), "personne@exemple.fr"))
	assert.Len(t, auditTrail(t, e, "citizen."), 3, "an unknown address sends nothing and logs nothing")

	require.ErrorIs(t, e.portal.Citizens().ChangePassword(e.ctx, e.citizen, "", "faux", "autre-mdp-1", "autre-mdp-1"), domain.ErrWrongPassword)
	assert.Empty(t, auditTrail(t, e, domain.AuditPasswordChanged), "a refused change is no change")
	require.NoError(t, e.portal.Citizens().ChangePassword(e.ctx, e.citizen, "", password, "autre-mdp-1", "autre-mdp-1"))
	assert.Equal(t, e.house.Account.ID, onlyEvent(t, e, domain.AuditPasswordChanged).ActorID)

	require.NoError(t, e.portal.Citizens().RequestEmailChange(e.ctx, e.citizen, "nouvelle@exemple.fr", "autre-mdp-1"))
	asked := onlyEvent(t, e, domain.AuditEmailChangeAsked)
	assert.Equal(t, "nouvelle@exemple.fr", asked.Target)
	assert.Equal(t, "ref001@exemple.fr", asked.ActorLabel)
	_, secret = e.linkIn(t, "nouvelle@exemple.fr")
	_, err := e.portal.CitizenAccounts().ConfirmEmailChange(e.ctx, e.biller(), secret)
	require.NoError(t, err)
	changed := onlyEvent(t, e, domain.AuditEmailChanged)
	assert.Equal(t, "nouvelle@exemple.fr", changed.ActorLabel)
	assert.Contains(t, changed.Detail, "ref001@exemple.fr")

	for _, ev := range auditTrail(t, e, "citizen.") {
		assert.NotContains(t, ev.Detail+ev.Target+ev.ActorLabel, secret, "no secret in the log")
	}
}
