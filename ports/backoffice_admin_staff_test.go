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
	"github.com/portail-factures/portail/ports/portstest"
)

const newStaffPassword = "un tout nouveau mot de passe"

// staffByEmail reads a member of the env's biller.
func (e *env) staffByEmail(t *testing.T, email string) domain.Staff {
	t.Helper()
	st, err := e.store.StaffByEmail(e.ctx, e.biller(), email)
	require.NoError(t, err)
	return st
}

// otherBillerStaff adds a second biller with a member and returns it.
func (e *env) otherBillerStaff(t *testing.T) domain.Staff {
	t.Helper()
	b := portstest.NewBiller(t)
	portstest.MustSaveBiller(t, e.store, b)
	st, _, err := e.portal.Operator().AddStaff(e.ctx, ports.StaffInput{BillerID: b.ID, Email: "ailleurs@autreville.fr", Role: domain.RoleAdmin, Password: staffPassword})
	require.NoError(t, err)
	return st
}

// staffAudit lists the biller's audit events of action, newest first.
func (e *env) staffAudit(t *testing.T, action domain.AuditAction) []domain.AuditEvent {
	t.Helper()
	events, _, err := e.store.AuditEvents(e.ctx, ports.AuditQuery{BillerID: e.biller(), Action: action})
	require.NoError(t, err)
	return events
}

func TestAddStaffMember(t *testing.T) {
	e := newEnv(t)
	admin := e.addStaff(t, "admin@ville.fr", domain.RoleAdmin)
	manager := e.addStaff(t, "gestion@ville.fr", domain.RoleManager)
	reader := e.addStaff(t, "lecture@ville.fr", domain.RoleReader)

	t.Run("an administrator invites a member, who chooses a password by the link", func(t *testing.T) {
		st, err := e.portal.BackOfficeAdmin().AddStaffMember(e.ctx, admin, ports.StaffMemberInput{Email: " Nouvel@Ville.fr ", Name: "Nouvel Agent", Role: domain.RoleReader})
		require.NoError(t, err)
		assert.Equal(t, "nouvel@ville.fr", st.Email)
		assert.Equal(t, e.biller(), st.BillerID)
		assert.False(t, st.HasPassword(), "no password is made up or shown")
		assert.Equal(t, "Mot de passe à choisir", st.StateLabel())

		mails := e.mails.To("nouvel@ville.fr")
		require.Len(t, mails, 1)
		assert.Equal(t, "Gestion du portail des factures : votre accès", mails[0].Subject)
		assert.Contains(t, mails[0].Text, "avec le rôle « Lecture seule »")
		assert.Contains(t, mails[0].Text, "valable 2 jours")
		assert.Contains(t, mails[0].Text, "https://factures.testville.fr/gestion/connexion")
		assert.Contains(t, mails[0].HTML, "Lecture seule")
		path, secret := e.linkIn(t, "nouvel@ville.fr")
		assert.Equal(t, ports.PathStaffSetPassword, path)

		for _, pw := range []string{"", "portail-des-factures"} {
			_, _, _, err = e.portal.BackOffice().StaffLogin(e.ctx, e.biller(), "nouvel@ville.fr", pw, "")
			assert.Equal(t, ports.ErrStaffCredentials, err, "no login before a password is chosen (%q)", pw)
		}
		info, err := e.portal.BackOfficeAdmin().CheckStaffPasswordLink(e.ctx, e.biller(), secret)
		require.NoError(t, err)
		assert.Equal(t, ports.LinkInfo{Email: "nouvel@ville.fr", Purpose: domain.TokenStaffInvite, MinPasswordLength: 12}, info)

		err = e.portal.BackOfficeAdmin().ResetStaffPassword(e.ctx, e.biller(), secret, "court", "court")
		assert.Equal(t, "password", domain.ErrorField(err))
		err = e.portal.BackOfficeAdmin().ResetStaffPassword(e.ctx, e.biller(), secret, newStaffPassword, "autre chose")
		assert.Equal(t, "confirm", domain.ErrorField(err))
		require.NoError(t, e.portal.BackOfficeAdmin().ResetStaffPassword(e.ctx, e.biller(), secret, newStaffPassword, newStaffPassword))
		_, _, a, err := e.portal.BackOffice().StaffLogin(e.ctx, e.biller(), "nouvel@ville.fr", newStaffPassword, "")
		require.NoError(t, err)
		assert.Equal(t, domain.RoleReader, a.Role)
		assert.Equal(t, domain.ErrTokenUsed, e.portal.BackOfficeAdmin().ResetStaffPassword(e.ctx, e.biller(), secret, newStaffPassword, newStaffPassword),
			"a link serves once")

		events := e.staffAudit(t, domain.AuditStaffInvited)
		require.Len(t, events, 1)
		assert.Equal(t, "admin@ville.fr", events[0].ActorLabel)
		assert.Equal(t, "nouvel@ville.fr", events[0].Target)
		assert.Equal(t, "Agent invité", events[0].Action.Label())
		set := e.staffAudit(t, domain.AuditStaffPasswordSet)
		require.Len(t, set, 1)
		assert.Equal(t, "nouvel@ville.fr", set[0].ActorLabel)
	})

	t.Run("a gestionnaire, a lecture or an API key is Forbidden", func(t *testing.T) {
		api := ports.Actor{Kind: domain.ActorAPI, BillerID: e.biller(), ID: uuid.New(), Label: "Logiciel de facturation"}
		for _, a := range []ports.Actor{manager, reader, api} {
			_, err := e.portal.BackOfficeAdmin().AddStaffMember(e.ctx, a, ports.StaffMemberInput{Email: "intrus@ville.fr", Role: domain.RoleAdmin})
			assert.Equal(t, domain.Forbidden, domain.ErrorCode(err), a.Label)
			assert.Equal(t, domain.ErrStaffAdminOnly, err)
		}
		_, err := e.store.StaffByEmail(e.ctx, e.biller(), "intrus@ville.fr")
		assert.Equal(t, domain.NotFound, domain.ErrorCode(err))
		assert.Empty(t, e.mails.To("intrus@ville.fr"))
	})

	t.Run("an administrator of another biller finds nothing here", func(t *testing.T) {
		other := admin
		other.BillerID = uuid.New()
		_, err := e.portal.BackOfficeAdmin().AddStaffMember(e.ctx, other, ports.StaffMemberInput{Email: "intrus@ville.fr", Role: domain.RoleAdmin})
		assert.Equal(t, domain.NotFound, domain.ErrorCode(err))
	})

	t.Run("bad input is refused beside its field", func(t *testing.T) {
		_, err := e.portal.BackOfficeAdmin().AddStaffMember(e.ctx, admin, ports.StaffMemberInput{Email: "pas-une-adresse", Role: domain.RoleManager})
		assert.Equal(t, "email", domain.ErrorField(err))
		_, err = e.portal.BackOfficeAdmin().AddStaffMember(e.ctx, admin, ports.StaffMemberInput{Email: "chef@ville.fr", Role: "chef"})
		assert.Equal(t, "role", domain.ErrorField(err))
		_, err = e.portal.BackOfficeAdmin().AddStaffMember(e.ctx, admin, ports.StaffMemberInput{Email: "gestion@ville.fr", Role: domain.RoleReader})
		assert.Equal(t, domain.Conflict, domain.ErrorCode(err))
		assert.Equal(t, "email", domain.ErrorField(err))
		assert.Equal(t, domain.RoleManager, e.staffByEmail(t, "gestion@ville.fr").Role, "an active member is not changed")
	})
}

