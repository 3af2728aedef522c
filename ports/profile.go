package ports

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// "Mes informations": the logged-in payer's password and address, and
// the confirmation of a new address.

// ChangePassword is "Mes informations" → change password: the current
// password is required. Every other session of the account ends.
func (p Citizens) ChangePassword(ctx context.Context, c Citizen, currentSession, current, password, confirm string) error {
	if password != confirm {
		return domain.FieldError("confirm", "Les deux mots de passe saisis sont différents.")
	}
	a, _, err := citizenAccount(ctx, p.store, c)
	if err != nil {
		return err
	}
	if !p.hasher.Verify(current, a.PasswordHash) {
		return domain.ErrWrongPassword
	}
	b, err := p.store.Biller(ctx, c.BillerID)
	if err != nil {
		return domain.WrapInternal(err)
	}
	if err := domain.CheckPassword(password, b.MinPasswordLength); err != nil {
		return err
	}
	hash, err := p.hasher.Hash(password)
	if err != nil {
		return domain.WrapInternal(err)
	}
	now := p.clock.Now()
	err = p.store.Atomic(ctx, func(tx Tx) error {
		a, _, err := citizenAccount(ctx, tx, c)
		if err != nil {
			return err
		}
		a.SetPassword(hash, now)
		if err := mapSave(tx.SaveAccount(ctx, a)); err != nil {
			return err
		}
		return p.audit(ctx, tx, citizenActor(ctx, a), domain.AuditPasswordChanged, a.Email,
			"Mot de passe changé depuis « Mes informations » ; les autres sessions sont fermées.")
	})
	if err != nil {
		return err
	}
	if err := p.sessions.DeleteAccountSessions(ctx, a.ID, domain.HashSecret(currentSession)); err != nil {
		p.log.ErrorContext(ctx, "other sessions not ended after password change", "account", a.ID, "err", err)
	}
	return nil
}

// RequestEmailChange sends a confirmation link to the new address; the
// change happens only when it is followed. The current password is
// required, so a borrowed session cannot take the account over.
func (p Citizens) RequestEmailChange(ctx context.Context, c Citizen, newEmail, current string) error {
	newEmail = domain.NormalizeEmail(newEmail)
	if err := domain.CheckEmail(newEmail); err != nil {
		return err
	}
	// The address is PayFiP's mel too: one it would refuse would keep
	// the citizen from paying online (docs/payfip.md §3.3).
	if err := domain.CheckPayFiPEmail(newEmail); err != nil {
		return err
	}
	a, _, err := citizenAccount(ctx, p.store, c)
	if err != nil {
		return err
	}
	if !p.hasher.Verify(current, a.PasswordHash) {
		return domain.ErrWrongPassword
	}
	if newEmail == a.Email {
		return domain.FieldError("email", "C'est déjà l'adresse de votre compte.")
	}
	now := p.clock.Now()
	err = p.store.Atomic(ctx, func(tx Tx) error {
		a, _, err := citizenAccount(ctx, tx, c)
		if err != nil {
			return err
		}
		if err := emailFree(ctx, tx, a, newEmail); err != nil {
			return err
		}
		b, err := tx.Biller(ctx, c.BillerID)
		if err != nil {
			return domain.WrapInternal(err)
		}
		if err := p.issueLink(ctx, tx, b, a, domain.TokenEmailChange, newEmail, newEmail, now); err != nil {
			return err
		}
		return p.audit(ctx, tx, citizenActor(ctx, a), domain.AuditEmailChangeAsked, newEmail,
			"Changement d'adresse demandé vers "+newEmail+" : lien de confirmation envoyé à cette adresse.")
	})
	if err != nil {
		return err
	}
	p.mailsQueued(ctx)
	return nil
}

// ConfirmEmailChange follows the link sent to the new address: the
// account's login becomes that address and the old address is told.
func (p Citizens) ConfirmEmailChange(ctx context.Context, billerID uuid.UUID, secret string) (string, error) {
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

// Profile is what "Mes informations" shows.
type Profile struct {
	Email     string
	PayerName string
	PayerRef  string
	Paperless bool
	// PaperlessRequestedAt is when the paper invoices were stopped.
	PaperlessRequestedAt time.Time
	MinPasswordLength    int
}

// Profile returns the caller's account information.
func (p Citizens) Profile(ctx context.Context, c Citizen) (Profile, error) {
	a, payer, err := citizenAccount(ctx, p.store, c)
	if err != nil {
		return Profile{}, err
	}
	b, err := p.store.Biller(ctx, c.BillerID)
	if err != nil {
		return Profile{}, domain.WrapInternal(err)
	}
	return Profile{Email: a.Email, PayerName: payer.Name, PayerRef: payer.ExternalRef, Paperless: payer.Paperless,
		PaperlessRequestedAt: payer.PaperlessRequestedAt, MinPasswordLength: b.MinPasswordLength}, nil
}

// CheckEmailLink tells whether an email-change link can still be used,
// and which address it confirms, without using it.
func (p Citizens) CheckEmailLink(ctx context.Context, billerID uuid.UUID, secret string) (string, error) {
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
