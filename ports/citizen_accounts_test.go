package ports_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

func TestActivationOfAnUnknownAddress(t *testing.T) {
	e := newEnv(t)
	err := e.portal.CitizenAccounts().RequestActivation(e.ctx, e.biller(), "inconnu@exemple.fr")
	assert.ErrorIs(t, err, domain.ErrUnknownEmail)
	assert.Contains(t, domain.ErrorMessage(err), "Activation impossible, adresse inconnue")
	assert.Empty(t, e.mails.Mails(), "nothing is sent")
	assert.Equal(t, domain.Invalid, domain.ErrorCode(e.portal.CitizenAccounts().RequestActivation(e.ctx, e.biller(), "pas une adresse")))
}

func TestActivationJourney(t *testing.T) {
	e := newEnv(t)
	require.NoError(t, e.portal.CitizenAccounts().RequestActivation(e.ctx, e.biller(), "  REF002@Exemple.fr "))
	mail, ok := e.mails.Last()
	require.True(t, ok)
	assert.Equal(t, "ref002@exemple.fr", mail.To)
	assert.Equal(t, "Accès au portail des factures", mail.Subject, "the manual's subject")
	assert.Contains(t, mail.Text, "Vous avez demandé l'activation de votre espace sur le portail des factures")
	assert.Contains(t, mail.HTML, "<a href=\"https://factures.testville.fr/mot-de-passe?lien=")
	path, secret := e.linkIn(t, "ref002@exemple.fr")
	assert.Equal(t, ports.PathSetPassword, path)

	info, err := e.portal.CitizenAccounts().CheckPasswordLink(e.ctx, e.biller(), secret)
	require.NoError(t, err)
	assert.Equal(t, "ref002@exemple.fr", info.Email)
	assert.Equal(t, 8, info.MinPasswordLength)

	_, _, err = e.portal.CitizenAccounts().Login(e.ctx, e.biller(), "ref002@exemple.fr", "nouveau-mdp", false, "")
	assert.ErrorIs(t, err, domain.ErrBadCredentials, "a pending account cannot log in")

	err = e.portal.CitizenAccounts().SetPassword(e.ctx, e.biller(), secret, "court", "court")
	assert.Equal(t, "password", domain.ErrorField(err), "too short")
	err = e.portal.CitizenAccounts().SetPassword(e.ctx, e.biller(), secret, "nouveau-mdp", "nouveau-mdq")
	assert.Equal(t, "confirm", domain.ErrorField(err))
	require.NoError(t, e.portal.CitizenAccounts().SetPassword(e.ctx, e.biller(), secret, "nouveau-mdp", "nouveau-mdp"))

	_, s, err := e.portal.CitizenAccounts().Login(e.ctx, e.biller(), "REF002@exemple.fr", "nouveau-mdp", false, "")
	require.NoError(t, err)
	assert.False(t, s.Persistent)

	assert.ErrorIs(t, e.portal.CitizenAccounts().SetPassword(e.ctx, e.biller(), secret, "encore-un-mdp", "encore-un-mdp"), domain.ErrTokenUsed, "a link serves once")
}

