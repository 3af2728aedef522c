package ports_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

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

// TestClosureCancelsQueuedMails: the mails still queued for an account,
// waiting or being retried, are cancelled when it is closed, by the payer
// or by the service; the closure's confirmation leaves, and so do the
// mails to the service.
func TestClosureCancelsQueuedMails(t *testing.T) {
	deliver := func(t *testing.T, e *env) {
		t.Helper()
		_, err := e.portal.Jobs().DeliverMails(e.ctx)
		require.NoError(t, err)
	}
	t.Run("closed by the payer", func(t *testing.T) {
		e := newEnv(t, func(c *ports.Config) { c.MailInline = false })
		// A reset link, then an address change to confirm, then a
		// message to the service; the mail server is down for the first
		// try of each: all are being retried.
		require.NoError(t, e.portal.CitizenAccounts().RequestPasswordReset(e.ctx, e.biller(), "ref001@exemple.fr"))
		require.NoError(t, e.portal.Citizens().RequestEmailChange(e.ctx, e.citizen, "nouvelle@exemple.fr", password))
		require.NoError(t, e.portal.Citizens().Contact(e.ctx, e.citizen, "Question", "Ma facture ?"))
		e.mails.FailNext(10, domain.WrapUnavailable(errors.New("421 try later")))
		deliver(t, e)
		require.Empty(t, e.mails.Mails())
		queued := e.counts(t).Pending
		require.GreaterOrEqual(t, queued, 3)

		require.NoError(t, e.portal.Citizens().CloseAccount(e.ctx, e.citizen, password))
		e.mails.Reset()
		e.clock.Advance(time.Hour)
		deliver(t, e)
		assert.Equal(t, ports.OutboxCounts{}, e.counts(t), "nothing left")
		to := e.mails.To("ref001@exemple.fr")
		require.Len(t, to, 1, "the confirmation only")
		assert.Contains(t, to[0].Subject, "votre compte est clos")
		assert.Empty(t, e.mails.To("nouvelle@exemple.fr"), "the address change's link died with the account")
		b, err := e.store.Biller(e.ctx, e.biller())
		require.NoError(t, err)
		service := e.mails.To(b.Email)
		require.Len(t, service, 1, "the message to the service leaves")
		assert.Contains(t, service[0].Text, "Ma facture ?")
		events := e.audits(t, domain.AuditAccountClosed)
		require.Len(t, events, 1)
		assert.Contains(t, events[0].Detail, strconv.Itoa(queued-1)+" courriels en attente d'envoi annulés.")
	})
	t.Run("closed by the service", func(t *testing.T) {
		e := newEnv(t, func(c *ports.Config) { c.MailInline = false })
		require.NoError(t, e.portal.CitizenAccounts().RequestPasswordReset(e.ctx, e.biller(), "ref001@exemple.fr"))
		require.NoError(t, e.portal.BackOffice().CloseAccount(e.ctx, e.manager(), e.house.Payer.ID))
		deliver(t, e)
		to := e.mails.To("ref001@exemple.fr")
		require.Len(t, to, 1, "the confirmation only")
		assert.Contains(t, to[0].Text, "Le service de facturation a clos votre compte")
		events := e.audits(t, domain.AuditAccountClosed)
		require.Len(t, events, 1)
		assert.Contains(t, events[0].Detail, "1 courriel en attente d'envoi annulé.")
	})
	t.Run("nothing queued, nothing said", func(t *testing.T) {
		e := newEnv(t, func(c *ports.Config) { c.MailInline = false })
		require.NoError(t, e.portal.Citizens().CloseAccount(e.ctx, e.citizen, password))
		events := e.audits(t, domain.AuditAccountClosed)
		require.Len(t, events, 1)
		assert.NotContains(t, events[0].Detail, "courriel")
	})
}
