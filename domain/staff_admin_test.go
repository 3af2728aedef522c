package domain_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
)

func staffOf(t *testing.T, biller uuid.UUID, email string, role domain.StaffRole) domain.Staff {
	t.Helper()
	st, err := domain.NewStaff(uuid.New(), biller, email, "", role, time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	st.PasswordHash = "hash"
	return st
}

func TestStaffRoleAdministrator(t *testing.T) {
	admin := domain.StaffRole("administrateur")
	assert.Equal(t, domain.RoleAdmin, admin)
	assert.True(t, admin.Valid())
	assert.True(t, admin.CanWrite(), "an administrator also manages the service's records")
	assert.True(t, admin.CanManageStaff())
	assert.Equal(t, "Administrateur", admin.Label())
	for _, r := range []domain.StaffRole{domain.RoleManager, domain.RoleReader, "chef"} {
		assert.False(t, r.CanManageStaff(), r)
	}
	_, err := domain.NewStaff(uuid.New(), uuid.New(), "a@ville.fr", "", "chef", time.Now())
	assert.Equal(t, "Le rôle doit être « administrateur », « gestionnaire » ou « lecture ».", domain.ErrorMessage(err))
}

func TestStaffState(t *testing.T) {
	st := staffOf(t, uuid.New(), "a@ville.fr", domain.RoleManager)
	assert.Equal(t, "Actif", st.StateLabel())
	st.PasswordHash = ""
	assert.Equal(t, "Mot de passe à choisir", st.StateLabel())
	st.Disabled = true
	assert.Equal(t, "Désactivé", st.StateLabel())
}

func TestStaffManagementRules(t *testing.T) {
	biller := uuid.New()
	admin := staffOf(t, biller, "admin@ville.fr", domain.RoleAdmin)
	other := staffOf(t, biller, "autre-admin@ville.fr", domain.RoleAdmin)
	manager := staffOf(t, biller, "gestion@ville.fr", domain.RoleManager)
	reader := staffOf(t, biller, "lecture@ville.fr", domain.RoleReader)
	stranger := staffOf(t, uuid.New(), "ailleurs@ville.fr", domain.RoleManager)
	members := []domain.Staff{admin, other, manager, reader}

	t.Run("an administrator disables a member of the biller", func(t *testing.T) {
		assert.NoError(t, admin.CheckDisable(manager, members))
		assert.NoError(t, admin.CheckDisable(other, members), "another administrator, while one stays")
	})
	t.Run("only an administrator manages staff", func(t *testing.T) {
		for _, by := range []domain.Staff{manager, reader} {
			err := by.CheckDisable(other, members)
			assert.Equal(t, domain.Forbidden, domain.ErrorCode(err))
			assert.Equal(t, domain.ErrStaffAdminOnly, err)
			assert.Equal(t, domain.ErrStaffAdminOnly, by.CheckReset(other))
		}
	})
	t.Run("another biller's member is not found", func(t *testing.T) {
		assert.Equal(t, domain.NotFound, domain.ErrorCode(admin.CheckDisable(stranger, members)))
		assert.Equal(t, domain.NotFound, domain.ErrorCode(admin.CheckReset(stranger)))
	})
	t.Run("an administrator cannot disable or reset themselves", func(t *testing.T) {
		err := admin.CheckDisable(admin, members)
		assert.Equal(t, domain.Conflict, domain.ErrorCode(err))
		assert.Equal(t, "Vous ne pouvez pas désactiver votre propre compte : demandez-le à un autre administrateur du service.", domain.ErrorMessage(err))
		err = admin.CheckReset(admin)
		assert.Equal(t, domain.Conflict, domain.ErrorCode(err))
		assert.Contains(t, domain.ErrorMessage(err), "« Changer mon mot de passe »")
	})
	t.Run("the last active administrator stays", func(t *testing.T) {
		disabled := other
		disabled.Disabled = true
		// An administrator whose record was read before another disabled them.
		err := other.CheckDisable(admin, []domain.Staff{admin, disabled, manager})
		assert.Equal(t, domain.Conflict, domain.ErrorCode(err))
		assert.Equal(t, "C'est le dernier administrateur actif du service : nommez d'abord un autre administrateur.", domain.ErrorMessage(err))
	})
	t.Run("a disabled member is disabled once; a disabled member is not reset", func(t *testing.T) {
		off := manager
		off.Disabled = true
		assert.Equal(t, domain.Conflict, domain.ErrorCode(admin.CheckDisable(off, members)))
		err := admin.CheckReset(off)
		assert.Equal(t, domain.Conflict, domain.ErrorCode(err))
		assert.Contains(t, domain.ErrorMessage(err), "désactivé")
	})
	t.Run("an address of an active member is taken; a disabled member comes back", func(t *testing.T) {
		err := admin.CheckAdd(manager, true)
		assert.Equal(t, domain.Conflict, domain.ErrorCode(err))
		assert.Equal(t, "email", domain.ErrorField(err))
		off := manager
		off.Disabled = true
		assert.NoError(t, admin.CheckAdd(off, true))
		assert.NoError(t, admin.CheckAdd(domain.Staff{}, false))
		assert.Equal(t, domain.ErrStaffAdminOnly, manager.CheckAdd(domain.Staff{}, false))
	})
	t.Run("a disabled administrator manages nothing", func(t *testing.T) {
		off := admin
		off.Disabled = true
		assert.Equal(t, domain.ErrStaffAdminOnly, off.CheckReset(manager))
	})
}

func TestStaffTokens(t *testing.T) {
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	for _, p := range []domain.TokenPurpose{domain.TokenStaffInvite, domain.TokenStaffReset} {
		assert.True(t, p.Valid(), p)
		assert.True(t, p.Staff(), p)
	}
	for _, p := range []domain.TokenPurpose{domain.TokenActivation, domain.TokenReset, domain.TokenEmailChange} {
		assert.False(t, p.Staff(), p)
	}
	random := make([]byte, domain.TokenBytes)
	tok, secret, err := domain.NewToken(random, uuid.New(), domain.TokenStaffReset, now, time.Hour)
	require.NoError(t, err)
	assert.Equal(t, domain.HashSecret(secret), tok.Hash)
	assert.Equal(t, domain.ErrTokenUnknown, tok.Check(domain.TokenReset, now), "a staff link is no citizen's link")
	require.NoError(t, tok.Use(domain.TokenStaffReset, now.Add(59*time.Minute)))
	assert.Equal(t, domain.ErrTokenUsed, tok.Use(domain.TokenStaffReset, now.Add(59*time.Minute)))
}
