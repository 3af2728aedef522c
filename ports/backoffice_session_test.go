package ports_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

const staffPassword = "un mot de passe d'agent"

// addStaff adds a staff member of the env's biller and returns its actor
// as a login would.
func (e *env) addStaff(t *testing.T, email string, role domain.StaffRole) ports.Actor {
	t.Helper()
	_, _, err := e.portal.Operator().AddStaff(e.ctx, ports.StaffInput{BillerID: e.biller(), Email: email, Role: role, Password: staffPassword})
	require.NoError(t, err)
	_, _, a, err := e.portal.BackOffice().StaffLogin(e.ctx, e.biller(), email, staffPassword, "")
	require.NoError(t, err)
	return a
}

func TestAddStaff(t *testing.T) {
	e := newEnv(t)
	t.Run("a short password is refused", func(t *testing.T) {
		_, _, err := e.portal.Operator().AddStaff(e.ctx, ports.StaffInput{BillerID: e.biller(), Email: "a@ville.fr", Role: domain.RoleManager, Password: "court"})
		assert.Equal(t, "password", domain.ErrorField(err))
	})
	t.Run("an unknown biller is NotFound", func(t *testing.T) {
		_, _, err := e.portal.Operator().AddStaff(e.ctx, ports.StaffInput{BillerID: uuid.New(), Email: "a@ville.fr", Role: domain.RoleManager, Password: staffPassword})
		assert.Equal(t, domain.NotFound, domain.ErrorCode(err))
	})
	t.Run("an unknown role is refused", func(t *testing.T) {
		_, _, err := e.portal.Operator().AddStaff(e.ctx, ports.StaffInput{BillerID: e.biller(), Email: "a@ville.fr", Role: "chef", Password: staffPassword})
		assert.Equal(t, "role", domain.ErrorField(err))
	})
	t.Run("adding the same address again updates it", func(t *testing.T) {
		st, created, err := e.portal.Operator().AddStaff(e.ctx, ports.StaffInput{BillerID: e.biller(), Email: "Agent@Ville.fr", Role: domain.RoleManager, Password: staffPassword})
		require.NoError(t, err)
		assert.True(t, created)
		again, created, err := e.portal.Operator().AddStaff(e.ctx, ports.StaffInput{BillerID: e.biller(), Email: "agent@ville.fr", Role: domain.RoleReader, Password: staffPassword + "2"})
		require.NoError(t, err)
		assert.False(t, created)
		assert.Equal(t, st.ID, again.ID)
		assert.Equal(t, domain.RoleReader, again.Role)
		list, err := e.store.StaffMembers(e.ctx, e.biller())
		require.NoError(t, err)
		assert.Len(t, list, 1)
	})
}

