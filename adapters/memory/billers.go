package memory

import (
	"cmp"
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// BillerForUpdate returns the biller with id; a transaction of this store
// holds every record already.
func (t *tx) BillerForUpdate(ctx context.Context, id uuid.UUID) (domain.Biller, error) {
	return t.Biller(ctx, id)
}

// Biller returns the biller with id.
func (t *tx) Biller(_ context.Context, id uuid.UUID) (domain.Biller, error) {
	t, done, err := t.reading()
	if err != nil {
		return domain.Biller{}, err
	}
	defer done()
	b, ok := t.t.billers.rows[id]
	if !ok {
		return domain.Biller{}, notFound("biller %s", id)
	}
	return cloneBiller(b), nil
}

// Billers returns every biller, by name.
func (t *tx) Billers(_ context.Context) ([]domain.Biller, error) {
	t, done, err := t.reading()
	if err != nil {
		return nil, err
	}
	defer done()
	out := make([]domain.Biller, 0, len(t.t.billers.rows))
	for _, b := range t.t.billers.rows {
		out = append(out, cloneBiller(b))
	}
	slices.SortFunc(out, func(a, b domain.Biller) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), compareIDs(a.ID, b.ID))
	})
	return out, nil
}

// SaveBiller inserts or replaces b.
func (t *tx) SaveBiller(ctx context.Context, b domain.Biller) (err error) {
	t, done, err := t.writing(ctx)
	if err != nil {
		return err
	}
	defer done(&err)
	if h, taken := t.hostTaken(b); taken {
		return conflict("hosts", "Le nom d'hôte "+h+" est déjà celui d'un autre service.", "host %q taken", h)
	}
	t.journal(t.t.billers.put(b.ID, cloneBiller(b)))
	t.billersChanged = append(t.billersChanged, b.ID)
	return nil
}
