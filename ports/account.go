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
func (p *Portal) RequestActivation(ctx context.Context, billerID uuid.UUID, email string) error {
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
		return p.issueLink(ctx, tx, b, a, purpose, a.Email, "", now)
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
func (p *Portal) RequestPasswordReset(ctx context.Context, billerID uuid.UUID, email string) error {
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

// issueLink revokes the account's open links of that purpose, stores a
// new one and puts its mail in the outbox, all in tx.
func (p *Portal) issueLink(ctx context.Context, tx Tx, b domain.Biller, a domain.Account, purpose domain.TokenPurpose, to, newEmail string, now time.Time) error {
	open, err := tx.OpenTokens(ctx, a.ID, purpose)
	if err != nil {
		return domain.WrapInternal(err)
	}
	for _, t := range open {
		if t.Revoke(now) {
			if err := tx.SaveToken(ctx, t); err != nil {
				return domain.WrapInternal(err)
			}
		}
	}
	raw, err := p.randomBytes(domain.TokenBytes)
	if err != nil {
		return err
	}
	ttl, path, name := p.cfg.ActivationTTL, PathSetPassword, mailActivation
	switch purpose {
	case domain.TokenReset:
		ttl, name = p.cfg.ResetTTL, mailReset
	case domain.TokenEmailChange:
		ttl, path, name = p.cfg.EmailChangeTTL, PathConfirmEmail, mailEmailChange
	}
	t, secret, err := domain.NewToken(raw, a.ID, purpose, now, ttl)
	if err != nil {
		return err
	}
	t.NewEmail = newEmail
	if err := tx.SaveToken(ctx, t); err != nil {
		return domain.WrapInternal(err)
	}
	m, err := p.mails.render(name, to, "", mailData{Biller: b, Link: p.link(b, path, secret), Email: to, TTL: ttlWords(ttl)})
	if err != nil {
		return err
	}
	return p.enqueue(ctx, tx, m, now)
}

// LinkInfo is what the password screen shows before the payer types.
type LinkInfo struct {
	Email             string
	Purpose           domain.TokenPurpose
	MinPasswordLength int
}

// CheckPasswordLink tells whether an activation or reset link can still be
// used, and for which address, without using it.
func (p *Portal) CheckPasswordLink(ctx context.Context, billerID uuid.UUID, secret string) (LinkInfo, error) {
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
func (p *Portal) SetPassword(ctx context.Context, billerID uuid.UUID, secret, password, confirm string) error {
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
	hash, err := p.hasher.Hash(password)
	if err != nil {
		return domain.WrapInternal(err)
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
		return mapSave(tx.SaveAccount(ctx, a))
	})
	if err != nil {
		return err
	}
	if err := p.sessions.DeleteAccountSessions(ctx, a.ID, ""); err != nil {
		p.log.ErrorContext(ctx, "sessions not ended after password set", "account", a.ID, "err", err)
	}
	return nil
}

// Login checks the address and password and opens a new session; the
// session the browser had before (previous, may be empty) is destroyed,
// so the session id always changes at login. Every failure gives
// domain.ErrBadCredentials after the same work, so neither the answer
// nor its delay tells whether the address has an account.
func (p *Portal) Login(ctx context.Context, billerID uuid.UUID, email, password string, remember bool, previous string) (secret string, s Session, err error) {
	email = domain.NormalizeEmail(email)
	now := p.clock.Now()
	a, err := p.store.AccountByEmail(ctx, billerID, email)
	if err != nil && domain.ErrorCode(err) != domain.NotFound {
		return "", Session{}, domain.WrapInternal(err)
	}
	hash := a.PasswordHash
	if err != nil || !a.Active() {
		hash = p.dummyHash
	}
	if !p.hasher.Verify(password, hash) || err != nil || !a.Active() {
		return "", Session{}, domain.ErrBadCredentials
	}
	if p.hasher.NeedsRehash(a.PasswordHash) {
		if h, herr := p.hasher.Hash(password); herr == nil {
			a.PasswordHash = h
		}
	}
	a.LastLoginAt = now
	a.UpdatedAt = now
	if err := p.store.SaveAccount(ctx, a); err != nil {
		return "", Session{}, domain.WrapInternal(err)
	}
	if previous != "" {
		if err := p.sessions.DeleteSession(ctx, domain.HashSecret(previous)); err != nil && domain.ErrorCode(err) != domain.NotFound {
			p.log.WarnContext(ctx, "previous session not deleted", "err", err)
		}
	}
	return p.openSession(ctx, a, remember, now)
}

func (p *Portal) openSession(ctx context.Context, a domain.Account, remember bool, now time.Time) (string, Session, error) {
	secret, err := p.randomString(32)
	if err != nil {
		return "", Session{}, err
	}
	csrf, err := p.randomString(32)
	if err != nil {
		return "", Session{}, err
	}
	ttl := p.cfg.SessionTTL
	if remember {
		ttl = p.cfg.RememberTTL
	}
	s := Session{
		ID: domain.HashSecret(secret), BillerID: a.BillerID, AccountID: a.ID, CSRFToken: csrf,
		Persistent: remember, CreatedAt: now, ExpiresAt: now.Add(ttl),
	}
	if err := p.sessions.CreateSession(ctx, s); err != nil {
		return "", Session{}, domain.WrapInternal(err)
	}
	return secret, s, nil
}

// Authenticate returns the session and the citizen behind a cookie's
// secret, or Unauthenticated when it is unknown, expired or its account
// no longer active.
func (p *Portal) Authenticate(ctx context.Context, secret string) (Session, Citizen, error) {
	unauth := domain.Errorf(domain.Unauthenticated, "Votre session a expiré. Veuillez vous reconnecter.")
	if secret == "" || len(secret) > 100 {
		return Session{}, Citizen{}, unauth
	}
	s, err := p.sessions.Session(ctx, domain.HashSecret(secret))
	if err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return Session{}, Citizen{}, unauth
		}
		return Session{}, Citizen{}, domain.WrapInternal(err)
	}
	if !p.clock.Now().Before(s.ExpiresAt) {
		_ = p.sessions.DeleteSession(ctx, s.ID)
		return Session{}, Citizen{}, unauth
	}
	if s.Staff {
		return Session{}, Citizen{}, unauth
	}
	a, err := p.store.Account(ctx, s.AccountID)
	if err != nil || !a.Active() || a.BillerID != s.BillerID {
		return Session{}, Citizen{}, unauth
	}
	return s, Citizen{BillerID: a.BillerID, AccountID: a.ID, PayerID: a.PayerID}, nil
}