func TestActivationLinks(t *testing.T) {
	t.Run("expired after 48 hours", func(t *testing.T) {
		e := newEnv(t)
		require.NoError(t, e.portal.CitizenAccounts().RequestActivation(e.ctx, e.biller(), "ref002@exemple.fr"))
		_, secret := e.linkIn(t, "ref002@exemple.fr")
		e.advance(48 * time.Hour)
		assert.ErrorIs(t, e.portal.CitizenAccounts().SetPassword(e.ctx, e.biller(), secret, "nouveau-mdp", "nouveau-mdp"), domain.ErrTokenExpired)
		_, err := e.portal.CitizenAccounts().CheckPasswordLink(e.ctx, e.biller(), secret)
		assert.ErrorIs(t, err, domain.ErrTokenExpired)
	})
	t.Run("revoked by a newer link", func(t *testing.T) {
		e := newEnv(t)
		require.NoError(t, e.portal.CitizenAccounts().RequestActivation(e.ctx, e.biller(), "ref002@exemple.fr"))
		_, first := e.linkIn(t, "ref002@exemple.fr")
		require.NoError(t, e.portal.CitizenAccounts().RequestActivation(e.ctx, e.biller(), "ref002@exemple.fr"))
		_, second := e.linkIn(t, "ref002@exemple.fr")
		assert.NotEqual(t, first, second)
		assert.ErrorIs(t, e.portal.CitizenAccounts().SetPassword(e.ctx, e.biller(), first, "nouveau-mdp", "nouveau-mdp"), domain.ErrTokenRevoked)
		assert.NoError(t, e.portal.CitizenAccounts().SetPassword(e.ctx, e.biller(), second, "nouveau-mdp", "nouveau-mdp"))
	})
	t.Run("unknown or mangled link", func(t *testing.T) {
		e := newEnv(t)
		_, err := e.portal.CitizenAccounts().CheckPasswordLink(e.ctx, e.biller(), "n-importe-quoi")
		assert.ErrorIs(t, err, domain.ErrTokenUnknown)
		assert.ErrorIs(t, e.portal.CitizenAccounts().SetPassword(e.ctx, e.biller(), "", "nouveau-mdp", "nouveau-mdp"), domain.ErrTokenUnknown)
	})
	t.Run("a link of another biller does not work here", func(t *testing.T) {
		e := newEnv(t)
		require.NoError(t, e.portal.CitizenAccounts().RequestActivation(e.ctx, e.biller(), "ref002@exemple.fr"))
		_, secret := e.linkIn(t, "ref002@exemple.fr")
		_, err := e.portal.CitizenAccounts().CheckPasswordLink(e.ctx, e.newbie.ID, secret)
		assert.ErrorIs(t, err, domain.ErrTokenUnknown)
	})
}

func TestLoginFailuresAllLookTheSame(t *testing.T) {
	e := newEnv(t)
	for name, try := range map[string][2]string{
		"wrong password":       {"ref001@exemple.fr", "mauvais-mdp"},
		"unknown address":      {"personne@exemple.fr", password},
		"known but not active": {"ref002@exemple.fr", password},
		"empty password":       {"ref001@exemple.fr", ""},
		"address of the wrong case and wrong password": {"REF001@EXEMPLE.FR", "x"},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := e.portal.CitizenAccounts().Login(e.ctx, e.biller(), try[0], try[1], false, "")
			assert.ErrorIs(t, err, domain.ErrBadCredentials)
			assert.Equal(t, "Adresse de messagerie ou mot de passe incorrect.", domain.ErrorMessage(err))
		})
	}
}

func TestLoginRotatesTheSession(t *testing.T) {
	e := newEnv(t)
	first, s1, err := e.portal.CitizenAccounts().Login(e.ctx, e.biller(), "ref001@exemple.fr", password, false, "")
	require.NoError(t, err)
	assert.True(t, portsEpochPlus(12*time.Hour).Equal(s1.ExpiresAt), "a browser session lasts 12 hours")
	second, s2, err := e.portal.CitizenAccounts().Login(e.ctx, e.biller(), "ref001@exemple.fr", password, true, first)
	require.NoError(t, err)
	assert.NotEqual(t, first, second)
	assert.NotEqual(t, s1.ID, s2.ID)
	assert.NotEqual(t, s1.CSRFToken, s2.CSRFToken)
	assert.True(t, s2.Persistent)
	assert.True(t, portsEpochPlus(30*24*time.Hour).Equal(s2.ExpiresAt), "Se souvenir de moi: 30 days")
	_, _, err = e.portal.CitizenAccounts().Authenticate(e.ctx, first)
	assert.Equal(t, domain.Unauthenticated, domain.ErrorCode(err), "the session before login is destroyed")
	_, c, err := e.portal.CitizenAccounts().Authenticate(e.ctx, second)
	require.NoError(t, err)
	assert.Equal(t, e.citizen, ports.Citizen{BillerID: c.BillerID, AccountID: c.AccountID, PayerID: c.PayerID})
	assert.NotEqual(t, second, s2.ID, "the store keeps only a hash of the cookie's secret")

	e.advance(30 * 24 * time.Hour)
	_, _, err = e.portal.CitizenAccounts().Authenticate(e.ctx, second)
	assert.Equal(t, domain.Unauthenticated, domain.ErrorCode(err), "expired")
}

func TestLogout(t *testing.T) {
	e := newEnv(t)
	secret, _, err := e.portal.CitizenAccounts().Login(e.ctx, e.biller(), "ref001@exemple.fr", password, false, "")
	require.NoError(t, err)
	require.NoError(t, e.portal.CitizenAccounts().Logout(e.ctx, secret))
	_, _, err = e.portal.CitizenAccounts().Authenticate(e.ctx, secret)
	assert.Equal(t, domain.Unauthenticated, domain.ErrorCode(err))
	assert.NoError(t, e.portal.CitizenAccounts().Logout(e.ctx, secret), "twice is harmless")
}

