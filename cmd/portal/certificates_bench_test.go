package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	_ "github.com/lib/pq"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/http/pdf"
	"github.com/portail-factures/portail/adapters/postgres"
	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

// envBenchCertificates sets the payers of BenchmarkCertificatesZIP:
// 100000 for the figures of README; the default runs in about a minute.
const envBenchCertificates = "PORTAL_BENCH_CERTIFICATE_PAYERS"

// BenchmarkCertificatesZIP measures « Redevables » → the ZIP of every
// payer's certificate of a year on PostgreSQL with the real PDF writer:
// n payers (n = $PORTAL_BENCH_CERTIFICATE_PAYERS, 2 000 by default), each
// with three crèche invoices paid in 2025 (the certificate's lines), two
// paid in 2024 and one unpaid, written by SQL. It prints the time, the
// size of the archive and the peak of the heap in use while it is
// written: the archive streams, so the heap stays flat whatever n.
func BenchmarkCertificatesZIP(b *testing.B) {
	n := 2000
	if v := os.Getenv(envBenchCertificates); v != "" {
		var err error
		n, err = strconv.Atoi(v)
		require.NoError(b, err, envBenchCertificates)
	}
	ctx := context.Background()
	u := pgtest.NewURL(b)
	store, err := postgres.Open(ctx, u, postgres.Options{})
	require.NoError(b, err)
	b.Cleanup(func() { _ = store.Close() })
	biller := portstest.NewBiller(b)
	biller.Certificate = domain.CertificateSettings{Offered: true, Title: "Attestation de paiement des frais de garde {année}",
		LegalText: "Article 200 quater B du code général des impôts.", ObjectContains: "crèche"}
	portstest.MustSaveBiller(b, store, biller)
	raw, err := sql.Open("postgres", u)
	require.NoError(b, err)
	defer raw.Close()
	start := time.Now()
	_, err = raw.ExecContext(ctx, `INSERT INTO payers (id, biller_id, external_ref, name, email, paperless, created_at, updated_at)
SELECT gen_random_uuid(), $1, 'FAM-' || i, 'Famille ' || i, '', false, now(), now() FROM generate_series(1, $2::int) AS i`, biller.ID, n)
	require.NoError(b, err)
	_, err = raw.ExecContext(ctx, `INSERT INTO invoices (id, biller_id, payer_id, number, issue_date, due_date, amount, object, pdf,
	state, tab, paid_at, created_at, updated_at, awaiting_confirmation)
SELECT gen_random_uuid(), p.biller_id, p.id, p.external_ref || '-' || k, d::date - 20, d::date + 10, 150.25 + k,
	CASE WHEN k <= 5 THEN 'Crèche municipale, mois ' || k ELSE 'Cantine' END, '',
	CASE WHEN k = 6 THEN 'unpaid' ELSE 'paid' END, CASE WHEN k = 6 THEN 'non-reglees' ELSE 'reglees' END,
	CASE WHEN k = 6 THEN NULL ELSE d END, now(), now(), false
FROM payers p, generate_series(1, 6) AS k,
	LATERAL (SELECT CASE WHEN k <= 3 THEN timestamptz '2025-01-15 10:00+01' + (k * 90) * interval '1 day'
		ELSE timestamptz '2024-03-01 10:00+01' + k * interval '30 days' END AS d) AS t
WHERE p.biller_id = $1`, biller.ID)
	require.NoError(b, err)
	_, err = raw.ExecContext(ctx, "VACUUM ANALYZE")
	require.NoError(b, err)
	b.Logf("%d payers and %d invoices written in %s", n, 6*n, time.Since(start).Round(time.Millisecond))

	clock := portstest.NewFixedClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	p, err := ports.NewPortal(ports.Deps{Store: store, Sessions: store, Mailer: &portstest.Mailbox{}, Gateway: &portstest.FakeGateway{},
		Clock: clock, Random: portstest.NewSeqRandom(1), PDF: pdf.Writer{}},
		ports.Config{PublicURL: "https://factures.example.fr", Argon2: ports.Argon2Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	require.NoError(b, err)
	staff := ports.Actor{Kind: domain.ActorStaff, BillerID: biller.ID, ID: uuid.New(), Label: "agent@example.fr", Role: domain.RoleReader}

	for b.Loop() {
		var peak atomic.Uint64
		done := make(chan struct{})
		go func() { // samples the heap in use while the archive is written
			var m runtime.MemStats
			t := time.NewTicker(20 * time.Millisecond)
			defer t.Stop()
			for {
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
				select {
				case <-done:
					return
				case <-t.C:
				}
			}
		}()
		w := &countingWriter{}
		start := time.Now()
		count, err := p.BackOffice().ExportCertificates(ctx, staff, 2025, w)
		took := time.Since(start)
		close(done)
		require.NoError(b, err)
		require.Equal(b, n, count)
		b.ReportMetric(float64(took.Microseconds())/float64(n)/1000, "ms/certificate")
		fmt.Printf("ZIP of %d certificates: %s (%.1f ms each), %.1f MB, peak heap in use %.1f MB\n",
			count, took.Round(time.Millisecond), float64(took.Microseconds())/float64(n)/1000, float64(w.n)/1e6, float64(peak.Load())/1e6)
	}
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}
