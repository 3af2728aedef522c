package postgres_test

import (
	"flag"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/postgres"
	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

var benchPage = flag.Int("pg.page", 100_000, "invoices in the table of BenchmarkPageReads")

// pageVisit is one citizen of BenchmarkPageReads: a session and what it
// leads to.
type pageVisit struct {
	session string
	account uuid.UUID
	payer   uuid.UUID
}

// BenchmarkPageReads runs the reads of one « Mes factures » page as the
// portal does today (the session, the account twice, the biller by host
// — no row — and by id, the payer, the page of invoices and its count:
// 8 statements) among -pg.page invoices (100 000 by default) of 100
// invoices per payer: with the store's prepared statements ("prepared"),
// without ("unprepared", database.prepared_statements=false: one round
// trip per statement) and as before both ("lib-pq-default": two round
// trips per statement); one client, then 32 at once. ns/op is the time of
// one page; the ratios are what preparing saves.
func BenchmarkPageReads(b *testing.B) {
	url := pgtest.NewURL(b)
	ctx := b.Context()
	fill, err := postgres.Open(ctx, url, postgres.Options{})
	require.NoError(b, err)
	b.Cleanup(func() { _ = fill.Close() })
	n := *benchPage
	start := time.Now()
	bill, ps := fillInvoices(b, fill, max(1, n/100), n)
	b.Logf("%d invoices copied in %s", n, time.Since(start).Round(time.Millisecond))

	visits := make([]pageVisit, min(len(ps), 500))
	for i := range visits {
		p := ps[i*len(ps)/len(visits)]
		p.Email = fmt.Sprintf("redevable%d@exemple.fr", i)
		a := domain.NewAccount(uuid.New(), p, portstest.Epoch)
		s := ports.Session{ID: fmt.Sprintf("session-%d", i), BillerID: bill.ID, AccountID: a.ID, CSRFToken: "csrf",
			CreatedAt: portstest.Epoch, ExpiresAt: portstest.Epoch.Add(24 * time.Hour)}
		require.NoError(b, fill.Atomic(ctx, func(tx ports.Tx) error {
			if err := tx.SavePayer(ctx, p); err != nil {
				return err
			}
			return tx.SaveAccount(ctx, a)
		}))
		require.NoError(b, fill.CreateSession(ctx, s))
		visits[i] = pageVisit{session: s.ID, account: a.ID, payer: p.ID}
	}

	page := func(b *testing.B, db *postgres.DB, v pageVisit) {
		s, err := db.Session(ctx, v.session)
		if err == nil {
			_, err = db.Account(ctx, s.AccountID)
		}
		if err == nil {
			_, err = db.Account(ctx, s.AccountID)
		}
		if err == nil {
			if _, herr := db.BillerByHost(ctx, "factures.ailleurs.fr"); domain.ErrorCode(herr) != domain.NotFound {
				err = fmt.Errorf("biller by host: %v", herr)
			}
		}
		if err == nil {
			_, err = db.Biller(ctx, s.BillerID)
		}
		if err == nil {
			_, err = db.Payer(ctx, v.payer)
		}
		if err == nil {
			var list []domain.Invoice
			list, _, err = db.ListInvoices(ctx, ports.InvoiceQuery{PayerID: v.payer, Tab: domain.TabUnpaid, Limit: 20})
			if err == nil && len(list) == 0 {
				err = fmt.Errorf("no invoice")
			}
		}
		if err != nil {
			b.Fatalf("page of %s: %v", v.payer, err)
		}
	}
	pool := postgres.Options{MaxOpenConns: 32, MaxIdleConns: 32}
	unprepared := pool
	unprepared.NoPreparedStatements = true
	for _, mode := range []struct {
		name string
		open func() (*postgres.DB, error)
	}{
		{"prepared", func() (*postgres.DB, error) { return postgres.Open(ctx, url, pool) }},
		{"unprepared", func() (*postgres.DB, error) { return postgres.Open(ctx, url, unprepared) }},
		{"lib-pq-default", func() (*postgres.DB, error) { return postgres.OpenLibPQDefault(ctx, url, pool) }},
	} {
		db, err := mode.open()
		require.NoError(b, err)
		b.Cleanup(func() { _ = db.Close() })
		for _, v := range visits { // every connection warm, every statement known
			page(b, db, v)
		}
		b.Run(mode.name+"/1 client", func(b *testing.B) {
			i := 0
			for b.Loop() {
				page(b, db, visits[i%len(visits)])
				i++
			}
		})
		b.Run(mode.name+"/32 clients", func(b *testing.B) {
			b.SetParallelism(max(1, 32/runtime.GOMAXPROCS(0))) // 32 goroutines in all
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					page(b, db, visits[i%len(visits)])
					i += 7
				}
			})
		})
	}
}
