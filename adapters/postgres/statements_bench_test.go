package postgres_test

import (
	"context"
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
// portal does (issue #14, goal 1: the session with its account and payer
// in one statement, the page of invoices and its count: 3 statements, the
// biller kept in memory) among -pg.page invoices (100 000 by default) of
// 100 invoices per payer: with the store's prepared statements
// ("prepared"), without ("unprepared", database.prepared_statements=false:
// one round trip per statement) and as lib/pq does by default (two round
// trips per statement); and, prepared, the page's 8 statements before
// ("prepared-8-before": the session, the account twice, the biller by
// host — no row — and by id, the payer, the page and its count). One
// client, then 32 at once. ns/op is the time of one page.
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
		_, _, p, err := db.CitizenSession(ctx, v.session)
		if err == nil {
			err = listPage(db, p.ID)
		}
		if err != nil {
			b.Fatalf("page of %s: %v", v.payer, err)
		}
	}
	before := func(b *testing.B, db *postgres.DB, v pageVisit) {
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
			err = listPage(db, v.payer)
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
		page func(*testing.B, *postgres.DB, pageVisit)
	}{
		{"prepared", func() (*postgres.DB, error) { return postgres.Open(ctx, url, pool) }, page},
		{"unprepared", func() (*postgres.DB, error) { return postgres.Open(ctx, url, unprepared) }, page},
		{"lib-pq-default", func() (*postgres.DB, error) { return postgres.OpenLibPQDefault(ctx, url, pool) }, page},
		{"prepared-8-before", func() (*postgres.DB, error) { return postgres.Open(ctx, url, pool) }, before},
	} {
		page := mode.page
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

// listPage reads the first page of the payer's unpaid invoices and its
// count, as « Mes factures » does.
func listPage(db *postgres.DB, payer uuid.UUID) error {
	list, _, err := db.ListInvoices(context.Background(), ports.InvoiceQuery{PayerID: payer, Tab: domain.TabUnpaid, Limit: 20})
	if err == nil && len(list) == 0 {
		err = fmt.Errorf("no invoice")
	}
	return err
}