// Logout is "Se déconnecter": the session is destroyed.
func (p *Portal) Logout(ctx context.Context, secret string) error {
	if secret == "" {
		return nil
	}
	err := p.sessions.DeleteSession(ctx, domain.HashSecret(secret))
	if err != nil && domain.ErrorCode(err) != domain.NotFound {
		return domain.WrapInternal(err)
	}
	return nil
}

// CloseNotice is "Fermer" on the important notice: it stays closed for
// the rest of the session.
func (p *Portal) CloseNotice(ctx context.Context, s Session) error {
	if s.NoticeClosed {
		return nil
	}
	s.NoticeClosed = true
	err := p.sessions.SaveSession(ctx, s)
	if domain.ErrorCode(err) == domain.NotFound {
		return domain.Errorf(domain.Unauthenticated, "Votre session a expiré. Veuillez vous reconnecter.")
	}
	return domain.WrapInternal(err)
}

// ChangePassword is "Mes informations" → change password: the current
// password is required. Every other session of the account ends.
func (p *Portal) ChangePassword(ctx context.Context, c Citizen, currentSession, current, password, confirm string) error {
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
		return mapSave(tx.SaveAccount(ctx, a))
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
func (p *Portal) RequestEmailChange(ctx context.Context, c Citizen, newEmail, current string) error {
	newEmail = domain.NormalizeEmail(newEmail)
	if err := domain.CheckEmail(newEmail); err != nil {
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
		return p.issueLink(ctx, tx, b, a, domain.TokenEmailChange, newEmail, newEmail, now)
	})
	if err != nil {
		return err
	}
	p.mailsQueued(ctx)
	return nil
}

// ConfirmEmailChange follows the link sent to the new address: the
// account's login becomes that address and the old address is told.
func (p *Portal) ConfirmEmailChange(ctx context.Context, billerID uuid.UUID, secret string) (string, error) {
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
		return p.enqueue(ctx, tx, m, now)
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

// mapSave passes a store's Conflict on (its message is French) and wraps
// anything else.
func mapSave(err error) error {
	if err == nil || domain.ErrorCode(err) == domain.Conflict {
		return err
	}
	return domain.WrapInternal(err)
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
func (p *Portal) Profile(ctx context.Context, c Citizen) (Profile, error) {
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

// BillerInfo is what anonymous pages show of the biller served.
type BillerInfo struct {
	Name              string
	Email             string
	MinPasswordLength int
	LockDuration      time.Duration
}

// Biller returns the public information of a biller, for the pages shown
// before login (titles, legal notice, forms).
func (p *Portal) Biller(ctx context.Context, billerID uuid.UUID) (BillerInfo, error) {
	b, err := p.store.Biller(ctx, billerID)
	if err != nil {
		return BillerInfo{}, notFoundAs(err, domain.ErrNotFound)
	}
	return BillerInfo{Name: b.Name, Email: b.Email, MinPasswordLength: b.MinPasswordLength, LockDuration: b.LockDuration}, nil
}

// CheckEmailLink tells whether an email-change link can still be used,
// and which address it confirms, without using it.
func (p *Portal) CheckEmailLink(ctx context.Context, billerID uuid.UUID, secret string) (string, error) {
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
