package ports_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

func TestFindPayersShowsTheAccountStatus(t *testing.T) {
	e := newEnv(t)
	reader := agent(e, domain.RoleReader)
	status := func() map[string]ports.AccountStatus {
		t.Helper()
		page, err := e.portal.BackOffice().FindPayers(e.ctx, reader, ports.PayerSearch{})
		require.NoError(t, err)
		out := map[string]ports.AccountStatus{}
		for _, r := range page.Rows {
			out[r.Payer.ExternalRef] = r.Status
		}
		assert.Equal(t, len(out), page.Total)
		return out
	}
	assert.Equal(t, map[string]ports.AccountStatus{"REF001": ports.AccountActive, "REF002": ports.AccountNone}, status())
	require.NoError(t, e.portal.CitizenAccounts().RequestActivation(e.ctx, e.biller(), "ref002@exemple.fr"))
	assert.Equal(t, ports.AccountPending, status()["REF002"])
	assert.Equal(t, "En attente d'activation", ports.AccountPending.Label())

	page, err := e.portal.BackOffice().FindPayers(e.ctx, reader, ports.PayerSearch{Text: "REF002@EXEMPLE.FR"})
	require.NoError(t, err)
	require.Len(t, page.Rows, 1, "by address")
	assert.Equal(t, "REF002", page.Rows[0].Payer.ExternalRef)

	other := otherBiller(t, e)
	page, err = e.portal.BackOffice().FindPayers(e.ctx, other, ports.PayerSearch{BillerID: e.biller()})
	require.NoError(t, err)
	assert.Zero(t, page.Total, "the search is the actor's biller's, whatever the query says")
}

func TestPayerDetail(t *testing.T) {
	e := newEnv(t)
	require.NoError(t, e.portal.Citizens().Contact(e.ctx, e.citizen, "Question", "Bonjour"))
	d, err := e.portal.BackOffice().PayerDetail(e.ctx, agent(e, domain.RoleReader), e.house.Payer.ID)
	require.NoError(t, err)
	assert.Equal(t, ports.AccountActive, d.Status)
	assert.Equal(t, e.house.Account.ID, d.Account.ID)
	assert.Equal(t, 3, d.InvoiceCount)
	assert.Len(t, d.Invoices, 3)
	require.Len(t, d.Messages, 1)
	assert.Equal(t, "Question", d.Messages[0].Subject)

	require.NoError(t, e.portal.CitizenAccounts().RequestActivation(e.ctx, e.biller(), "ref002@exemple.fr"))
	d, err = e.portal.BackOffice().PayerDetail(e.ctx, agent(e, domain.RoleReader), e.newbie.ID)
	require.NoError(t, err)
	assert.Equal(t, ports.AccountPending, d.Status)
	assert.True(t, e.clock.Now().Equal(d.LinkSentAt))
	assert.True(t, e.clock.Now().Add(e.portal.Config().ActivationTTL).Equal(d.LinkExpiresAt))
	assert.Empty(t, d.Messages)

	_, err = e.portal.BackOffice().PayerDetail(e.ctx, otherBiller(t, e), e.house.Payer.ID)
	assert.ErrorIs(t, err, domain.ErrNotFound, "another biller's payer")
}

func TestPayerDetailFindsOldMessagesBehindOthers(t *testing.T) {
	e := newEnv(t)
	old := portstest.NewMessage(t, e.house.Account, "Ancienne question", portstest.Epoch.Add(-time.Hour))
	portstest.MustSaveMessage(t, e.store, old)
	acc := portstest.NewAccount(t, e.newbie)
	portstest.MustSaveAccount(t, e.store, acc)
	for i := range 1100 { // more than the biller's latest messages a scan would read
		portstest.MustSaveMessage(t, e.store, portstest.NewMessage(t, acc, "Autre", portstest.Epoch.Add(time.Duration(i)*time.Minute)))
	}
	d, err := e.portal.BackOffice().PayerDetail(e.ctx, agent(e, domain.RoleReader), e.house.Payer.ID)
	require.NoError(t, err)
	require.Len(t, d.Messages, 1)
	assert.Equal(t, old.ID, d.Messages[0].ID)
	d, err = e.portal.BackOffice().PayerDetail(e.ctx, agent(e, domain.RoleReader), e.newbie.ID)
	require.NoError(t, err)
	assert.Len(t, d.Messages, 20, "the latest 20")
	assert.Equal(t, "Autre", d.Messages[0].Subject)
}

