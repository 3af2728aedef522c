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
func (p Citizens) RequestActivation(ctx context.Context, billerID uuid.UUID, email string) error {
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
func (p Citizens) RequestPasswordReset(ctx context.Context, billerID uuid.UUID, email string) error {
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
func (p Citizens) CheckPasswordLink(ctx context.Context, billerID uuid.UUID, secret string) (LinkInfo, error) {
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
func (p Citizens) SetPassword(ctx context.Context, billerID uuid.UUID, secret, password, confirm string) error {
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

// Login checks the address and password and opens a new session; the
// session the browser had before (previous, may be empty) is destroyed,
// so the session id always changes at login. Every failure gives
// domain.ErrBadCredentials after the same work, so neither the answer
// nor its delay tells whether the address has an account.
func (p Citizens) Login(ctx context.Context, billerID uuid.UUID, email, password string, remember bool, previous string) (secret string, s Session, err error) {
	typed := email
	email = domain.NormalizeEmail(email)
	now := p.clock.Now()
	a, err := p.store.AccountByEmail(ctx, billerID, email)
	if err != nil && domain.ErrorCode(err) != domain.NotFound {
		return "", Session{}, domain.WrapInternal(err)
	}
	known := err == nil
	hash := a.PasswordHash
	if !known || !a.Active() {
		hash = p.dummyHash
	}
	if !p.hasher.Verify(password, hash) || !known || !a.Active() {
		p.loginFailed(ctx, billerID, typed, a, known)
		return "", Session{}, domain.ErrBadCredentials
	}
	newHash := ""
	if p.hasher.NeedsRehash(a.PasswordHash) {
		if h, herr := p.hasher.Hash(password); herr == nil {
			newHash = h
		}
	}
	err = p.store.Atomic(ctx, func(tx Tx) error {
		cur, err := tx.Account(ctx, a.ID)
		if err != nil {
			return domain.WrapInternal(err)
		}
		if newHash != "" && cur.PasswordHash == a.PasswordHash {
			cur.PasswordHash = newHash
		}
		cur.LastLoginAt, cur.UpdatedAt = now, now
		if err := tx.SaveAccount(ctx, cur); err != nil {
			return domain.WrapInternal(err)
		}
		detail := "Connexion."
		if remember {
			detail = "Connexion avec « Se souvenir de moi »."
		}
		return p.audit(ctx, tx, citizenActor(ctx, cur), domain.AuditLogin, cur.Email, detail)
	})
	if err != nil {
		return "", Session{}, err
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
func (p Citizens) Authenticate(ctx context.Context, secret string) (Session, Citizen, error) {
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

// loginFailed writes a failed login in the audit log: with the account
// when the address has one, with the address typed otherwise.
func (p *Portal) loginFailed(ctx context.Context, billerID uuid.UUID, typed string, a domain.Account, known bool) {
	actor, detail := strangerActor(ctx, billerID, typed), "Adresse inconnue."
	if known {
		actor, detail = citizenActor(ctx, a), "Mot de passe incorrect."
		if !a.Active() {
			detail = "Compte pas encore activé."
		}
	}
	p.auditAlone(ctx, actor, domain.AuditLoginFailed, actor.Label, detail)
}

// Logout is "Se déconnecter": the session is destroyed.
func (p Citizens) Logout(ctx context.Context, secret string) error {
	if secret == "" {
		return nil
	}
	id := domain.HashSecret(secret)
	s, serr := p.sessions.Session(ctx, id)
	err := p.sessions.DeleteSession(ctx, id)
	if err != nil && domain.ErrorCode(err) != domain.NotFound {
		return domain.WrapInternal(err)
	}
	if serr == nil && !s.Staff {
		if a, err := p.store.Account(ctx, s.AccountID); err == nil && a.BillerID == s.BillerID {
			p.auditAlone(ctx, citizenActor(ctx, a), domain.AuditLogout, a.Email, "Déconnexion.")
		}
	}
	return nil
}

// CloseNotice is "Fermer" on the important notice: it stays closed for
// the rest of the session.
func (p Citizens) CloseNotice(ctx context.Context, s Session) error {
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

// mapSave passes a store's Conflict on (its message is French) and wraps
// anything else.
func mapSave(err error) error {
	if err == nil || domain.ErrorCode(err) == domain.Conflict {
		return err
	}
	return domain.WrapInternal(err)
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
func (p Citizens) Biller(ctx context.Context, billerID uuid.UUID) (BillerInfo, error) {
	b, err := p.store.Biller(ctx, billerID)
	if err != nil {
		return BillerInfo{}, notFoundAs(err, domain.ErrNotFound)
	}
	return BillerInfo{Name: b.Name, Email: b.Email, MinPasswordLength: b.MinPasswordLength, LockDuration: b.LockDuration}, nil
}
