package memory

import (
	"context"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/ports"
)

var _ ports.BillerChanges = (*Store)(nil)

// WatchBillers calls changed with uuid.Nil at once, then with the id of
// every biller saved, once its transaction is in, until ctx ends. The
// store tells its own changes synchronously: SaveBiller (or the Atomic
// holding it) returns once every watch has heard.
func (s *Store) WatchBillers(ctx context.Context, changed func(id uuid.UUID)) {
	s.watch.Add(ctx, changed, func() bool { return true })
}

// BillersWatched is always true: the store tells every change it makes,
// and no other instance shares its data.
func (s *Store) BillersWatched() bool { return true }