func TestStaffSessions(t *testing.T) {
	t.Run("login, authenticate, logout, each audited", func(t *testing.T) {
		e := newEnv(t)
		_, _, err := e.portal.Operator().AddStaff(e.ctx, ports.StaffInput{BillerID: e.biller(), Email: "agent@ville.fr", Role: domain.RoleManager, Password: staffPassword})
		require.NoError(t, err)
		ctx := ports.WithClientIP(e.ctx, "192.0.2.7")
		e.advance(time.Second)
		_, _, _, err = e.portal.BackOffice().StaffLogin(ctx, e.biller(), "agent@ville.fr", "faux", "")
		assert.Equal(t, ports.ErrStaffCredentials, err)
		e.advance(time.Second)
		secret, s, a, err := e.portal.BackOffice().StaffLogin(ctx, e.biller(), "AGENT@ville.fr", staffPassword, "")
		require.NoError(t, err)
		assert.True(t, s.Staff)
		assert.Equal(t, e.clock.Now().Add(8*time.Hour), s.ExpiresAt)
		assert.Equal(t, domain.ActorStaff, a.Kind)
		assert.Equal(t, "192.0.2.7", a.IP)

		_, got, err := e.portal.BackOffice().AuthenticateStaff(ctx, secret)
		require.NoError(t, err)
		assert.Equal(t, a, got)
		_, _, err = e.portal.CitizenAccounts().Authenticate(ctx, secret)
		assert.Equal(t, domain.Unauthenticated, domain.ErrorCode(err), "a staff session is no citizen session")

		e.advance(time.Second)
		require.NoError(t, e.portal.BackOffice().StaffLogout(ctx, secret, a))
		_, _, err = e.portal.BackOffice().AuthenticateStaff(ctx, secret)
		assert.Equal(t, domain.Unauthenticated, domain.ErrorCode(err))

		events, _, err := e.store.AuditEvents(e.ctx, ports.AuditQuery{BillerID: e.biller(), Action: "staff."})
		require.NoError(t, err)
		var actions []domain.AuditAction
		for _, ev := range events {
			actions = append(actions, ev.Action)
			if ev.Action != domain.AuditStaffCreated {
				assert.Equal(t, "192.0.2.7", ev.IP, "%s", ev.Action)
			}
		}
		assert.Equal(t, []domain.AuditAction{domain.AuditStaffLogout, domain.AuditStaffLogin, domain.AuditStaffLoginFailed, domain.AuditStaffCreated}, actions)
	})

	t.Run("a citizen's session does not authenticate staff", func(t *testing.T) {
		e := newEnv(t)
		secret, _, err := e.portal.CitizenAccounts().Login(e.ctx, e.biller(), e.house.Account.Email, password, false, "")
		require.NoError(t, err)
		_, _, err = e.portal.BackOffice().AuthenticateStaff(e.ctx, secret)
		assert.Equal(t, domain.Unauthenticated, domain.ErrorCode(err))
	})

	t.Run("a session expires after its time, and a disabled member is out at once", func(t *testing.T) {
		e := newEnv(t)
		e.addStaff(t, "agent@ville.fr", domain.RoleManager)
		secret, _, _, err := e.portal.BackOffice().StaffLogin(e.ctx, e.biller(), "agent@ville.fr", staffPassword, "")
		require.NoError(t, err)
		e.advance(8*time.Hour - time.Second)
		_, _, err = e.portal.BackOffice().AuthenticateStaff(e.ctx, secret)
		require.NoError(t, err)
		e.advance(time.Second)
		_, _, err = e.portal.BackOffice().AuthenticateStaff(e.ctx, secret)
		assert.Equal(t, domain.Unauthenticated, domain.ErrorCode(err))

		secret, _, _, err = e.portal.BackOffice().StaffLogin(e.ctx, e.biller(), "agent@ville.fr", staffPassword, "")
		require.NoError(t, err)
		require.NoError(t, e.portal.Operator().DisableStaff(e.ctx, e.biller(), "agent@ville.fr"))
		_, _, err = e.portal.BackOffice().AuthenticateStaff(e.ctx, secret)
		assert.Equal(t, domain.Unauthenticated, domain.ErrorCode(err))
		_, _, _, err = e.portal.BackOffice().StaffLogin(e.ctx, e.biller(), "agent@ville.fr", staffPassword, "")
		assert.Equal(t, ports.ErrStaffCredentials, err)
	})
}

func TestStaffBoard(t *testing.T) {
	e := newEnv(t)
	a := e.addStaff(t, "agent@ville.fr", domain.RoleReader)
	ids := e.invoiceIDs(1)
	require.NoError(t, e.portal.Citizens().DeclarePaid(e.ctx, e.citizen, ids[0]))
	e.setBiller(t, func(b *domain.Biller) {
		b.Suspension = domain.Suspension{Active: true, From: e.clock.Now().Add(time.Hour)}
	})
	board, err := e.portal.BackOffice().StaffBoard(e.ctx, a)
	require.NoError(t, err)
	assert.Equal(t, 1, board.DeclaredInvoices)
	assert.True(t, board.SuspensionPlanned)
	assert.False(t, board.SuspendedNow)
	e.advance(time.Hour)
	board, err = e.portal.BackOffice().StaffBoard(e.ctx, a)
	require.NoError(t, err)
	assert.True(t, board.SuspendedNow)

	_, err = e.portal.BackOffice().StaffBoard(e.ctx, ports.Actor{Kind: domain.ActorStaff, BillerID: uuid.New(), Role: domain.RoleManager})
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err), "an actor sees its own biller only")
	_, err = e.portal.BackOffice().StaffBoard(e.ctx, ports.Actor{Kind: domain.ActorCitizen, BillerID: e.biller()})
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err), "a citizen is no staff")
}

func TestSiteURL(t *testing.T) {
	e := newEnv(t)
	b := e.house.Biller
	assert.Equal(t, "https://factures.testville.fr", e.portal.SiteURL(b))
	b.Hosts = []string{"factures.autre.fr", "autre.fr"}
	assert.Equal(t, "https://factures.autre.fr", e.portal.SiteURL(b))
}
