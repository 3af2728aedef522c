package ports_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
)

func TestMailPreferencesAreOnByDefaultAndAudited(t *testing.T) {
	e := newEnv(t)
	prof, err := e.portal.Citizens().Profile(e.ctx, e.citizen)
	require.NoError(t, err)
	assert.True(t, prof.Notices)
	assert.True(t, prof.Reminders)

	require.NoError(t, e.portal.Citizens().SetMailPreferences(e.ctx, e.citizen, true, false))
	prof, err = e.portal.Citizens().Profile(e.ctx, e.citizen)
	require.NoError(t, err)
	assert.True(t, prof.Notices)
	assert.False(t, prof.Reminders)
	require.NoError(t, e.portal.Citizens().SetMailPreferences(e.ctx, e.citizen, true, false), "no change")
	require.NoError(t, e.portal.Citizens().SetMailPreferences(e.ctx, e.citizen, false, true))

	audits := e.audits(t, domain.AuditMailPreferences)
	require.Len(t, audits, 2, "a call that changes nothing writes nothing")
	// Newest first.
	assert.Equal(t, "Avis de nouvelle facture : désactivés ; rappels avant l'échéance : activés depuis « Mes informations ».", audits[0].Detail)
	assert.Equal(t, "Rappels avant l'échéance : désactivés depuis « Mes informations ».", audits[1].Detail)
}
