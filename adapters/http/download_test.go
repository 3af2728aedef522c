package http

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/memory"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
	"github.com/portail-factures/portail/ports/portstest"
)

// brokenPayments is the memory store whose payment list fails on demand,
// as when the database goes away during an export.
type brokenPayments struct {
	*memory.Store
	fail atomic.Bool
}

func (s *brokenPayments) Payments(ctx context.Context, q ports.PaymentQuery) ([]domain.Payment, int, error) {
	if s.fail.Load() {
		return nil, 0, errors.New("connection reset by peer")
	}
	return s.Store.Payments(ctx, q)
}

func TestAFailedExportIsAnErrorPageNotAnEmptyFile(t *testing.T) {
	e := newEnv(t)
	e.PaidUnconfirmed()
	store := &brokenPayments{Store: e.Store}
	p, err := ports.NewPortal(ports.Deps{Store: store, Sessions: e.Store, Mailer: e.Mails, Gateway: e.Gateway,
		Clock: e.Clock, Random: portstest.NewSeqRandom(3)}, ports.Config{PublicURL: publicURL, Argon2: fastArgon2, MailInline: true})
	require.NoError(t, err)
	srv, err := New(Config{Portal: p, BillerID: demo.BillerID, PublicURL: publicURL, Clock: e.Clock})
	require.NoError(t, err)
	e.TS = httptest.NewServer(srv)
	t.Cleanup(e.TS.Close)
	m := e.Manager()

	ok := m.Get("/gestion/paiements/export.csv")
	require.Equal(t, http.StatusOK, ok.Status)
	assert.Equal(t, "text/csv; charset=utf-8", ok.Header.Get("Content-Type"))
	assert.Equal(t, ok.Header.Get("Content-Length"), strconv.Itoa(len(ok.Body)), "the whole file, its length known")
	assert.Contains(t, ok.Body, water)

	store.fail.Store(true)
	p2 := m.Get("/gestion/paiements/export.csv")
	assert.Equal(t, http.StatusInternalServerError, p2.Status, "not 200 with an empty file")
	assert.Contains(t, p2.Header.Get("Content-Type"), "text/html")
	assert.Empty(t, p2.Header.Get("Content-Disposition"))
	contains(t, p2, "Une erreur")
	notContains(t, p2, "connection reset")
}
