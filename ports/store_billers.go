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
