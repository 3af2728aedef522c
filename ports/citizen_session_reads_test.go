package ports_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/memory"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// readCounter is the memory store counting the reads a page of a
// logged-in citizen may make.
type readCounter struct {
	*memory.Store
	reads atomic.Int64
}

func (s *readCounter) Account(ctx context.Context, id uuid.UUID) (domain.Account, error) {
	s.reads.Add(1)
	return s.Store.Account(ctx, id)
}

func (s *readCounter) Payer(ctx context.Context, id uuid.UUID) (domain.Payer, error) {
	s.reads.Add(1)
	return s.Store.Payer(ctx, id)
}

func (s *readCounter) Biller(ctx context.Context, id uuid.UUID) (domain.Biller, error) {
	s.reads.Add(1)
	return s.Store.Biller(ctx, id)
}

func (s *readCounter) Session(ctx context.Context, id string) (ports.Session, error) {
	s.reads.Add(1)
	return s.Store.Session(ctx, id)
}

// TestInvoicesPageReadsTheCitizenOnce: Authenticate reads the session
// with its account and payer at once (ports.CitizenSessions), and the
// page of invoices reads neither again, nor the biller (kept in memory).
func TestInvoicesPageReadsTheCitizenOnce(t *testing.T) {
	e := newEnv(t)
	s := &readCounter{Store: e.store}
	p := newCountedPortal(t, s, s)
	secret, _, err := p.CitizenAccounts().Login(e.ctx, e.biller(), "ref001@exemple.fr", password, false, "")
	require.NoError(t, err)
	_, err = p.Citizens().Invoices(e.ctx, e.citizen, domain.TabUnpaid, 1, 20) // the biller, once
	require.NoError(t, err)

	s.reads.Store(0)
	_, c, err := p.CitizenAccounts().Authenticate(e.ctx, secret)
	require.NoError(t, err)
	page, err := p.Citizens().Invoices(e.ctx, c, domain.TabUnpaid, 1, 20)
	require.NoError(t, err)
	assert.Equal(t, e.house.Payer.Name, page.PayerName)
	assert.Len(t, page.Invoices, 3)
	assert.Zero(t, s.reads.Load(), "no session, account, payer nor biller read apart")
}

// TestAuthenticateKeepsItsChecks: read at once or one by one, a session
// opens nothing once its account is no longer active, nor for a staff
// member, nor when its account has moved to another biller.
func TestAuthenticateKeepsItsChecks(t *testing.T) {
	for name, sessions := range map[string]func(s *memory.Store) ports.SessionStore{
		"at once":    func(s *memory.Store) ports.SessionStore { return s },
		"one by one": func(s *memory.Store) ports.SessionStore { return struct{ ports.SessionStore }{s} },
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			p := newCountedPortal(t, e.store, sessions(e.store))
			login := func() string {
				t.Helper()
				secret, _, err := p.CitizenAccounts().Login(e.ctx, e.biller(), "ref001@exemple.fr", password, false, "")
				require.NoError(t, err)
				return secret
			}
			unauth := func(secret, why string) {
				t.Helper()
				_, _, err := p.CitizenAccounts().Authenticate(e.ctx, secret)
				assert.Equal(t, domain.Unauthenticated, domain.ErrorCode(err), why)
			}
			secret := login()
			_, c, err := p.CitizenAccounts().Authenticate(e.ctx, secret)
			require.NoError(t, err)
			assert.Equal(t, e.citizen.AccountID, c.AccountID)

			a := e.house.Account
			a.BillerID = uuid.New()
			require.NoError(t, e.store.SaveAccount(e.ctx, a))
			unauth(secret, "an account of another biller")
			a.BillerID, a.State = e.biller(), domain.AccountPending
			require.NoError(t, e.store.SaveAccount(e.ctx, a))
			unauth(secret, "an account no longer active")

			staff := ports.Session{ID: domain.HashSecret("staff"), BillerID: e.biller(), AccountID: e.house.Account.ID, Staff: true,
				CreatedAt: e.clock.Now(), ExpiresAt: e.clock.Now().Add(time.Hour)}
			require.NoError(t, e.store.CreateSession(e.ctx, staff))
			unauth("staff", "a staff session")
		})
	}
}
