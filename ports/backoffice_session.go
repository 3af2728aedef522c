package ports

import (
	"context"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/portail-factures/portail/domain"
)

// ErrStaffCredentials is the answer to any failed staff login.
var ErrStaffCredentials = &domain.Error{Code: domain.Unauthenticated, Field: "email",
	Message: "Adresse de messagerie ou mot de passe incorrect."}

// StaffLogin checks a staff member's credentials on the biller of the
// request's host and opens a back-office session (never persistent). The
// session of the previous cookie, if any, is destroyed: a new session id
// at every login defeats session fixation. Every attempt is audited.
func (p BackOffice) StaffLogin(ctx context.Context, billerID uuid.UUID, email, password, previous string) (string, Session, Actor, error) {
	email = domain.NormalizeEmail(email)
	now := p.clock.Now()
	st, err := p.store.StaffByEmail(ctx, billerID, email)
	if err != nil && domain.ErrorCode(err) != domain.NotFound {
		return "", Session{}, Actor{}, domain.WrapInternal(err)
	}
	// A member with no password yet (invited, or reset) cannot log in.
	ok := err == nil && !st.Disabled && st.HasPassword()
	hash := st.PasswordHash
	if !ok || hash == "" {
		hash = p.dummyHash
	}
	match, err := p.hasher.VerifyBounded(ctx, password, hash)
	if err != nil {
		return "", Session{}, Actor{}, err
	}
	if !match || !ok {
		label := email
		if utf8.RuneCountInString(label) > 254 {
			label = string([]rune(label)[:254])
		}
		failed := Actor{Kind: domain.ActorStaff, BillerID: billerID, ID: st.ID, Label: label, IP: ClientIP(ctx)}
		if aerr := p.store.Atomic(ctx, func(tx Tx) error {
			return p.audit(ctx, tx, failed, domain.AuditStaffLoginFailed, label, "Échec de connexion à la gestion.")
		}); aerr != nil {
			p.log.WarnContext(ctx, "staff login failure not audited", "err", aerr)
		}
		return "", Session{}, Actor{}, ErrStaffCredentials
	}
	if p.hasher.NeedsRehash(st.PasswordHash) {
		if h, herr := p.hasher.HashBounded(ctx, password); herr == nil {
			st.PasswordHash = h
		}
	}
	st.LastLoginAt, st.UpdatedAt = now, now
	actor := staffActor(st, ClientIP(ctx))
	err = p.store.Atomic(ctx, func(tx Tx) error {
		if err := tx.SaveStaff(ctx, st); err != nil {
			return err
		}
		return p.audit(ctx, tx, actor, domain.AuditStaffLogin, st.Email, "Connexion à la gestion.")
	})
	if err != nil {
		return "", Session{}, Actor{}, domain.WrapInternal(err)
	}
	if previous != "" {
		if err := p.sessions.DeleteSession(ctx, domain.HashSecret(previous)); err != nil && domain.ErrorCode(err) != domain.NotFound {
			p.log.WarnContext(ctx, "previous staff session not deleted", "err", err)
		}
	}
	secret, err := p.randomString(32)
	if err != nil {
		return "", Session{}, Actor{}, err
	}
	csrf, err := p.randomString(32)
	if err != nil {
		return "", Session{}, Actor{}, err
	}
	s := Session{
		ID: domain.HashSecret(secret), BillerID: st.BillerID, AccountID: st.ID, Staff: true,
		CSRFToken: csrf, CreatedAt: now, ExpiresAt: now.Add(p.cfg.StaffSessionTTL),
	}
	if err := p.sessions.CreateSession(ctx, s); err != nil {
		return "", Session{}, Actor{}, domain.WrapInternal(err)
	}
	return secret, s, actor, nil
}

func staffActor(st domain.Staff, ip string) Actor {
	return Actor{Kind: domain.ActorStaff, BillerID: st.BillerID, ID: st.ID, Label: st.Email, Role: st.Role, IP: ip}
}

