package ports_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

func TestCitizenClosesAccount(t *testing.T) {
	e := newEnv(t)
	secret, _, err := e.portal.CitizenAccounts().Login(e.ctx, e.biller(), "ref001@exemple.fr", password, false, "")
	require.NoError(t, err)
	other, _, err := e.portal.CitizenAccounts().Login(e.ctx, e.biller(), "ref001@exemple.fr", password, true, "")
	require.NoError(t, err)

	t.Run("the current password is required", func(t *testing.T) {
		err := e.portal.Citizens().CloseAccount(e.ctx, e.citizen, "pas-le-bon")
		require.ErrorIs(t, err, domain.ErrWrongPassword)
		a, err := e.store.Account(e.ctx, e.house.Account.ID)
		require.NoError(t, err)
		assert.True(t, a.Active())
	})

	require.NoError(t, e.portal.Citizens().CloseAccount(e.ctx, e.citizen, password))

	t.Run("the account is closed, its sessions end and it cannot log in", func(t *testing.T) {
		a, err := e.store.Account(e.ctx, e.house.Account.ID)
		require.NoError(t, err)
		assert.Equal(t, domain.AccountClosed, a.State)
		assert.True(t, a.ClosedAt.Equal(e.clock.Now()))
		assert.Equal(t, "ref001@exemple.fr", a.Email, "kept until the retention period is over")
		for _, s := range []string{secret, other} {
			_, _, err := e.portal.CitizenAccounts().Authenticate(e.ctx, s)
			assert.Equal(t, domain.Unauthenticated, domain.ErrorCode(err))
		}
		_, _, err = e.portal.CitizenAccounts().Login(e.ctx, e.biller(), "ref001@exemple.fr", password, false, "")
		require.ErrorIs(t, err, domain.ErrBadCredentials)
		require.Error(t, e.portal.Citizens().CloseAccount(e.ctx, e.citizen, password), "closed once")
	})

	t.Run("a mail confirms it and the audit log says it", func(t *testing.T) {
		mails := e.mails.To("ref001@exemple.fr")
		require.NotEmpty(t, mails)
		last := mails[len(mails)-1]
		assert.Contains(t, last.Subject, "votre compte est clos")
		assert.Contains(t, last.Text, "Vous avez clos votre compte")
		assert.Contains(t, last.Text, "12 mois")
		events := e.audits(t, domain.AuditAccountClosed)
		require.Len(t, events, 1)
		assert.Equal(t, domain.ActorCitizen, events[0].Actor)
		assert.Equal(t, e.house.Account.ID, events[0].ActorID)
	})

	t.Run("the payer activates again as a new account, with the same address", func(t *testing.T) {
		require.NoError(t, e.portal.CitizenAccounts().RequestActivation(e.ctx, e.biller(), "ref001@exemple.fr"))
		_, link := e.linkIn(t, "ref001@exemple.fr")
		require.NoError(t, e.portal.CitizenAccounts().SetPassword(e.ctx, e.biller(), link, "nouveau-mdp", "nouveau-mdp"))
		_, s, err := e.portal.CitizenAccounts().Login(e.ctx, e.biller(), "ref001@exemple.fr", "nouveau-mdp", false, "")
		require.NoError(t, err)
		assert.NotEqual(t, e.house.Account.ID, s.AccountID, "a new account")
		fresh, err := e.store.AccountByPayer(e.ctx, e.house.Payer.ID)
		require.NoError(t, err)
		assert.Equal(t, s.AccountID, fresh.ID)
		old, err := e.store.Account(e.ctx, e.house.Account.ID)
		require.NoError(t, err)
		assert.True(t, old.Closed(), "the old account stays closed")
		// The new account sees the payer's invoices, as the old one did.
		c := ports.Citizen{BillerID: e.biller(), AccountID: fresh.ID, PayerID: e.house.Payer.ID}
		prof, err := e.portal.Citizens().Profile(e.ctx, c)
		require.NoError(t, err)
		assert.Equal(t, "REF001", prof.PayerRef)
	})
}

func TestStaffClosesAccount(t *testing.T) {
	e := newEnv(t)
	secret, _, err := e.portal.CitizenAccounts().Login(e.ctx, e.biller(), "ref001@exemple.fr", password, false, "")
	require.NoError(t, err)

	err = e.portal.BackOffice().CloseAccount(e.ctx, e.reader(), e.house.Payer.ID)
	require.ErrorIs(t, err, ports.ErrReadOnly)
	err = e.portal.BackOffice().CloseAccount(e.ctx, e.otherBiller(t), e.house.Payer.ID)
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err), "another biller's payer")
	err = e.portal.BackOffice().CloseAccount(e.ctx, e.manager(), e.newbie.ID)
	require.ErrorIs(t, err, ports.ErrNoAccountToClose, "a payer without account")

	require.NoError(t, e.portal.BackOffice().CloseAccount(e.ctx, e.manager(), e.house.Payer.ID))
	_, _, err = e.portal.CitizenAccounts().Authenticate(e.ctx, secret)
	assert.Equal(t, domain.Unauthenticated, domain.ErrorCode(err), "the payer's session ended")
	require.ErrorIs(t, e.portal.BackOffice().CloseAccount(e.ctx, e.manager(), e.house.Payer.ID), ports.ErrNoAccountToClose, "closed once")

	d, err := e.portal.BackOffice().PayerDetail(e.ctx, e.manager(), e.house.Payer.ID)
	require.NoError(t, err)
	assert.Equal(t, ports.AccountNone, d.Status)
	assert.Equal(t, e.house.Account.ID, d.Closed.ID, "the page tells the closed account")

	events := e.audits(t, domain.AuditAccountClosed)
	require.Len(t, events, 1)
	assert.Equal(t, domain.ActorStaff, events[0].Actor)
	assert.Contains(t, events[0].Detail, "REF001")
	mails := e.mails.To("ref001@exemple.fr")
	require.NotEmpty(t, mails)
	assert.Contains(t, mails[len(mails)-1].Text, "Le service de facturation a clos votre compte")
}

func TestRetentionSetting(t *testing.T) {
	e := newEnv(t)
	admin := staffOf(e.biller(), domain.RoleAdmin)
	in := func(months int) ports.SettingsInput {
		b, err := e.portal.BackOfficeAdmin().Settings(e.ctx, admin)
		require.NoError(t, err)
		in := ports.SettingsInputOf(b)
		in.RetentionMonths = &months
		return in
	}
	err := e.portal.BackOfficeAdmin().UpdateSettings(e.ctx, e.manager(), in(24))
	assert.Equal(t, "retention_months", domain.ErrorField(err), "only an administrateur")
	for _, bad := range []int{0, 61, -1} {
		err := e.portal.BackOfficeAdmin().UpdateSettings(e.ctx, admin, in(bad))
		assert.Equal(t, "retention_months", domain.ErrorField(err), "%d months", bad)
	}
	require.NoError(t, e.portal.BackOfficeAdmin().UpdateSettings(e.ctx, admin, in(24)))
	b, err := e.store.Biller(e.ctx, e.biller())
	require.NoError(t, err)
	assert.Equal(t, 24, b.RetentionMonths)
	events := e.audits(t, domain.AuditSettingsChanged)
	require.Len(t, events, 1)
	assert.Contains(t, events[0].Detail, "conservation des comptes clos : 12 mois → 24 mois")
	// A manager saving the other settings keeps the retention.
	keep := in(24)
	keep.Notice = "Nouvelle information"
	require.NoError(t, e.portal.BackOfficeAdmin().UpdateSettings(e.ctx, e.manager(), keep))
}
