package postgres_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// Two administrators disabling each other at the same moment, from two
// connections: one succeeds, the biller keeps an active administrator.
func TestAdministratorsDisablingEachOtherKeepOne(t *testing.T) {
	e := newPayEnv(t)
	biller := e.house.Biller.ID
	const password = "un mot de passe d'administrateur"
	for round := range 5 {
		var actors [2]ports.Actor
		for i := range actors {
			email := fmt.Sprintf("admin%d-%d@testville.fr", round, i)
			_, _, err := e.portal.Operator().AddStaff(e.ctx, ports.StaffInput{BillerID: biller, Email: email, Role: domain.RoleAdmin, Password: password})
			require.NoError(t, err)
			_, _, actors[i], err = e.portal.BackOffice().StaffLogin(e.ctx, biller, email, password, "")
			require.NoError(t, err)
		}
		var wg sync.WaitGroup
		var errs [2]error
		for i := range actors {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = e.portal.BackOfficeAdmin().DisableStaffMember(e.ctx, actors[i], actors[1-i].ID)
			}()
		}
		wg.Wait()
		ok := 0
		for i, err := range errs {
			if err == nil {
				ok++
				continue
			}
			assert.Contains(t, []domain.Code{domain.Forbidden, domain.Conflict}, domain.ErrorCode(err), "round %d, admin %d: %v", round, i, err)
		}
		assert.Equal(t, 1, ok, "round %d: exactly one of the two is disabled", round)
		active := 0
		for _, a := range actors {
			st, err := e.db.Staff(e.ctx, a.ID)
			require.NoError(t, err)
			if !st.Disabled {
				active++
			}
		}
		assert.Equal(t, 1, active, "round %d", round)
	}
}
