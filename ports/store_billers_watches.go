package ports

import (
	"context"
	"sync"

	"github.com/google/uuid"
)

// BillerWatches keeps the watches of a store's BillerChanges and tells
// them, one call at a time, in the order they were added: both stores
// hold one. The zero value is ready to use.
type BillerWatches struct {
	mu      sync.Mutex // held while telling
	next    int
	watches []billerWatch
}

type billerWatch struct {
	n       int
	changed func(uuid.UUID)
}

// Add keeps changed until ctx ends. told is asked while no change is
// being told: when it reports that the store tells its changes already,
// changed hears uuid.Nil at once.
func (w *BillerWatches) Add(ctx context.Context, changed func(id uuid.UUID), told func() bool) {
	w.mu.Lock()
	n := w.next
	w.next++
	w.watches = append(w.watches, billerWatch{n: n, changed: changed})
	if told() {
		changed(uuid.Nil)
	}
	w.mu.Unlock()
	if ctx.Done() == nil {
		return
	}
	context.AfterFunc(ctx, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		for i, x := range w.watches {
			if x.n == n {
				w.watches = append(w.watches[:i:i], w.watches[i+1:]...)
				return
			}
		}
	})
}

// Tell calls every watch with each id, in order.
func (w *BillerWatches) Tell(ids ...uuid.UUID) {
	if len(ids) == 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, id := range ids {
		for _, x := range w.watches {
			x.changed(id)
		}
	}
}
