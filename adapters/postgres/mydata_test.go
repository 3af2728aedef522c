package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/postgres"
	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

// TestMyDataEventsAreAnIndexScan: « Mes données » reads one account's
// events through audit_events_actor_idx (0017), not the biller's whole
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

// BenchmarkMyData reads « Mes données » of a payer at every bound (2 000
// invoices, 1 000 payments, 1 000 account events, 500 messages, 2 000
// notices, each list one over so that it is cut), among 200 000 events
// of other accounts: the cost of one page or one download.
func BenchmarkMyData(b *testing.B) {
	db := pgtest.NewDB(b)
	ctx := b.Context()
	var h portstest.Household
	require.NoError(b, db.Atomic(ctx, func(tx ports.Tx) error {
		h = portstest.MustSeed(b, tx, "x", 0)
		at := portstest.Epoch
		for i := range ports.MyDataMaxInvoices + 1 {
			inv := portstest.NewInvoice(b, h.Payer, fmt.Sprintf("2000-%06d", i), "12.34")
			portstest.MustSaveInvoices(b, tx, inv)
			if _, err := tx.RecordNotice(ctx, h.Biller.ID, inv.ID, domain.NoticeNewInvoice, at.Add(time.Duration(i)*time.Minute)); err != nil {
				return err
			}
			if i <= ports.MyDataMaxPayments {
				pay := portstest.NewPayment(b, h.Biller, h.Account, inv)
				pay.CreatedAt = at.Add(time.Duration(i) * time.Minute)
				portstest.MustSavePayment(b, tx, pay)
			}
			if i <= ports.MyDataMaxMessages {
				portstest.MustSaveMessage(b, tx, portstest.NewMessage(b, h.Account, fmt.Sprintf("Question %d", i), at.Add(time.Duration(i)*time.Minute)))
			}
			if i <= ports.MyDataMaxEvents {
				if err := tx.AppendAudit(ctx, domain.AuditEvent{ID: uuid.New(), BillerID: h.Biller.ID, At: at.Add(time.Duration(i) * time.Minute),
					Actor: domain.ActorCitizen, ActorID: h.Account.ID, ActorLabel: h.Account.Email, Action: domain.AuditLogin,
					Detail: "Connexion.", IP: "192.0.2.1"}); err != nil {
					return err
				}
			}
		}
		return nil
	}))
	require.NoError(b, db.Exec(ctx, `INSERT INTO audit_events (id, biller_id, at, actor, actor_id, actor_label, action, target, detail, ip)
SELECT gen_random_uuid(), $1, timestamptz '2025-01-01' + i * interval '1 minute', 'citizen', gen_random_uuid(),
	'redevable@exemple.fr', 'citizen.login', '', 'Connexion.', '192.0.2.1'
FROM generate_series(1, 200000) AS i`, h.Biller.ID))
	require.NoError(b, db.Exec(ctx, "VACUUM ANALYZE"))
	p, err := ports.NewPortal(ports.Deps{Store: db, Sessions: db, Mailer: &portstest.Mailbox{}, Gateway: &portstest.FakeGateway{}},
		ports.Config{PublicURL: "https://factures.testville.fr", Argon2: fastArgon2, MailInline: true})
	require.NoError(b, err)
	c := ports.Citizen{BillerID: h.Biller.ID, AccountID: h.Account.ID, PayerID: h.Payer.ID}
	for b.Loop() {
		d, err := p.Citizens().MyData(ctx, c)
		require.NoError(b, err)
		require.Len(b, d.Invoices, ports.MyDataMaxInvoices)
		require.Len(b, d.Truncated, 5)
	}
}

// TestReadSnapshotSeesOneSnapshotAndWritesNothing: what another
// transaction commits while the snapshot reads stays unseen, and a write
// inside it fails (ports.Snapshots, used by « Mes données »).
func TestReadSnapshotSeesOneSnapshotAndWritesNothing(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := t.Context()
	b := portstest.NewBiller(t)
	portstest.MustSaveBiller(t, db, b)
	payer := portstest.NewPayer(t, b, "REF001")
	portstest.MustSavePayer(t, db, payer)
	var _ ports.Snapshots = db
	err := db.ReadSnapshot(ctx, func(tx ports.Tx) error {
		before, err := tx.Payer(ctx, payer.ID)
		require.NoError(t, err)
		renamed := before
		renamed.Name = "Nouveau nom"
		require.NoError(t, db.SavePayer(ctx, renamed), "another transaction commits meanwhile")
		after, err := tx.Payer(ctx, payer.ID)
		require.NoError(t, err)
		assert.Equal(t, payer.Name, after.Name, "the snapshot does not see it")
		return nil
	})
	require.NoError(t, err)
	err = db.ReadSnapshot(ctx, func(tx ports.Tx) error { return tx.SavePayer(ctx, payer) })
	assert.Error(t, err, "no write in a snapshot")
	got, err := db.Payer(ctx, payer.ID)
	require.NoError(t, err)
	assert.Equal(t, "Nouveau nom", got.Name)
}
