package ports

import (
	"context"

	"github.com/google/uuid"
	"github.com/portail-factures/portail/domain"
)

// The link sent to a new address (Citizens.RequestEmailChange): checked
// before the page shows, then confirmed without a session. Part of
// CitizenAccounts.

// ConfirmEmailChange follows the link sent to the new address: the
// account's login becomes that address and the old address is told.
func (p CitizenAccounts) ConfirmEmailChange(ctx context.Context, billerID uuid.UUID, secret string) (string, error) {
	if secret == "" || len(secret) > 100 {
		return "", domain.ErrTokenUnknown
	}
	now := p.clock.Now()
	var newEmail string
	err := p.store.Atomic(ctx, func(tx Tx) error {
		t, err := tx.Token(ctx, domain.HashSecret(secret))
		if err != nil {
			return notFoundAs(err, domain.ErrTokenUnknown)
		}
		a, err := tx.Account(ctx, t.AccountID)
		if err != nil || a.BillerID != billerID {
			return domain.ErrTokenUnknown
		}
		if err := t.Use(domain.TokenEmailChange, now); err != nil {
			return err
		}
		if err := emailFree(ctx, tx, a, t.NewEmail); err != nil {
			return err
		}
		old := a.Email
		a.Email, a.UpdatedAt, newEmail = t.NewEmail, now, t.NewEmail
		if err := tx.SaveToken(ctx, t); err != nil {
			return domain.WrapInternal(err)
		}
		if err := mapSave(tx.SaveAccount(ctx, a)); err != nil {
			return err
		}
		b, err := tx.Biller(ctx, billerID)
		if err != nil {
			return domain.WrapInternal(err)
		}
		m, err := p.mails.render(mailEmailChanged, old, "", mailData{Biller: b, Email: a.Email})
		if err != nil {
			return err
		}
		if err := p.enqueue(ctx, tx, m, now); err != nil {
			return err
		}
		return p.audit(ctx, tx, citizenActor(ctx, a), domain.AuditEmailChanged, a.Email,
			"Adresse de connexion changée de "+old+" en "+a.Email+" (lien confirmé).")
	})
	if err != nil {
		return "", err
	}
	p.mailsQueued(ctx)
	return newEmail, nil
}

// CheckEmailLink tells whether an email-change link can still be used,
// and which address it confirms, without using it.
func (p CitizenAccounts) CheckEmailLink(ctx context.Context, billerID uuid.UUID, secret string) (string, error) {
	if secret == "" || len(secret) > 100 {
		return "", domain.ErrTokenUnknown
	}
	t, err := p.store.Token(ctx, domain.HashSecret(secret))
	if err != nil {
		return "", notFoundAs(err, domain.ErrTokenUnknown)
	}
	a, err := p.store.Account(ctx, t.AccountID)
	if err != nil || a.BillerID != billerID {
		return "", domain.ErrTokenUnknown
	}
	if err := t.Check(domain.TokenEmailChange, p.clock.Now()); err != nil {
		return "", err
	}
	return t.NewEmail, nil
}
