package ports_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

func TestMessagesAreHandledByTheBillingService(t *testing.T) {
	e := newEnv(t)
	require.NoError(t, e.portal.Citizens().Contact(e.ctx, e.citizen, "Question", "Bonjour"))
	e.advance(time.Minute)
	require.NoError(t, e.portal.Citizens().RequestPaperless(e.ctx, e.citizen))
	reader, manager := agent(e, domain.RoleReader), agent(e, domain.RoleManager)

	page, err := e.portal.BackOffice().Messages(e.ctx, reader, ports.MessageSearch{State: domain.MessageNew})
	require.NoError(t, err)
	require.Equal(t, 2, page.Total)
	assert.Equal(t, domain.MessagePaperless, page.Messages[0].Kind, "newest first")
	id := page.Messages[1].ID

	d, err := e.portal.BackOffice().Message(e.ctx, reader, id)
	require.NoError(t, err)
	assert.Equal(t, "Bonjour", d.Message.Body)
	assert.Equal(t, "REF001", d.Payer.ExternalRef)

	assert.ErrorIs(t, e.portal.BackOffice().MarkMessageHandled(e.ctx, reader, id), ports.ErrReadOnly)
	other := otherBiller(t, e)
	assert.ErrorIs(t, e.portal.BackOffice().MarkMessageHandled(e.ctx, other, id), domain.ErrNotFound)
	_, err = e.portal.BackOffice().Message(e.ctx, other, id)
	assert.ErrorIs(t, err, domain.ErrNotFound)
	page, err = e.portal.BackOffice().Messages(e.ctx, other, ports.MessageSearch{BillerID: e.biller()})
	require.NoError(t, err)
	assert.Zero(t, page.Total)

	e.advance(time.Minute)
	require.NoError(t, e.portal.BackOffice().MarkMessageHandled(e.ctx, manager, id))
	require.NoError(t, e.portal.BackOffice().MarkMessageHandled(e.ctx, manager, id))
	d, err = e.portal.BackOffice().Message(e.ctx, reader, id)
	require.NoError(t, err)
	assert.Equal(t, domain.MessageHandled, d.Message.State)
	assert.True(t, e.clock.Now().Equal(d.Message.HandledAt))
	ev := auditTrail(t, e, domain.AuditMessageHandled)
	require.Len(t, ev, 1, "marking twice logs once")
	assert.Equal(t, "ref001@exemple.fr – Question", ev[0].Target)

	page, err = e.portal.BackOffice().Messages(e.ctx, reader, ports.MessageSearch{State: domain.MessageHandled})
	require.NoError(t, err)
	assert.Equal(t, 1, page.Total)

	require.NoError(t, e.portal.BackOffice().MarkMessageNew(e.ctx, manager, id))
	d, err = e.portal.BackOffice().Message(e.ctx, reader, id)
	require.NoError(t, err)
	assert.Equal(t, domain.MessageNew, d.Message.State)
	assert.True(t, d.Message.HandledAt.IsZero())
	assert.Len(t, auditTrail(t, e, domain.AuditMessageReopened), 1)

	_, err = e.portal.BackOffice().Messages(e.ctx, reader, ports.MessageSearch{State: "lu"})
	assert.Equal(t, domain.Invalid, domain.ErrorCode(err))
}
