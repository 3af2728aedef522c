package postgres_test

import (
	"database/sql"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/postgres"
	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/ports"
)

// TestOutboxPurgeIsAnIndexScan shows that the retention job's purge of
// the outbox (PurgeMails) and the closure's cancellation (CancelMails)
// keep to their partial indexes, over a year of 200 000 mails of two
// billers (1 % pending, 1 % failed), and logs how long the purge of the
// mails older than ports.MailRetentionDays takes, batch by batch as the
// job runs it.
func TestOutboxPurgeIsAnIndexScan(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := t.Context()
	one, two := uuid.New(), uuid.New()
	now := time.Now()
	require.NoError(t, db.Exec(ctx, `INSERT INTO outbox (id, mail_to, reply_to, subject, body_text, body_html,
		state, attempts, next_attempt_at, last_error, created_at, biller_id)
		SELECT gen_random_uuid(), 'payeur' || (i % 5000) || '@exemple.fr', '', 'Sujet', 'Texte du courriel', '',
			CASE WHEN i % 100 = 0 THEN 'pending' WHEN i % 100 = 1 THEN 'failed' ELSE 'sent' END,
			1, $1::timestamptz, '', $1::timestamptz - (i % 100000) * interval '315 seconds',
			CASE WHEN i <= 100000 THEN $2::uuid ELSE $3::uuid END
		FROM generate_series(1, 200000) AS i`, now, one, two))
	require.NoError(t, db.Exec(ctx, `VACUUM ANALYZE outbox`))
	cutoff := now.Add(-ports.MailRetentionDays * 24 * time.Hour)

	plan, err := db.Explain(ctx, postgres.PurgeMailsSQL, one, cutoff, sql.NullInt64{Int64: 1000, Valid: true})
	require.NoError(t, err)
	t.Logf("EXPLAIN of a batch of the purge:\n%s", plan)
	assert.Contains(t, plan, "outbox_over_idx")
	assert.NotContains(t, plan, "Seq Scan")
	plan, err = db.Explain(ctx, postgres.PurgeOrphanMailsSQL, cutoff, sql.NullInt64{Int64: 1000, Valid: true})
	require.NoError(t, err)
	t.Logf("EXPLAIN of a batch of the purge of the mails of no biller:\n%s", plan)
	assert.Contains(t, plan, "outbox_over_idx")
	assert.NotContains(t, plan, "Seq Scan")
	plan, err = db.Explain(ctx, postgres.CancelMailsSQL, one, pq.StringArray{"payeur42@exemple.fr"})
	require.NoError(t, err)
	t.Logf("EXPLAIN of the cancellation at closure:\n%s", plan)
	assert.Contains(t, plan, "outbox_pending_idx")
	assert.NotContains(t, plan, "Seq Scan")

	start, purged, batches := time.Now(), 0, 0
	for {
		n, err := db.PurgeMails(ctx, one, cutoff, 1000)
		require.NoError(t, err)
		purged, batches = purged+n, batches+1
		if n < 1000 {
			break
		}
	}
	took := time.Since(start)
	t.Logf("purged %d mails of one biller in %d batches in %s (%s per batch of 1 000)",
		purged, batches, took.Round(time.Millisecond), (took / time.Duration(batches)).Round(time.Microsecond))
	// Of the biller's 100 000 mails, one every 315 s over 365 days, those
	// queued before the cutoff and not pending.
	assert.InDelta(t, 100000*(365-ports.MailRetentionDays)/365*99/100, purged, 1000)
	n, err := db.CancelMails(ctx, one, []string{"PAYEUR0@exemple.fr"})
	require.NoError(t, err)
	assert.Equal(t, 20, n, "the pending mails to payeur0 (i multiple of 5 000 and of 100)")
}
