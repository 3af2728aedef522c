package backoffice_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/http/webtest/full"
	"github.com/portail-factures/portail/adapters/memory"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
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
	full.Again(e.Env, ports.Config{}, store)
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
