package portstest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// ChangeDeadline is how long a change of a biller may take to reach
// another instance: issue #14 asks that a settings change be seen on
// every instance within a second.
const ChangeDeadline = time.Second

// ConnectDeadline bounds the wait for a store's notifications to be
// connected at first, on a loaded machine.
const ConnectDeadline = 30 * time.Second

// TestBillerChanges runs the contract of ports.BillerChanges against two
// instances (two stores over the same data) that newInstances returns:
// each is the store of a portal, whose billers are kept in memory; a
// change of a biller through one instance is seen by the other's portal
// within ChangeDeadline, its settings as well as its host names.
func TestBillerChanges(t *testing.T, newInstances func(t *testing.T) (ports.Store, ports.Store)) {
	t.Run("a change through one instance is seen by the other within a second", func(t *testing.T) {
		one, other := newInstances(t)
		b := NewBiller(t)
		b.Hosts = []string{"factures.testville.fr"}
		MustSaveBiller(t, one, b)
		portal := NewWatchingPortal(t, other)
		w := WatchBillers(t, other)
		w.AwaitConnected(t)

		got, err := portal.BillerForHost(t.Context(), "factures.testville.fr")
		require.NoError(t, err)
		assert.Equal(t, b.Name, got.Name)
		_, err = portal.BillerForHost(t.Context(), "eau.testville.fr")
		assert.Equal(t, domain.NotFound, domain.ErrorCode(err), "a host no biller serves")

		b.Name = "Régie des eaux de Testville"
		b.Hosts = []string{"factures.testville.fr", "eau.testville.fr"}
		require.NoError(t, one.SaveBiller(t.Context(), b))
		w.AwaitChange(t, b.ID)

		got, err = portal.BillerForHost(t.Context(), "factures.testville.fr")
		require.NoError(t, err)
		assert.Equal(t, "Régie des eaux de Testville", got.Name, "the new settings, by host")
		got, err = portal.BillerByID(t.Context(), b.ID)
		require.NoError(t, err)
		assert.Equal(t, "Régie des eaux de Testville", got.Name, "the new settings, by id")
		got, err = portal.BillerForHost(t.Context(), "eau.testville.fr")
		require.NoError(t, err, "a host unknown before is found once given")
		assert.Equal(t, b.ID, got.ID)

		b.Hosts = []string{"eau.testville.fr"}
		require.NoError(t, one.SaveBiller(t.Context(), b))
		w.AwaitChange(t, b.ID)
		_, err = portal.BillerForHost(t.Context(), "factures.testville.fr")
		assert.Equal(t, domain.NotFound, domain.ErrorCode(err), "a host taken away is no longer served")
	})
	t.Run("a change through the instance itself is seen at once", func(t *testing.T) {
		one, _ := newInstances(t)
		b := NewBiller(t)
		MustSaveBiller(t, one, b)
		portal := NewWatchingPortal(t, one)
		w := WatchBillers(t, one)
		w.AwaitConnected(t)
		_, err := portal.BillerByID(t.Context(), b.ID)
		require.NoError(t, err)

		b.Name = "Régie des eaux de Testville"
		require.NoError(t, one.SaveBiller(t.Context(), b))
		got, err := portal.BillerByID(t.Context(), b.ID)
		require.NoError(t, err)
		assert.Equal(t, b.Name, got.Name, "no wait for the notification")
	})
	t.Run("a biller created through one instance is told to the other", func(t *testing.T) {
		one, other := newInstances(t)
		w := WatchBillers(t, other)
		w.AwaitConnected(t)
		b := NewBiller(t)
		MustSaveBiller(t, one, b)
		w.AwaitChange(t, b.ID)
	})
}

// NewWatchingPortal returns a portal over store (its SessionStore too),
// with recording fakes: its billers are kept in memory when store tells
// its changes (ports.BillerChanges).
func NewWatchingPortal(tb testing.TB, store ports.Store) *ports.Portal {
	tb.Helper()
	sessions, ok := store.(ports.SessionStore)
	if !ok {
		tb.Fatalf("portstest: %T is no ports.SessionStore", store)
	}
	p, err := ports.NewPortal(ports.Deps{Store: store, Sessions: sessions, Mailer: &Mailbox{}, Gateway: &FakeGateway{},
		Clock: NewFixedClock(Epoch), Random: NewSeqRandom(7)},
		ports.Config{PublicURL: "https://factures.testville.fr", Argon2: ports.Argon2Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err != nil {
		tb.Fatalf("portstest: NewPortal: %v", err)
	}
	return p
}

// BillerWatch records what a store's ports.BillerChanges tells.
type BillerWatch struct {
	told chan told
}

// told is one call of a watch, with whether the store told its changes
// then.
type told struct {
	id      uuid.UUID
	watched bool
}

// WatchBillers watches store's changes until tb ends. Watches are told in
// the order they were made: one made after a portal's hears of a change
// once the portal has dropped what it kept.
func WatchBillers(tb testing.TB, store ports.Store) *BillerWatch {
	tb.Helper()
	changes, ok := store.(ports.BillerChanges)
	if !ok {
		tb.Fatalf("portstest: %T does not tell its billers' changes", store)
	}
	w := &BillerWatch{told: make(chan told, 1024)}
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	changes.WatchBillers(ctx, func(id uuid.UUID) {
		select {
		case w.told <- told{id: id, watched: changes.BillersWatched()}:
		default: // a test that does not read is not blocked
		}
	})
	return w
}

// AwaitConnected waits, up to ConnectDeadline, until the store tells its
// changes (it then calls the watch with uuid.Nil, BillersWatched true).
func (w *BillerWatch) AwaitConnected(tb testing.TB) {
	tb.Helper()
	w.await(tb, told{id: uuid.Nil, watched: true}, ConnectDeadline, "the store's notifications to connect")
}

// AwaitChange waits, up to ChangeDeadline, until the store tells a change
// of biller id. Other ids told meanwhile are passed over: other tests may
// share the store's channel.
func (w *BillerWatch) AwaitChange(tb testing.TB, id uuid.UUID) {
	tb.Helper()
	w.await(tb, told{id: id, watched: true}, ChangeDeadline, "the change of biller "+id.String())
}

// AwaitLoss waits, up to ConnectDeadline, until the store tells that its
// changes are no longer heard (uuid.Nil, BillersWatched false), as on a
// lost connection.
func (w *BillerWatch) AwaitLoss(tb testing.TB) {
	tb.Helper()
	w.await(tb, told{id: uuid.Nil, watched: false}, ConnectDeadline, "the loss of the store's notifications")
}

func (w *BillerWatch) await(tb testing.TB, want told, within time.Duration, what string) {
	tb.Helper()
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	for {
		select {
		case got := <-w.told:
			if got == want {
				return
			}
		case <-deadline.C:
			tb.Fatalf("portstest: waited %s for %s", within, what)
		}
	}
}