func TestResendActivation(t *testing.T) {
	e := newEnv(t)
	manager := agent(e, domain.RoleManager)
	assert.ErrorIs(t, e.portal.BackOffice().ResendActivation(e.ctx, agent(e, domain.RoleReader), e.newbie.ID), ports.ErrReadOnly)
	assert.ErrorIs(t, e.portal.BackOffice().ResendActivation(e.ctx, otherBiller(t, e), e.newbie.ID), domain.ErrNotFound)
	assert.Empty(t, e.mails.Mails())

	err := e.portal.BackOffice().ResendActivation(e.ctx, manager, e.house.Payer.ID)
	assert.ErrorIs(t, err, ports.ErrAlreadyActive)
	assert.Equal(t, domain.Conflict, domain.ErrorCode(err))
	assert.Contains(t, domain.ErrorMessage(err), "déjà activé")

	require.NoError(t, e.portal.BackOffice().ResendActivation(e.ctx, manager, e.newbie.ID), "a payer without an account gets one")
	_, first := e.linkIn(t, "ref002@exemple.fr")
	require.NoError(t, e.portal.BackOffice().ResendActivation(e.ctx, manager, e.newbie.ID))
	_, second := e.linkIn(t, "ref002@exemple.fr")
	assert.ErrorIs(t, e.portal.CitizenAccounts().SetPassword(e.ctx, e.biller(), first, "nouveau-mdp", "nouveau-mdp"), domain.ErrTokenRevoked)
	require.NoError(t, e.portal.CitizenAccounts().SetPassword(e.ctx, e.biller(), second, "nouveau-mdp", "nouveau-mdp"))

	ev := auditTrail(t, e, domain.AuditActivationResent)
	require.Len(t, ev, 2)
	assert.Equal(t, domain.ActorStaff, ev[0].Actor)
	assert.Equal(t, "REF002 – ref002@exemple.fr", ev[0].Target)
	assert.Empty(t, auditTrail(t, e, domain.AuditActivationSent), "the staff's action, not the citizen's")
	assert.ErrorIs(t, e.portal.BackOffice().ResendActivation(e.ctx, manager, e.newbie.ID), ports.ErrAlreadyActive)
}

func TestResendActivationFollowsThePayersAddress(t *testing.T) {
	e := newEnv(t)
	manager := agent(e, domain.RoleManager)
	require.NoError(t, e.portal.BackOffice().ResendActivation(e.ctx, manager, e.newbie.ID))
	payer := e.newbie
	payer.Email = "nouvelle@exemple.fr"
	require.NoError(t, e.store.SavePayer(e.ctx, payer))
	require.NoError(t, e.portal.BackOffice().ResendActivation(e.ctx, manager, e.newbie.ID))
	_, secret := e.linkIn(t, "nouvelle@exemple.fr")
	info, err := e.portal.CitizenAccounts().CheckPasswordLink(e.ctx, e.biller(), secret)
	require.NoError(t, err)
	assert.Equal(t, "nouvelle@exemple.fr", info.Email)

	silent := portstest.NewPayer(t, e.house.Biller, "REF003")
	silent.Email = ""
	require.NoError(t, e.store.SavePayer(e.ctx, silent))
	assert.ErrorIs(t, e.portal.BackOffice().ResendActivation(e.ctx, manager, silent.ID), ports.ErrNoPayerEmail)
}
