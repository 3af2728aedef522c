package memory

import (
	"cmp"
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// Biller returns the biller with id.
func (s *Store) Biller(ctx context.Context, id uuid.UUID) (domain.Biller, error) {
	return read(s, func(t *tx) (domain.Biller, error) { return t.Biller(ctx, id) })
}

// Billers returns every biller, by name.
func (s *Store) Billers(ctx context.Context) ([]domain.Biller, error) {
	return read(s, func(t *tx) ([]domain.Biller, error) { return t.Billers(ctx) })
}

// SaveBiller inserts or replaces b.
func (s *Store) SaveBiller(ctx context.Context, b domain.Biller) error {
	return s.write(ctx, func(t *tx) error { return t.SaveBiller(ctx, b) })
}

// BillerForUpdate returns the biller with id; a transaction of this store
// holds every record already.
func (s *Store) BillerForUpdate(ctx context.Context, id uuid.UUID) (domain.Biller, error) {
	return s.Biller(ctx, id)
}

func (t *tx) BillerForUpdate(ctx context.Context, id uuid.UUID) (domain.Biller, error) {
	return t.Biller(ctx, id)
}

func (t *tx) Biller(_ context.Context, id uuid.UUID) (domain.Biller, error) {
	if err := t.live(); err != nil {
		return domain.Biller{}, err
	}
	b, ok := t.t.billers.rows[id]
	if !ok {
		return domain.Biller{}, notFound("biller %s", id)
	}
	return cloneBiller(b), nil
}

func (t *tx) Billers(_ context.Context) ([]domain.Biller, error) {
	if err := t.live(); err != nil {
		return nil, err
	}
	out := make([]domain.Biller, 0, len(t.t.billers.rows))
	for _, b := range t.t.billers.rows {
		out = append(out, cloneBiller(b))
	}
	slices.SortFunc(out, func(a, b domain.Biller) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), compareIDs(a.ID, b.ID))
	})
	return out, nil
}

func (t *tx) SaveBiller(_ context.Context, b domain.Biller) error {
	if err := t.writing(); err != nil {
		return err
	}
	if h, taken := t.hostTaken(b); taken {
		return conflict("hosts", "Le nom d'hôte "+h+" est déjà celui d'un autre service.", "host %q taken", h)
	}
	t.journal(t.t.billers.put(b.ID, cloneBiller(b)))
	return nil
}
