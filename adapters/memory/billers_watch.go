package memory

import (
	"context"
	"sync"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/ports"
)

var _ ports.BillerChanges = (*Store)(nil)

// billerWatch holds the watches of ports.BillerChanges. The store tells
// its own changes, synchronously: SaveBiller (or the Atomic holding it)
// returns once every watch has heard.
type billerWatch struct {
	mu      sync.Mutex // held while telling: one call at a time
	next    int
	watches []watch
}

type watch struct {
	n       int
	changed func(uuid.UUID)
}

// WatchBillers calls changed with uuid.Nil at once, then with the id of
// every biller saved, once its transaction is in, until ctx ends.
func (s *Store) WatchBillers(ctx context.Context, changed func(id uuid.UUID)) {
	w := &s.watch
	w.mu.Lock()
	n := w.next
	w.next++
	w.watches = append(w.watches, watch{n: n, changed: changed})
	changed(uuid.Nil) // changes are told from now on
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

// BillersWatched is always true: the store tells every change it makes,
// and no other instance shares its data.
func (s *Store) BillersWatched() bool { return true }

// tell calls every watch with each id, in order.
func (w *billerWatch) tell(ids []uuid.UUID) {
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