func TestPasswordResetAnswersTheSameForEveryone(t *testing.T) {
	e := newEnv(t)
	require.NoError(t, e.portal.CitizenAccounts().RequestPasswordReset(e.ctx, e.biller(), "personne@exemple.fr"))
	assert.Empty(t, e.mails.Mails(), "no mail for an unknown address, and no error either")

	require.NoError(t, e.portal.CitizenAccounts().RequestPasswordReset(e.ctx, e.biller(), "ref001@exemple.fr"))
	mail, _ := e.mails.Last()
	assert.Contains(t, mail.Subject, "nouveau mot de passe")
	_, secret := e.linkIn(t, "ref001@exemple.fr")
	other, _, err := e.portal.CitizenAccounts().Login(e.ctx, e.biller(), "ref001@exemple.fr", password, false, "")
	require.NoError(t, err)

	e.advance(59 * time.Minute)
	require.NoError(t, e.portal.CitizenAccounts().SetPassword(e.ctx, e.biller(), secret, "mot-de-passe-neuf", "mot-de-passe-neuf"))
	_, _, err = e.portal.CitizenAccounts().Authenticate(e.ctx, other)
	assert.Error(t, err, "a new password ends every open session")
	_, _, err = e.portal.CitizenAccounts().Login(e.ctx, e.biller(), "ref001@exemple.fr", password, false, "")
	assert.ErrorIs(t, err, domain.ErrBadCredentials, "the old password is gone")
	_, _, err = e.portal.CitizenAccounts().Login(e.ctx, e.biller(), "ref001@exemple.fr", "mot-de-passe-neuf", false, "")
	assert.NoError(t, err)

	require.NoError(t, e.portal.CitizenAccounts().RequestPasswordReset(e.ctx, e.biller(), "ref001@exemple.fr"))
	_, late := e.linkIn(t, "ref001@exemple.fr")
	e.advance(time.Hour)
	assert.ErrorIs(t, e.portal.CitizenAccounts().SetPassword(e.ctx, e.biller(), late, "encore-autre", "encore-autre"), domain.ErrTokenExpired, "a reset link lasts one hour")

	require.NoError(t, e.portal.CitizenAccounts().RequestPasswordReset(e.ctx, e.biller(), "ref002@exemple.fr"))
	assert.Equal(t, "Accès au portail des factures", mustLast(t, e).Subject, "a payer who never activated gets an activation link")
}

func TestChangePassword(t *testing.T) {
	e := newEnv(t)
	current, _, err := e.portal.CitizenAccounts().Login(e.ctx, e.biller(), "ref001@exemple.fr", password, false, "")
	require.NoError(t, err)
	other, _, err := e.portal.CitizenAccounts().Login(e.ctx, e.biller(), "ref001@exemple.fr", password, false, "")
	require.NoError(t, err)

	assert.ErrorIs(t, e.portal.Citizens().ChangePassword(e.ctx, e.citizen, current, "faux", "nouveau-mdp", "nouveau-mdp"), domain.ErrWrongPassword)
	assert.Equal(t, "password", domain.ErrorField(e.portal.Citizens().ChangePassword(e.ctx, e.citizen, current, password, "court", "court")))
	require.NoError(t, e.portal.Citizens().ChangePassword(e.ctx, e.citizen, current, password, "nouveau-mdp", "nouveau-mdp"))
	_, _, err = e.portal.CitizenAccounts().Authenticate(e.ctx, current)
	assert.NoError(t, err, "the session that changed it goes on")
	_, _, err = e.portal.CitizenAccounts().Authenticate(e.ctx, other)
	assert.Error(t, err, "other sessions end")
	_, _, err = e.portal.CitizenAccounts().Login(e.ctx, e.biller(), "ref001@exemple.fr", "nouveau-mdp", false, "")
	assert.NoError(t, err)
}

