package ports

import (
	"context"

	"github.com/google/uuid"
	"github.com/portail-factures/portail/domain"
)

// Loads more than one façade shares: the biller of a host or id, the
// biller with the instance's PayFiP mode, the logged-in citizen's account,
// whether an address is free.

// BillerForHost returns the biller serving a request's Host header.
func (p *Portal) BillerForHost(ctx context.Context, host string) (domain.Biller, error) {
	h := domain.NormalizeHost(host)
	if h == "" {
		return domain.Biller{}, domain.ErrNotFound
	}
	b, err := p.billers.billerByHost(ctx, p.store, h)
	if err != nil {
		return b, notFoundAs(err, domain.ErrNotFound)
	}
	return b, nil
}

// BillerByID returns a biller's record, for the adapters that serve it.
func (p *Portal) BillerByID(ctx context.Context, id uuid.UUID) (domain.Biller, error) {
	b, err := p.biller(ctx, id)
	if err != nil {
		return b, notFoundAs(err, domain.ErrNotFound)
	}
	return b, nil
}

// emailFree reports Conflict when email belongs to another account or to
// another payer of the biller: activation looks payers up by address, so
// both must stay unique.
func emailFree(ctx context.Context, tx Tx, a domain.Account, email string) error {
	if other, err := tx.AccountByEmail(ctx, a.BillerID, email); err == nil && other.ID != a.ID {
		return domain.ErrEmailTaken
	} else if err != nil && domain.ErrorCode(err) != domain.NotFound {
		return domain.WrapInternal(err)
	}
	if other, err := tx.PayerByEmail(ctx, a.BillerID, email); err == nil && other.ID != a.PayerID {
		return domain.ErrEmailTaken
	} else if err != nil && domain.ErrorCode(err) != domain.NotFound {
		return domain.WrapInternal(err)
	}
	return nil
}

// withMode gives a biller loaded from the store the instance's PayFiP
// mode, on which the limits of a payment depend.
func (p *Portal) withMode(b domain.Biller) domain.Biller {
	b.PayFiPMode = p.cfg.PayFiPMode
	return b
}

// citizenAccount returns the caller's account and payer for a use case
// outside a transaction: those Authenticate read with the session when it
// could, else read now; with the same checks.
func (p *Portal) citizenAccount(ctx context.Context, c Citizen) (domain.Account, domain.Payer, error) {
	r := c.read
	if r == nil {
		return citizenAccount(ctx, p.store, c)
	}
	if a := r.account; a.ID != c.AccountID || a.BillerID != c.BillerID || a.PayerID != c.PayerID || !a.Active() ||
		r.payer.ID != a.PayerID {
		return a, domain.Payer{}, domain.ErrNotFound
	}
	return r.account, r.payer, nil
}

// citizenAccount loads the caller's account and payer and checks they
// still belong together.
func citizenAccount(ctx context.Context, tx Tx, c Citizen) (domain.Account, domain.Payer, error) {
	a, err := tx.Account(ctx, c.AccountID)
	if err != nil {
		return a, domain.Payer{}, notFoundAs(err, domain.ErrNotFound)
	}
	if a.BillerID != c.BillerID || a.PayerID != c.PayerID || !a.Active() {
		return a, domain.Payer{}, domain.ErrNotFound
	}
	payer, err := tx.Payer(ctx, a.PayerID)
	if err != nil {
		return a, payer, notFoundAs(err, domain.ErrNotFound)
	}
	return a, payer, nil
}
