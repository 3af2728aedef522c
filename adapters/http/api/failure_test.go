package api_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"

	"github.com/portail-factures/portail/adapters/http/webtest/full"
	"github.com/portail-factures/portail/adapters/memory"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

// failingPayers is the memory store whose payer reads fail with err when
// it is set, as when the database breaks or goes away.
type failingPayers struct {
	*memory.Store
	err atomic.Pointer[error]
}

func (s *failingPayers) PayerByRef(ctx context.Context, billerID uuid.UUID, ref string) (domain.Payer, error) {
	if err := s.err.Load(); err != nil {
		return domain.Payer{}, *err
	}
	return s.Store.PayerByRef(ctx, billerID, ref)
}

// TestAPIFailuresAreDocumentedErrors: a broken or unreachable database is
// a 500 or a 503 with the document's error codes (and the contract's
// checker sees these answers too), never a detail of the failure.
func TestAPIFailuresAreDocumentedErrors(t *testing.T) {
	e := full.New(t)
	c := apiKey(e, demo.BillerID)
	store := &failingPayers{Store: e.Store}
	full.Again(e, ports.Config{}, store)
	path := "/api/v1/payers/DEMO-0001"
	assert.Equal(t, http.StatusOK, c.send("GET", path, nil).Status)

	for _, tc := range []struct {
		err    error
		status int
		code   string
	}{
		{errors.New("pq: relation \"payers\" does not exist"), http.StatusInternalServerError, "internal_error"},
		{domain.WrapUnavailable(errors.New("dial tcp 10.0.0.5:5432: connection refused")), http.StatusServiceUnavailable, "unavailable"},
		{domain.ErrBusy, http.StatusServiceUnavailable, "unavailable"},
	} {
		store.err.Store(&tc.err)
		p := c.send("GET", path, nil)
		apiError(t, p, tc.status, tc.code, "")
		assert.NotContains(t, p.Body, "5432")
		assert.NotContains(t, p.Body, "pq:")
		if tc.err == domain.ErrBusy {
			assert.NotEmpty(t, p.Header.Get("Retry-After"))
		}
	}
}
