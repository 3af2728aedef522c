package postgres_test

import (
	"flag"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/postgres/pgtest"
)

var benchOutbox = flag.Int("pg.outbox", 1_000_000, "mails in the outbox of BenchmarkBacklogReads")

// BenchmarkBacklogReads measures the two reads of each metrics scrape
// (ports.Operator.Backlog): the outbox's counts and the oldest live
// payment, over an outbox of -pg.outbox mails of which 1 % wait and 1 %
// failed (the rest sent, as years of mail leave it).
func BenchmarkBacklogReads(b *testing.B) {
	db := pgtest.NewDB(b)
	ctx := b.Context()
	require.NoError(b, db.Exec(ctx, `INSERT INTO outbox (id, mail_to, reply_to, subject, body_text, body_html,
		state, attempts, next_attempt_at, last_error, created_at)
		SELECT gen_random_uuid(), 'a@b.fr', '', 'Sujet', 'Texte', '',
			CASE WHEN i % 100 = 0 THEN 'pending' WHEN i % 100 = 1 THEN 'failed' ELSE 'sent' END,
			1, now(), '', now() - i * interval '1 second'
		FROM generate_series(1, $1) AS i`, *benchOutbox))
	require.NoError(b, db.Exec(ctx, `VACUUM ANALYZE outbox`))
	b.Run("OutboxCounts", func(b *testing.B) {
		for b.Loop() {
			c, err := db.OutboxCounts(ctx)
			require.NoError(b, err)
			require.Equal(b, *benchOutbox/100, c.Pending)
		}
	})
	b.Run("LivePayments(1)", func(b *testing.B) {
		for b.Loop() {
			_, err := db.LivePayments(ctx, 1)
			require.NoError(b, err)
		}
	})
}