func TestDisableStaffMember(t *testing.T) {
	e := newEnv(t)
	admin := e.addStaff(t, "admin@ville.fr", domain.RoleAdmin)
	second := e.addStaff(t, "admin2@ville.fr", domain.RoleAdmin)
	manager := e.addStaff(t, "gestion@ville.fr", domain.RoleManager)
	reader := e.addStaff(t, "lecture@ville.fr", domain.RoleReader)
	stranger := e.otherBillerStaff(t)

	t.Run("a gestionnaire or a lecture is Forbidden", func(t *testing.T) {
		for _, a := range []ports.Actor{manager, reader} {
			_, err := e.portal.BackOfficeAdmin().DisableStaffMember(e.ctx, a, second.ID)
			assert.Equal(t, domain.Forbidden, domain.ErrorCode(err), a.Label)
			_, err = e.portal.BackOfficeAdmin().StaffMember(e.ctx, a, second.ID)
			assert.Equal(t, domain.Forbidden, domain.ErrorCode(err), a.Label)
		}
		assert.False(t, e.staffByEmail(t, "admin2@ville.fr").Disabled)
	})
	t.Run("another biller's member is NotFound", func(t *testing.T) {
		_, err := e.portal.BackOfficeAdmin().DisableStaffMember(e.ctx, admin, stranger.ID)
		assert.Equal(t, domain.NotFound, domain.ErrorCode(err))
		_, err = e.portal.BackOfficeAdmin().StaffMember(e.ctx, admin, stranger.ID)
		assert.Equal(t, domain.NotFound, domain.ErrorCode(err))
		_, err = e.portal.BackOfficeAdmin().DisableStaffMember(e.ctx, admin, uuid.New())
		assert.Equal(t, domain.NotFound, domain.ErrorCode(err))
	})
	t.Run("an administrator cannot disable themselves", func(t *testing.T) {
		_, err := e.portal.BackOfficeAdmin().DisableStaffMember(e.ctx, admin, admin.ID)
		assert.Equal(t, domain.Conflict, domain.ErrorCode(err))
		assert.Contains(t, domain.ErrorMessage(err), "votre propre compte")
	})
	t.Run("a disabled member is out at once and their links die", func(t *testing.T) {
		secret, _, _, err := e.portal.BackOffice().StaffLogin(e.ctx, e.biller(), "gestion@ville.fr", staffPassword, "")
		require.NoError(t, err)
		require.NoError(t, e.portal.BackOfficeAdmin().RequestStaffPasswordReset(e.ctx, e.biller(), "gestion@ville.fr"))
		_, link := e.linkIn(t, "gestion@ville.fr")

		st, err := e.portal.BackOfficeAdmin().DisableStaffMember(e.ctx, admin, manager.ID)
		require.NoError(t, err)
		assert.True(t, st.Disabled)
		_, _, err = e.portal.BackOffice().AuthenticateStaff(e.ctx, secret)
		assert.Equal(t, domain.Unauthenticated, domain.ErrorCode(err), "their session ended")
		_, _, _, err = e.portal.BackOffice().StaffLogin(e.ctx, e.biller(), "gestion@ville.fr", staffPassword, "")
		assert.Equal(t, ports.ErrStaffCredentials, err)
		_, err = e.portal.BackOfficeAdmin().CheckStaffPasswordLink(e.ctx, e.biller(), link)
		assert.Equal(t, domain.ErrTokenUnknown, err, "a disabled member's link opens nothing")

		_, err = e.portal.BackOfficeAdmin().DisableStaffMember(e.ctx, admin, manager.ID)
		assert.Equal(t, domain.Conflict, domain.ErrorCode(err), "disabled once")
		events := e.staffAudit(t, domain.AuditStaffDisabled)
		require.Len(t, events, 1)
		assert.Equal(t, "admin@ville.fr", events[0].ActorLabel)
		assert.Equal(t, "gestion@ville.fr", events[0].Target)
	})
	t.Run("two administrators disabling each other: the last active administrator stays", func(t *testing.T) {
		// second's session was opened before admin disabled them: the
		// use case reads second's record afresh, under the biller's lock.
		_, err := e.portal.BackOfficeAdmin().DisableStaffMember(e.ctx, admin, second.ID)
		require.NoError(t, err)
		_, err = e.portal.BackOfficeAdmin().DisableStaffMember(e.ctx, second, admin.ID)
		assert.Equal(t, domain.ErrStaffAdminOnly, err)
		assert.False(t, e.staffByEmail(t, "admin@ville.fr").Disabled)
	})
	t.Run("a disabled member added again comes back with a new role and chooses a new password", func(t *testing.T) {
		st, err := e.portal.BackOfficeAdmin().AddStaffMember(e.ctx, admin, ports.StaffMemberInput{Email: "gestion@ville.fr", Role: domain.RoleReader})
		require.NoError(t, err)
		assert.Equal(t, manager.ID, st.ID)
		assert.False(t, st.Disabled)
		assert.Equal(t, domain.RoleReader, st.Role)
		_, _, _, err = e.portal.BackOffice().StaffLogin(e.ctx, e.biller(), "gestion@ville.fr", staffPassword, "")
		assert.Equal(t, ports.ErrStaffCredentials, err, "the old password no longer opens")
		mails := e.mails.To("gestion@ville.fr")
		assert.Contains(t, mails[len(mails)-1].Subject, "votre accès")
	})
}

