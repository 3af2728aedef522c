package ports_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/memory"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

// billerCounter is the memory store counting its biller reads, with the
// state of its notifications under the test's control.
type billerCounter struct {
	*memory.Store
	reads   atomic.Int64
	unheard atomic.Bool // notifications lost
}

func (s *billerCounter) Biller(ctx context.Context, id uuid.UUID) (domain.Biller, error) {
	s.reads.Add(1)
	return s.Store.Biller(ctx, id)
}

func (s *billerCounter) BillerByHost(ctx context.Context, host string) (domain.Biller, error) {
	s.reads.Add(1)
	return s.Store.BillerByHost(ctx, host)
}

func (s *billerCounter) BillersWatched() bool { return !s.unheard.Load() }

// blind hides the store's notifications: a store that cannot tell.
type blind struct{ ports.Store }

func newCountedPortal(t *testing.T, store ports.Store, sessions ports.SessionStore) *ports.Portal {
	t.Helper()
	p, err := ports.NewPortal(ports.Deps{Store: store, Sessions: sessions, Mailer: &portstest.Mailbox{}, Gateway: &portstest.FakeGateway{},
		Clock: portstest.NewFixedClock(portstest.Epoch)}, ports.Config{PublicURL: "https://factures.testville.fr", Argon2: fastArgon2})
	require.NoError(t, err)
	return p
}

func seedHostedBiller(t *testing.T, s *memory.Store) domain.Biller {
	t.Helper()
	b := portstest.NewBiller(t)
	b.Hosts = []string{"factures.testville.fr"}
	require.NoError(t, s.SaveBiller(t.Context(), b))
	return b
}

func TestBillersCachedUntilChanged(t *testing.T) {
	ctx := t.Context()
	s := &billerCounter{Store: memory.New()}
	b := seedHostedBiller(t, s.Store)
	p := newCountedPortal(t, s, s)

	for range 3 {
		got, err := p.BillerForHost(ctx, "factures.testville.fr")
		require.NoError(t, err)
		assert.Equal(t, b.Name, got.Name)
		_, err = p.BillerByID(ctx, b.ID)
		require.NoError(t, err)
		_, err = p.BillerForHost(ctx, "inconnu.testville.fr")
		assert.Equal(t, domain.NotFound, domain.ErrorCode(err))
	}
	assert.Equal(t, int64(2), s.reads.Load(), "one read by host found, one by host unknown; then none")

	got, _ := p.BillerForHost(ctx, "factures.testville.fr")
	got.Hosts[0] = "changed.by.a.caller"
	again, _ := p.BillerForHost(ctx, "factures.testville.fr")
	assert.Equal(t, []string{"factures.testville.fr"}, again.Hosts, "a caller's change does not reach the cache")

	b.Name = "Régie des eaux"
	b.Hosts = append(b.Hosts, "inconnu.testville.fr")
	require.NoError(t, s.SaveBiller(ctx, b))
	got, err := p.BillerByID(ctx, b.ID)
	require.NoError(t, err)
	assert.Equal(t, "Régie des eaux", got.Name, "the store's change dropped the biller")
	got, err = p.BillerForHost(ctx, "inconnu.testville.fr")
	require.NoError(t, err, "and the hosts known as unknown")
	assert.Equal(t, b.ID, got.ID)
}

func TestBillersReadThroughWhileNotificationsAreLost(t *testing.T) {
	ctx := t.Context()
	s := &billerCounter{Store: memory.New()}
	b := seedHostedBiller(t, s.Store)
	p := newCountedPortal(t, s, s)
	_, err := p.BillerByID(ctx, b.ID)
	require.NoError(t, err)

	s.unheard.Store(true)
	before := s.reads.Load()
	for range 3 {
		_, err := p.BillerByID(ctx, b.ID)
		require.NoError(t, err)
		_, err = p.BillerForHost(ctx, "factures.testville.fr")
		require.NoError(t, err)
	}
	assert.Equal(t, before+6, s.reads.Load(), "every read goes to the store")

	s.unheard.Store(false)
	_, err = p.BillerForHost(ctx, "factures.testville.fr")
	require.NoError(t, err)
	assert.Equal(t, before+7, s.reads.Load(), "what was read meanwhile was not kept")
}

func TestBillersNotCachedWithoutNotifications(t *testing.T) {
	ctx := t.Context()
	s := &billerCounter{Store: memory.New()}
	b := seedHostedBiller(t, s.Store)
	p := newCountedPortal(t, blind{s}, s)
	for range 3 {
		_, err := p.BillerForHost(ctx, "factures.testville.fr")
		require.NoError(t, err)
		_, err = p.BillerByID(ctx, b.ID)
		require.NoError(t, err)
	}
	assert.Equal(t, int64(6), s.reads.Load())
}
