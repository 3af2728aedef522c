package ports

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/portail-factures/portail/domain"
)

// RequestActivation is "J'active mon compte": the payer gives the address
// the billing service knows, and receives a link to choose a password.
// An address the service does not know gets domain.ErrUnknownEmail, the
// manual's "Activation impossible, adresse inconnue" (the manual requires
// this answer, so here existence is told on purpose).
func (p CitizenAccounts) RequestActivation(ctx context.Context, billerID uuid.UUID, email string) error {
	email = domain.NormalizeEmail(email)
	if err := domain.CheckEmail(email); err != nil {
		return err
	}
	now := p.clock.Now()
	err := p.store.Atomic(ctx, func(tx Tx) error {
		b, err := tx.Biller(ctx, billerID)
		if err != nil {
			return notFoundAs(err, domain.ErrNotFound)
		}
		// The address may be the payer's (from the billing software) or an
		// account's (after a confirmed change of address).
		a, err := tx.AccountByEmail(ctx, billerID, email)
		if domain.ErrorCode(err) == domain.NotFound {
			payer, perr := tx.PayerByEmail(ctx, billerID, email)
			if perr != nil {
				return notFoundAs(perr, domain.ErrUnknownEmail)
			}
			a, err = tx.AccountByPayer(ctx, payer.ID)
			if domain.ErrorCode(err) == domain.NotFound {
				id, ierr := p.newID()
				if ierr != nil {
					return ierr
				}
				a = domain.NewAccount(id, payer, now)
				err = tx.SaveAccount(ctx, a)
			}
		}
		if err != nil {
			return domain.WrapInternal(err)
		}
		purpose := domain.TokenActivation
		if a.Active() {
			// Asking to activate an active account is asking for a new
			// password: the link is a reset link, short-lived.
			purpose = domain.TokenReset
		}
		if err := p.issueLink(ctx, tx, b, a, purpose, a.Email, "", now); err != nil {
			return err
		}
		action, detail := linkAction(purpose)
		return p.audit(ctx, tx, citizenActor(ctx, a), action, a.Email, detail)
	})
	if err != nil {
		return err
	}
	p.mailsQueued(ctx)
	return nil
}

// RequestPasswordReset is "Oublié ?": it always answers the same, whether
// or not the address is known, so the form tells nobody who has an
// account. A known payer who never activated gets an activation link.
func (p CitizenAccounts) RequestPasswordReset(ctx context.Context, billerID uuid.UUID, email string) error {
	email = domain.NormalizeEmail(email)
	if err := domain.CheckEmail(email); err != nil {
		return err
	}
	err := p.RequestActivation(ctx, billerID, email)
	if err == nil || domain.ErrorCode(err) == domain.NotFound {
		return nil
	}
	return err
}

// CheckPasswordLink tells whether an activation or reset link can still be
// used, and for which address, without using it.
func (p CitizenAccounts) CheckPasswordLink(ctx context.Context, billerID uuid.UUID, secret string) (LinkInfo, error) {
	t, a, b, err := p.passwordLink(ctx, p.store, billerID, secret)
	if err != nil {
		return LinkInfo{}, err
	}
	if err := t.Check(t.Purpose, p.clock.Now()); err != nil {
		return LinkInfo{}, err
	}
	return LinkInfo{Email: a.Email, Purpose: t.Purpose, MinPasswordLength: b.MinPasswordLength}, nil
}

func (p *Portal) passwordLink(ctx context.Context, tx Tx, billerID uuid.UUID, secret string) (domain.Token, domain.Account, domain.Biller, error) {
	if secret == "" || len(secret) > 100 {
		return domain.Token{}, domain.Account{}, domain.Biller{}, domain.ErrTokenUnknown
	}
	t, err := tx.Token(ctx, domain.HashSecret(secret))
	if err != nil {
		return t, domain.Account{}, domain.Biller{}, notFoundAs(err, domain.ErrTokenUnknown)
	}
	if t.Purpose != domain.TokenActivation && t.Purpose != domain.TokenReset {
		return t, domain.Account{}, domain.Biller{}, domain.ErrTokenUnknown
	}
	a, err := tx.Account(ctx, t.AccountID)
	if err != nil || a.BillerID != billerID {
		return t, a, domain.Biller{}, domain.ErrTokenUnknown
	}
	b, err := tx.Biller(ctx, billerID)
	if err != nil {
		return t, a, b, domain.WrapInternal(err)
	}
	return t, a, b, nil
}

// SetPassword is "Saisissez votre nouveau mot de passe" → "Enregistrer":
// it uses the link once, stores the argon2id hash and activates the
// account. Every open session of the account ends.
func (p CitizenAccounts) SetPassword(ctx context.Context, billerID uuid.UUID, secret, password, confirm string) error {
	if password != confirm {
		return domain.FieldError("confirm", "Les deux mots de passe saisis sont différents.")
	}
	now := p.clock.Now()
	// Check the link and the password before paying for the hash.
	t, a, b, err := p.passwordLink(ctx, p.store, billerID, secret)
	if err != nil {
		return err
	}
	if err := t.Check(t.Purpose, now); err != nil {
		return err
	}
	if err := domain.CheckPassword(password, b.MinPasswordLength); err != nil {
		return err
	}
	hash, err := p.hasher.HashBounded(ctx, password)
	if err != nil {
		return err
	}
	err = p.store.Atomic(ctx, func(tx Tx) error {
		t, a, _, err = p.passwordLink(ctx, tx, billerID, secret)
		if err != nil {
			return err
		}
		if err := t.Use(t.Purpose, now); err != nil {
			return err
		}
		a.SetPassword(hash, now)
		if err := tx.SaveToken(ctx, t); err != nil {
			return domain.WrapInternal(err)
		}
		if err := mapSave(tx.SaveAccount(ctx, a)); err != nil {
			return err
		}
		detail := "Mot de passe choisi par le lien d'activation : compte activé."
		if t.Purpose == domain.TokenReset {
			detail = "Mot de passe réinitialisé par le lien reçu."
		}
		return p.audit(ctx, tx, citizenActor(ctx, a), domain.AuditPasswordSet, a.Email, detail)
	})
	if err != nil {
		return err
	}
	if err := p.sessions.DeleteAccountSessions(ctx, a.ID, ""); err != nil {
		p.log.ErrorContext(ctx, "sessions not ended after password set", "account", a.ID, "err", err)
	}
	return nil
}

// BillerInfo is what anonymous pages show of the biller served.
type BillerInfo struct {
	Name              string
	Email             string
	MinPasswordLength int
	LockDuration      time.Duration
	// Retention says how long a closed account's personal data are kept
	// ("12 mois"), for the legal notice.
	Retention string
}

// Biller returns the public information of a biller, for the pages shown
// before login (titles, legal notice, forms).
func (p CitizenAccounts) Biller(ctx context.Context, billerID uuid.UUID) (BillerInfo, error) {
	b, err := p.store.Biller(ctx, billerID)
	if err != nil {
		return BillerInfo{}, notFoundAs(err, domain.ErrNotFound)
	}
	return BillerInfo{Name: b.Name, Email: b.Email, MinPasswordLength: b.MinPasswordLength, LockDuration: b.LockDuration,
		Retention: RetentionWords(b.RetentionMonths)}, nil
}