func TestResetStaffMember(t *testing.T) {
	e := newEnv(t)
	admin := e.addStaff(t, "admin@ville.fr", domain.RoleAdmin)
	manager := e.addStaff(t, "gestion@ville.fr", domain.RoleManager)
	reader := e.addStaff(t, "lecture@ville.fr", domain.RoleReader)
	stranger := e.otherBillerStaff(t)

	t.Run("refused to others than an administrator, for another biller, for oneself", func(t *testing.T) {
		for _, a := range []ports.Actor{manager, reader} {
			_, err := e.portal.BackOfficeAdmin().ResetStaffMember(e.ctx, a, admin.ID)
			assert.Equal(t, domain.Forbidden, domain.ErrorCode(err), a.Label)
		}
		_, err := e.portal.BackOfficeAdmin().ResetStaffMember(e.ctx, admin, stranger.ID)
		assert.Equal(t, domain.NotFound, domain.ErrorCode(err))
		_, err = e.portal.BackOfficeAdmin().ResetStaffMember(e.ctx, admin, admin.ID)
		assert.Equal(t, domain.Conflict, domain.ErrorCode(err))
		assert.Empty(t, e.mails.Mails())
	})
	t.Run("the password stops working, sessions end, a link comes by mail", func(t *testing.T) {
		secret, _, _, err := e.portal.BackOffice().StaffLogin(e.ctx, e.biller(), "lecture@ville.fr", staffPassword, "")
		require.NoError(t, err)
		_, err = e.portal.BackOfficeAdmin().ResetStaffMember(e.ctx, admin, reader.ID)
		require.NoError(t, err)
		_, _, err = e.portal.BackOffice().AuthenticateStaff(e.ctx, secret)
		assert.Equal(t, domain.Unauthenticated, domain.ErrorCode(err))
		_, _, _, err = e.portal.BackOffice().StaffLogin(e.ctx, e.biller(), "lecture@ville.fr", staffPassword, "")
		assert.Equal(t, ports.ErrStaffCredentials, err)

		mails := e.mails.To("lecture@ville.fr")
		require.Len(t, mails, 1)
		assert.Contains(t, mails[0].Text, "a réinitialisé votre mot de passe")
		assert.Contains(t, mails[0].Text, "valable 1 heure")
		_, first := e.linkIn(t, "lecture@ville.fr")

		e.advance(time.Minute)
		_, err = e.portal.BackOfficeAdmin().ResetStaffMember(e.ctx, admin, reader.ID)
		require.NoError(t, err)
		_, second := e.linkIn(t, "lecture@ville.fr")
		_, err = e.portal.BackOfficeAdmin().CheckStaffPasswordLink(e.ctx, e.biller(), first)
		assert.Equal(t, domain.ErrTokenRevoked, err, "a newer link revokes the older")

		e.advance(time.Hour)
		_, err = e.portal.BackOfficeAdmin().CheckStaffPasswordLink(e.ctx, e.biller(), second)
		assert.Equal(t, domain.ErrTokenExpired, err)
		assert.Equal(t, domain.ErrTokenExpired, e.portal.BackOfficeAdmin().ResetStaffPassword(e.ctx, e.biller(), second, newStaffPassword, newStaffPassword))

		events := e.staffAudit(t, domain.AuditStaffReset)
		require.Len(t, events, 2)
		assert.Equal(t, "admin@ville.fr", events[0].ActorLabel)
		assert.Equal(t, "Mot de passe d'agent réinitialisé", events[0].Action.Label())
	})
	t.Run("a member who never chose a password gets their invitation again", func(t *testing.T) {
		st, err := e.portal.BackOfficeAdmin().AddStaffMember(e.ctx, admin, ports.StaffMemberInput{Email: "invite@ville.fr", Role: domain.RoleManager})
		require.NoError(t, err)
		_, first := e.linkIn(t, "invite@ville.fr")
		_, err = e.portal.BackOfficeAdmin().ResetStaffMember(e.ctx, admin, st.ID)
		require.NoError(t, err)
		mails := e.mails.To("invite@ville.fr")
		require.Len(t, mails, 2)
		assert.Equal(t, "Gestion du portail des factures : votre accès", mails[1].Subject)
		_, again := e.linkIn(t, "invite@ville.fr")
		_, err = e.portal.BackOfficeAdmin().CheckStaffPasswordLink(e.ctx, e.biller(), first)
		assert.Equal(t, domain.ErrTokenRevoked, err)
		info, err := e.portal.BackOfficeAdmin().CheckStaffPasswordLink(e.ctx, e.biller(), again)
		require.NoError(t, err)
		assert.Equal(t, domain.TokenStaffInvite, info.Purpose)
	})
	t.Run("a disabled member is not reset", func(t *testing.T) {
		_, err := e.portal.BackOfficeAdmin().DisableStaffMember(e.ctx, admin, manager.ID)
		require.NoError(t, err)
		_, err = e.portal.BackOfficeAdmin().ResetStaffMember(e.ctx, admin, manager.ID)
		assert.Equal(t, domain.Conflict, domain.ErrorCode(err))
	})
}