// AuthenticateStaff returns the back-office session behind a cookie's
// secret and its Actor, or Unauthenticated when the session is unknown,
// expired, a citizen's, or its staff member disabled. The role is read
// afresh at every request: a change of role applies at once.
func (p BackOffice) AuthenticateStaff(ctx context.Context, secret string) (Session, Actor, error) {
	unauth := domain.Errorf(domain.Unauthenticated, "Votre session a expiré. Veuillez vous reconnecter.")
	if secret == "" || len(secret) > 100 {
		return Session{}, Actor{}, unauth
	}
	s, err := p.sessions.Session(ctx, domain.HashSecret(secret))
	if err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return Session{}, Actor{}, unauth
		}
		return Session{}, Actor{}, domain.WrapInternal(err)
	}
	if !s.Staff {
		return Session{}, Actor{}, unauth
	}
	if !p.clock.Now().Before(s.ExpiresAt) {
		_ = p.sessions.DeleteSession(ctx, s.ID)
		return Session{}, Actor{}, unauth
	}
	st, err := p.store.Staff(ctx, s.AccountID)
	if err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return Session{}, Actor{}, unauth
		}
		return Session{}, Actor{}, domain.WrapInternal(err)
	}
	if st.Disabled || st.BillerID != s.BillerID {
		return Session{}, Actor{}, unauth
	}
	return s, staffActor(st, ClientIP(ctx)), nil
}

// StaffLogout ends a back-office session.
func (p BackOffice) StaffLogout(ctx context.Context, secret string, a Actor) error {
	if secret == "" {
		return nil
	}
	err := p.sessions.DeleteSession(ctx, domain.HashSecret(secret))
	if err != nil && domain.ErrorCode(err) != domain.NotFound {
		return domain.WrapInternal(err)
	}
	if a.Kind == domain.ActorStaff {
		if err := p.store.Atomic(ctx, func(tx Tx) error {
			return p.audit(ctx, tx, a, domain.AuditStaffLogout, a.Label, "Déconnexion de la gestion.")
		}); err != nil {
			p.log.WarnContext(ctx, "staff logout not audited", "err", err)
		}
	}
	return nil
}

// ChangeStaffPassword changes the actor's own password, checking the
// current one, and ends their other back-office sessions.
func (p BackOffice) ChangeStaffPassword(ctx context.Context, a Actor, currentSession, current, password, confirm string) error {
	if a.Kind != domain.ActorStaff {
		return domain.ErrNotFound
	}
	if password != confirm {
		return domain.FieldError("confirm", "Les deux mots de passe saisis sont différents.")
	}
	if utf8.RuneCountInString(password) < MinStaffPasswordLength || len(password) > 1024 {
		return domain.FieldError("password", "Le mot de passe d'un agent doit comporter au moins 12 caractères.")
	}
	st, err := p.store.Staff(ctx, a.ID)
	if err != nil || st.BillerID != a.BillerID || st.Disabled {
		return domain.ErrNotFound
	}
	if match, err := p.hasher.VerifyBounded(ctx, current, st.PasswordHash); err != nil {
		return err
	} else if !match {
		return domain.ErrWrongPassword
	}
	hash, err := p.hasher.HashBounded(ctx, password)
	if err != nil {
		return err
	}
	err = p.store.Atomic(ctx, func(tx Tx) error {
		st, err := tx.Staff(ctx, a.ID)
		if err != nil {
			return domain.WrapInternal(err)
		}
		st.PasswordHash, st.UpdatedAt = hash, p.clock.Now()
		if err := tx.SaveStaff(ctx, st); err != nil {
			return domain.WrapInternal(err)
		}
		return p.audit(ctx, tx, a, domain.AuditStaffPassword, st.Email, "Mot de passe de l'agent changé.")
	})
	if err != nil {
		return err
	}
	if err := p.sessions.DeleteAccountSessions(ctx, a.ID, domain.HashSecret(currentSession)); err != nil {
		p.log.ErrorContext(ctx, "other staff sessions not ended after password change", "staff", a.ID, "err", err)
	}
	return nil
}
