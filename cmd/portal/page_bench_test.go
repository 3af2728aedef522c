package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/ports/demo"
)

// BenchmarkInvoicesPage serves « Mes factures » (GET /factures, the
// demo's payer) through the whole handler of `portal serve` on
// PostgreSQL, in this process, with no network client: what the portal
// itself spends on a page beside its 3 statements. Run it with
// -cpuprofile to see where that time goes (README, Measurements).
func BenchmarkInvoicesPage(b *testing.B) {
	url := pgtest.NewEmptyURL(b)
	seed := NewMain()
	seed.Stdout, seed.Stderr = io.Discard, io.Discard
	require.NoError(b, seed.ParseArgs([]string{"demo-seed", "--database-url", url}))
	require.NoError(b, seed.Run(context.Background()))
	require.NoError(b, seed.Close())
	m := NewMain()
	m.Stdout, m.Stderr = io.Discard, io.Discard
	require.NoError(b, m.ParseArgs([]string{"serve", "--database-url", url}))
	m.Logger = slog.New(slog.DiscardHandler)
	h, err := m.buildHandler(context.Background())
	require.NoError(b, err)
	b.Cleanup(func() { _ = m.Close() })
	secret, _, err := m.portal.CitizenAccounts().Login(context.Background(), demo.BillerID, demo.Email, demo.Password, false, "")
	require.NoError(b, err)

	page := func(b *testing.B) {
		r := httptest.NewRequest(http.MethodGet, "/factures", nil)
		r.AddCookie(&http.Cookie{Name: "portail-session", Value: secret})
		r.Header.Set("Accept-Encoding", "gzip")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("GET /factures: %d", w.Code)
		}
	}
	page(b)
	b.Run("1 client", func(b *testing.B) {
		for b.Loop() {
			page(b)
		}
	})
	b.Run("32 clients", func(b *testing.B) {
		b.SetParallelism(16)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				page(b)
			}
		})
	})
}