func TestStaffForgottenPassword(t *testing.T) {
	e := newEnv(t)
	e.addStaff(t, "gestion@ville.fr", domain.RoleManager)
	off := e.addStaff(t, "parti@ville.fr", domain.RoleManager)
	admin := e.addStaff(t, "admin@ville.fr", domain.RoleAdmin)
	_, err := e.portal.BackOfficeAdmin().DisableStaffMember(e.ctx, admin, off.ID)
	require.NoError(t, err)
	stranger := e.otherBillerStaff(t)

	t.Run("the same answer whatever the address, and a mail only to an active member", func(t *testing.T) {
		for _, addr := range []string{"inconnu@ville.fr", "parti@ville.fr", stranger.Email, e.house.Account.Email} {
			require.NoError(t, e.portal.BackOfficeAdmin().RequestStaffPasswordReset(e.ctx, e.biller(), addr), addr)
			assert.Empty(t, e.mails.To(addr), addr)
		}
		err := e.portal.BackOfficeAdmin().RequestStaffPasswordReset(e.ctx, e.biller(), "pas-une-adresse")
		assert.Equal(t, "email", domain.ErrorField(err), "only a malformed address is refused")
		assert.Empty(t, e.staffAudit(t, domain.AuditStaffResetSent))
	})

	t.Run("an active member chooses a new password once, before the link expires", func(t *testing.T) {
		before, _, _, err := e.portal.BackOffice().StaffLogin(e.ctx, e.biller(), "gestion@ville.fr", staffPassword, "")
		require.NoError(t, err)
		require.NoError(t, e.portal.BackOfficeAdmin().RequestStaffPasswordReset(e.ctx, e.biller(), " GESTION@ville.fr "))
		mails := e.mails.To("gestion@ville.fr")
		require.Len(t, mails, 1)
		assert.Equal(t, "Gestion du portail des factures : choisir un nouveau mot de passe", mails[0].Subject)
		assert.Contains(t, mails[0].Text, "votre mot de passe actuel reste valable")
		_, secret := e.linkIn(t, "gestion@ville.fr")
		_, _, _, err = e.portal.BackOffice().StaffLogin(e.ctx, e.biller(), "gestion@ville.fr", staffPassword, "")
		require.NoError(t, err, "asking for a link changes nothing yet")

		_, err = e.portal.CitizenAccounts().CheckPasswordLink(e.ctx, e.biller(), secret)
		assert.Equal(t, domain.ErrTokenUnknown, err, "a staff link is no citizen's link")
		_, err = e.portal.BackOfficeAdmin().CheckStaffPasswordLink(e.ctx, stranger.BillerID, secret)
		assert.Equal(t, domain.ErrTokenUnknown, err, "nor another biller's")

		e.advance(59 * time.Minute)
		require.NoError(t, e.portal.BackOfficeAdmin().ResetStaffPassword(e.ctx, e.biller(), secret, newStaffPassword, newStaffPassword))
		_, _, err = e.portal.BackOffice().AuthenticateStaff(e.ctx, before)
		assert.Equal(t, domain.Unauthenticated, domain.ErrorCode(err), "the sessions opened before end")
		_, _, _, err = e.portal.BackOffice().StaffLogin(e.ctx, e.biller(), "gestion@ville.fr", newStaffPassword, "")
		require.NoError(t, err)
		assert.Equal(t, domain.ErrTokenUsed, e.portal.BackOfficeAdmin().ResetStaffPassword(e.ctx, e.biller(), secret, "encore un mot de passe", "encore un mot de passe"))

		require.NoError(t, e.portal.BackOfficeAdmin().RequestStaffPasswordReset(e.ctx, e.biller(), "gestion@ville.fr"))
		_, late := e.linkIn(t, "gestion@ville.fr")
		e.advance(time.Hour)
		_, err = e.portal.BackOfficeAdmin().CheckStaffPasswordLink(e.ctx, e.biller(), late)
		assert.Equal(t, domain.ErrTokenExpired, err, "a reset link lives an hour, as a citizen's")

		sent := e.staffAudit(t, domain.AuditStaffResetSent)
		require.Len(t, sent, 2)
		assert.Equal(t, "gestion@ville.fr", sent[0].Target)
	})

	t.Run("a citizen's link is no staff link", func(t *testing.T) {
		require.NoError(t, e.portal.CitizenAccounts().RequestPasswordReset(e.ctx, e.biller(), e.house.Account.Email))
		_, secret := e.linkIn(t, e.house.Account.Email)
		_, err := e.portal.BackOfficeAdmin().CheckStaffPasswordLink(e.ctx, e.biller(), secret)
		assert.Equal(t, domain.ErrTokenUnknown, err)
		assert.Equal(t, domain.ErrTokenUnknown, e.portal.BackOfficeAdmin().ResetStaffPassword(e.ctx, e.biller(), secret, newStaffPassword, newStaffPassword))
		assert.False(t, strings.Contains(secret, " "))
	})
}
