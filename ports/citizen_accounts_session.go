package ports

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/portail-factures/portail/domain"
)

// A citizen's sessions: login (with the audit of failures), the session
// behind every request, logout. Part of CitizenAccounts.

// Login checks the address and password and opens a new session; the
// session the browser had before (previous, may be empty) is destroyed,
// so the session id always changes at login. Every failure gives
// domain.ErrBadCredentials after the same work, so neither the answer
// nor its delay tells whether the address has an account.
func (p CitizenAccounts) Login(ctx context.Context, billerID uuid.UUID, email, password string, remember bool, previous string) (secret string, s Session, err error) {
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
	match, err := p.hasher.VerifyBounded(ctx, password, hash)
	if err != nil {
		return "", Session{}, err
	}
	if !match || !known || !a.Active() {
		p.loginFailed(ctx, billerID, typed, a, known)
		return "", Session{}, domain.ErrBadCredentials
	}
	newHash := ""
	if p.hasher.NeedsRehash(a.PasswordHash) {
		if h, herr := p.hasher.HashBounded(ctx, password); herr == nil {
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

// Authenticate returns the session and the citizen behind a cookie's
// secret, or Unauthenticated when it is unknown, expired or its account
// no longer active.
func (p CitizenAccounts) Authenticate(ctx context.Context, secret string) (Session, Citizen, error) {
	unauth := domain.Errorf(domain.Unauthenticated, "Votre session a expiré. Veuillez vous reconnecter.")
	if secret == "" || len(secret) > 100 {
		return Session{}, Citizen{}, unauth
	}
	if p.citizenSessions != nil {
		// The session with its account and payer at once; anything else
		// (no such session, a staff session, no account or payer) is
		// told apart by the reads one by one below.
		s, a, payer, err := p.citizenSessions.CitizenSession(ctx, domain.HashSecret(secret))
		switch {
		case err == nil && !p.clock.Now().Before(s.ExpiresAt):
			_ = p.sessions.DeleteSession(ctx, s.ID)
			return Session{}, Citizen{}, unauth
		case err == nil && (!a.Active() || a.BillerID != s.BillerID):
			return Session{}, Citizen{}, unauth
		case err == nil:
			return s, Citizen{BillerID: a.BillerID, AccountID: a.ID, PayerID: a.PayerID, read: &citizenRead{account: a, payer: payer}}, nil
		case domain.ErrorCode(err) != domain.NotFound:
			return Session{}, Citizen{}, domain.WrapInternal(err)
		}
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
func (p CitizenAccounts) Logout(ctx context.Context, secret string) error {
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
