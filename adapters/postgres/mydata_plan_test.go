package postgres_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/postgres"
	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

// TestMyDataEventsAreAnIndexScan: « Mes données » reads one account's
// events through audit_events_actor_idx (0020), not the biller's whole
// log (200 000 events of 5 000 accounts here). The planner may sort the
// account's few events rather than walk the index in order: either reads
// only them.
func TestMyDataEventsAreAnIndexScan(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := t.Context()
	b := portstest.NewBiller(t)
	portstest.MustSaveBiller(t, db, b)
	require.NoError(t, db.Exec(ctx, `INSERT INTO audit_events (id, biller_id, at, actor, actor_id, actor_label, action, target, detail, ip)
SELECT gen_random_uuid(), $1, timestamptz '2025-01-01' + i * interval '1 minute', 'citizen',
	('00000000-0000-4000-8000-' || lpad((i % 5000)::text, 12, '0'))::uuid,
	'redevable@exemple.fr', 'citizen.login', '', 'Connexion.', '192.0.2.1'
FROM generate_series(1, 200000) AS i`, b.ID))
	require.NoError(t, db.Exec(ctx, "VACUUM ANALYZE audit_events"))
	account := uuid.MustParse("00000000-0000-4000-8000-000000000042")
	page, args, _, _ := postgres.SearchSQL(ports.AuditQuery{BillerID: b.ID, ActorID: account,
		Limit: ports.MyDataMaxEvents + 1, CountUpTo: 1})
	plan, err := db.Explain(ctx, page, args...)
	require.NoError(t, err)
	t.Logf("EXPLAIN of an account's events:\n%s", plan)
	assert.Contains(t, plan, "audit_events_actor_idx")
	assert.NotContains(t, plan, "Seq Scan")
	list, _, err := db.AuditEvents(ctx, ports.AuditQuery{BillerID: b.ID, ActorID: account, Limit: ports.MyDataMaxEvents + 1, CountUpTo: 1})
	require.NoError(t, err)
	assert.Len(t, list, 40, "200 000 events over 5 000 accounts")
}
