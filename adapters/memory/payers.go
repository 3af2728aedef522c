package memory

import (
	"context"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// PayerForUpdate returns the payer with id; a transaction of this store
// holds every record already.
func (t *tx) PayerForUpdate(ctx context.Context, id uuid.UUID) (domain.Payer, error) {
	return t.Payer(ctx, id)
}

// Payer returns the payer with id.
func (t *tx) Payer(_ context.Context, id uuid.UUID) (domain.Payer, error) {
	t, done, err := t.reading()
	if err != nil {
		return domain.Payer{}, err
	}
	defer done()
	p, ok := t.t.payers.rows[id]
	if !ok {
		return domain.Payer{}, notFound("payer %s", id)
	}
	return p, nil
}

// PayerByRef returns the biller's payer with the external reference ref.
func (t *tx) PayerByRef(ctx context.Context, billerID uuid.UUID, ref string) (domain.Payer, error) {
	t, done, err := t.reading()
	if err != nil {
		return domain.Payer{}, err
	}
	defer done()
	id, ok := t.t.payerByRef[scoped{billerID, ref}]
	if !ok {
		return domain.Payer{}, notFound("payer %q of biller %s", ref, billerID)
	}
	return t.Payer(ctx, id)
}

// PayerByEmail returns the biller's payer with the address email.
func (t *tx) PayerByEmail(ctx context.Context, billerID uuid.UUID, email string) (domain.Payer, error) {
	t, done, err := t.reading()
	if err != nil {
		return domain.Payer{}, err
	}
	defer done()
	id, ok := t.t.payerByEmail[scoped{billerID, emailKey(email)}]
	if !ok || email == "" {
		return domain.Payer{}, notFound("payer with this email in biller %s", billerID)
	}
	return t.Payer(ctx, id)
}

// SavePayer inserts or replaces p; Conflict when another payer of the
// biller has its reference or email.
func (t *tx) SavePayer(ctx context.Context, p domain.Payer) (err error) {
	t, done, err := t.writing(ctx)
	if err != nil {
		return err
	}
	defer done(&err)
	if id, ok := t.t.payerByRef[scoped{p.BillerID, p.ExternalRef}]; ok && id != p.ID {
		return conflict("external_ref", "Un autre redevable de ce service a déjà la référence "+p.ExternalRef+".",
			"payer %s already has external ref %q", id, p.ExternalRef)
	}
	if p.Email != "" {
		if id, ok := t.t.payerByEmail[scoped{p.BillerID, emailKey(p.Email)}]; ok && id != p.ID {
			return emailTaken("payer %s already has this email", id)
		}
	}
	t.journal(t.t.payers.put(p.ID, p))
	return nil
}
