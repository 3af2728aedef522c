package ports

import (
	"context"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// BillerStore keeps the billers (the local authorities) and finds the
// one serving a host name.
type BillerStore interface {
	Biller(ctx context.Context, id uuid.UUID) (domain.Biller, error)
	// BillerForUpdate returns the biller locked until the transaction
	// ends: a change of settings never overwrites another made meanwhile.
	BillerForUpdate(ctx context.Context, id uuid.UUID) (domain.Biller, error)
	Billers(ctx context.Context) ([]domain.Biller, error)
	// BillerByHost finds the biller serving a host name (NormalizeHost
	// form); NotFound when none does.
	BillerByHost(ctx context.Context, host string) (domain.Biller, error)
	// SaveBiller returns Conflict when another biller already has one of
	// the biller's hosts.
	SaveBiller(ctx context.Context, b domain.Biller) error
}

// BillerChanges is implemented by a store that tells when a biller
// changes, so that the core may keep billers in memory
// (core_billers_cache.go): every portal instance sharing the data hears
// of every change. A store without it has its billers read at each use.
type BillerChanges interface {
	// WatchBillers calls changed, until ctx ends or the store is closed,
	// with the id of each biller created or changed (its settings or its
	// hosts), by this instance or another, once the change is committed;
	// and with uuid.Nil whenever changes begin to be told (at once if
	// they are already, and each time the notifications' connection is
	// made or lost): then any biller may have changed. Calls come one at
	// a time, in the order of the watches; changed must be quick and must
	// not call the store.
	WatchBillers(ctx context.Context, changed func(id uuid.UUID))
	// BillersWatched reports whether changes are told now. While it is
	// false (not yet connected, connection lost) a change may go untold,
	// and nothing kept from the store may be trusted.
	BillersWatched() bool
}
