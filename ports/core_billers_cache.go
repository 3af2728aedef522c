package ports

import (
	"context"
	"slices"
	"sync"

	"github.com/google/uuid"
	"github.com/portail-factures/portail/domain"
)

// Billers change a few times a year and are read by every request: the
// core keeps them in memory (issue #14, goal 1: no biller lookup per
// page). The store tells every instance of a change through
// BillerChanges, so that a settings change is seen everywhere within a
// second; a store that cannot tell has no cache, and while it cannot tell
// for a time (its notifications' connection is lost) the cache is
// bypassed and emptied.

// maxCachedHosts bounds the host names the cache remembers, found or
// not: the Host header is the client's to choose, and unknown names must
// not grow the memory without end.
const maxCachedHosts = 1024

// billerCache holds billers by id and the biller of each host name
// asked for (uuid.Nil: none serves it). A nil *billerCache reads
// through to the store.
type billerCache struct {
	changes BillerChanges
	mu      sync.Mutex
	// gen counts the changes told: a read that began before one does not
	// fill the cache with what it read, which may be older.
	gen    uint64
	byID   map[uuid.UUID]domain.Biller
	byHost map[string]uuid.UUID
}

// newBillerCache returns the cache over the store's notifications, or nil
// (no cache) when store does not tell its changes.
func newBillerCache(store Store) *billerCache {
	changes, ok := store.(BillerChanges)
	if !ok {
		return nil
	}
	c := &billerCache{changes: changes, byID: map[uuid.UUID]domain.Biller{}, byHost: map[string]uuid.UUID{}}
	// The portal lives as long as its store: the watch ends when the
	// store is closed.
	changes.WatchBillers(context.Background(), c.changed)
	return c
}

// changed drops what a change may have made stale: the biller (every
// biller for uuid.Nil), and every host name, since a host may have moved
// from one biller to another or been given to one.
func (c *billerCache) changed(id uuid.UUID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if id == uuid.Nil {
		clear(c.byID)
	} else {
		delete(c.byID, id)
	}
	clear(c.byHost)
}

// lookup returns the cached biller with id, if any, and the generation
// to fill the cache at after a miss.
func (c *billerCache) lookup(id uuid.UUID) (domain.Biller, bool, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.byID[id]
	return b, ok, c.gen
}

// fill keeps b (and host's answer when host is not empty) unless a
// change was told since gen, or changes are not being told now.
func (c *billerCache) fill(gen uint64, host string, b domain.Biller) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen || !c.changes.BillersWatched() {
		return
	}
	if b.ID != uuid.Nil {
		c.byID[b.ID] = cloneBillerHosts(b)
	}
	if host != "" && (len(c.byHost) < maxCachedHosts || b.ID != uuid.Nil) {
		c.byHost[host] = b.ID
	}
}

// biller returns the biller with id, from the cache or else read through
// r (the store, or a transaction) and kept.
func (c *billerCache) biller(ctx context.Context, r BillerStore, id uuid.UUID) (domain.Biller, error) {
	if c == nil || !c.changes.BillersWatched() {
		return r.Biller(ctx, id)
	}
	b, ok, gen := c.lookup(id)
	if ok {
		return cloneBillerHosts(b), nil
	}
	b, err := r.Biller(ctx, id)
	if err != nil {
		return b, err
	}
	c.fill(gen, "", b)
	return b, nil
}

// billerByHost returns the biller serving host (NormalizeHost form), from
// the cache or else read and kept, an unknown host as well.
func (c *billerCache) billerByHost(ctx context.Context, r BillerStore, host string) (domain.Biller, error) {
	if c == nil || !c.changes.BillersWatched() {
		return r.BillerByHost(ctx, host)
	}
	c.mu.Lock()
	id, known := c.byHost[host]
	b, found := c.byID[id]
	gen := c.gen
	c.mu.Unlock()
	switch {
	case known && id == uuid.Nil:
		return domain.Biller{}, domain.ErrNotFound
	case known && found:
		return cloneBillerHosts(b), nil
	}
	b, err := r.BillerByHost(ctx, host)
	if domain.ErrorCode(err) == domain.NotFound {
		c.fill(gen, host, domain.Biller{})
		return b, err
	}
	if err != nil {
		return b, err
	}
	c.fill(gen, host, b)
	return b, nil
}

// cloneBillerHosts copies the biller's one shared part, its hosts, so
// that no caller changes the cached record.
func cloneBillerHosts(b domain.Biller) domain.Biller {
	b.Hosts = slices.Clone(b.Hosts)
	return b
}

// biller reads a biller through the cache (core_billers_cache.go), outside
// a transaction.
func (p *Portal) biller(ctx context.Context, id uuid.UUID) (domain.Biller, error) {
	return p.billers.biller(ctx, p.store, id)
}

// billerIn reads a biller through the cache, or through tx on a miss: for
// the hot paths' transactions, which read the biller's settings but never
// lock nor change it (a change of settings reads it with
// BillerForUpdate, never from the cache).
func (p *Portal) billerIn(ctx context.Context, tx Tx, id uuid.UUID) (domain.Biller, error) {
	return p.billers.biller(ctx, tx, id)
}