func TestEmailChange(t *testing.T) {
	e := newEnv(t)
	assert.ErrorIs(t, e.portal.Citizens().RequestEmailChange(e.ctx, e.citizen, "nouvelle@exemple.fr", "faux"), domain.ErrWrongPassword)
	assert.ErrorIs(t, e.portal.Citizens().RequestEmailChange(e.ctx, e.citizen, "ref002@exemple.fr", password), domain.ErrEmailTaken, "another payer's address")
	require.NoError(t, e.portal.Citizens().RequestEmailChange(e.ctx, e.citizen, "Nouvelle@Exemple.fr", password))
	path, secret := e.linkIn(t, "nouvelle@exemple.fr")
	assert.Equal(t, ports.PathConfirmEmail, path)
	prof, err := e.portal.Citizens().Profile(e.ctx, e.citizen)
	require.NoError(t, err)
	assert.Equal(t, "ref001@exemple.fr", prof.Email, "nothing changes before the link is followed")

	got, err := e.portal.CitizenAccounts().ConfirmEmailChange(e.ctx, e.biller(), secret)
	require.NoError(t, err)
	assert.Equal(t, "nouvelle@exemple.fr", got)
	old := e.mails.To("ref001@exemple.fr")
	require.NotEmpty(t, old, "the old address is told")
	assert.Contains(t, old[len(old)-1].Text, "nouvelle@exemple.fr")

	_, _, err = e.portal.CitizenAccounts().Login(e.ctx, e.biller(), "ref001@exemple.fr", password, false, "")
	assert.ErrorIs(t, err, domain.ErrBadCredentials)
	_, _, err = e.portal.CitizenAccounts().Login(e.ctx, e.biller(), "nouvelle@exemple.fr", password, false, "")
	assert.NoError(t, err)
	_, err = e.portal.CitizenAccounts().ConfirmEmailChange(e.ctx, e.biller(), secret)
	assert.ErrorIs(t, err, domain.ErrTokenUsed)
}

func TestEmailChangeLosesARace(t *testing.T) {
	e := newEnv(t)
	require.NoError(t, e.portal.Citizens().RequestEmailChange(e.ctx, e.citizen, "convoitee@exemple.fr", password))
	_, secret := e.linkIn(t, "convoitee@exemple.fr")
	// Meanwhile the newcomer's address becomes the coveted one.
	p := e.newbie
	p.Email = "convoitee@exemple.fr"
	require.NoError(t, e.store.SavePayer(e.ctx, p))
	_, err := e.portal.CitizenAccounts().ConfirmEmailChange(e.ctx, e.biller(), secret)
	assert.ErrorIs(t, err, domain.ErrEmailTaken)
}

func TestProfile(t *testing.T) {
	e := newEnv(t)
	prof, err := e.portal.Citizens().Profile(e.ctx, e.citizen)
	require.NoError(t, err)
	assert.Equal(t, e.house.Payer.Name, prof.PayerName)
	assert.False(t, prof.Paperless)
	stranger := e.citizen
	stranger.PayerID = e.newbie.ID
	_, err = e.portal.Citizens().Profile(e.ctx, stranger)
	assert.ErrorIs(t, err, domain.ErrNotFound, "a citizen whose parts do not belong together sees nothing")
}

func portsEpochPlus(d time.Duration) time.Time { return epoch().Add(d) }

func mustLast(t *testing.T, e *env) ports.Mail {
	t.Helper()
	m, ok := e.mails.Last()
	require.True(t, ok)
	return m
}

func TestBillerInfoAndEmailLinkCheck(t *testing.T) {
	e := newEnv(t)
	info, err := e.portal.CitizenAccounts().Biller(e.ctx, e.biller())
	require.NoError(t, err)
	assert.Equal(t, e.house.Biller.Name, info.Name)
	assert.Equal(t, 2*time.Hour, info.LockDuration)
	_, err = e.portal.CitizenAccounts().Biller(e.ctx, e.newbie.ID)
	assert.ErrorIs(t, err, domain.ErrNotFound)

	require.NoError(t, e.portal.Citizens().RequestEmailChange(e.ctx, e.citizen, "autre@exemple.fr", password))
	_, secret := e.linkIn(t, "autre@exemple.fr")
	got, err := e.portal.CitizenAccounts().CheckEmailLink(e.ctx, e.biller(), secret)
	require.NoError(t, err)
	assert.Equal(t, "autre@exemple.fr", got)
	_, err = e.portal.CitizenAccounts().ConfirmEmailChange(e.ctx, e.biller(), secret)
	require.NoError(t, err)
	_, err = e.portal.CitizenAccounts().CheckEmailLink(e.ctx, e.biller(), secret)
	assert.ErrorIs(t, err, domain.ErrTokenUsed)
	_, err = e.portal.CitizenAccounts().CheckEmailLink(e.ctx, e.biller(), "faux")
	assert.ErrorIs(t, err, domain.ErrTokenUnknown)
}
