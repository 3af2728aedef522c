package ports_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

func TestAuditLogIsTheActorsBillersOnly(t *testing.T) {
	e := newEnv(t)
	reader := agent(e, domain.RoleReader)
	_, _, err := e.portal.CitizenAccounts().Login(e.ctx, e.biller(), "ref001@exemple.fr", "faux", false, "")
	require.Error(t, err)
	e.advance(time.Hour)
	_, _, err = e.portal.CitizenAccounts().Login(e.ctx, e.biller(), "ref001@exemple.fr", password, false, "")
	require.NoError(t, err)
	require.NoError(t, e.portal.Citizens().Contact(e.ctx, e.citizen, "Question", "Bonjour"))
	msgs, err := e.portal.BackOffice().Messages(e.ctx, reader, ports.MessageSearch{})
	require.NoError(t, err)
	e.advance(time.Hour)
	require.NoError(t, e.portal.BackOffice().MarkMessageHandled(e.ctx, agent(e, domain.RoleManager), msgs.Messages[0].ID))

	page, err := e.portal.BackOfficeAdmin().AuditLog(e.ctx, reader, ports.AuditQuery{})
	require.NoError(t, err)
	require.Equal(t, 3, page.Total)
	assert.Equal(t, ports.DefaultBackOfficePage, page.Limit)
	assert.Equal(t, domain.AuditMessageHandled, page.Events[0].Action, "newest first")

	for name, c := range map[string]struct {
		q    ports.AuditQuery
		want int
	}{
		"by actor kind":        {ports.AuditQuery{Actor: domain.ActorStaff}, 1},
		"by action prefix":     {ports.AuditQuery{Action: "citizen."}, 2},
		"by exact action":      {ports.AuditQuery{Action: domain.AuditLoginFailed}, 1},
		"from an instant":      {ports.AuditQuery{From: epoch().Add(time.Minute)}, 2},
		"until an instant":     {ports.AuditQuery{Until: epoch().Add(time.Minute)}, 1},
		"by text, any case":    {ports.AuditQuery{Text: "REF001@"}, 3},
		"one page of one line": {ports.AuditQuery{Offset: 1, Limit: 1}, 3},
	} {
		t.Run(name, func(t *testing.T) {
			page, err := e.portal.BackOfficeAdmin().AuditLog(e.ctx, reader, c.q)
			require.NoError(t, err)
			assert.Equal(t, c.want, page.Total)
		})
	}

	_, err = e.portal.BackOfficeAdmin().AuditLog(e.ctx, reader, ports.AuditQuery{From: epoch(), Until: epoch()})
	assert.Equal(t, "until", domain.ErrorField(err))
	_, err = e.portal.BackOfficeAdmin().AuditLog(e.ctx, reader, ports.AuditQuery{Actor: "martien"})
	assert.Equal(t, domain.Invalid, domain.ErrorCode(err))
	page, err = e.portal.BackOfficeAdmin().AuditLog(e.ctx, otherBiller(t, e), ports.AuditQuery{BillerID: e.biller()})
	require.NoError(t, err)
	assert.Zero(t, page.Total, "q.BillerID is the actor's")
}
