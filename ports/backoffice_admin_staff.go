package ports

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/portail-factures/portail/domain"
)

// The billing service manages its own staff: an administrator
// ("administrateur") adds, disables and resets the members of their
// biller from the back office, and staff members choose their password
// through a link sent by email (an invitation, a forgotten password, a
// reset), as citizens do. No password is ever shown or sent. The
// command line (AddStaff, DisableStaff) stays the instance operator's.

// PathStaffSetPassword opens the back office's "Choisir mon mot de
// passe", for an invitation link and a staff reset link alike.
const PathStaffSetPassword = "/gestion/mot-de-passe"

// The staff members' mails, in ports/mail.
const (
	mailStaffInvite = "staff_invite"
	// mailStaffReset answers the member's own « Mot de passe oublié ? ».
	mailStaffReset = "staff_reset"
	// mailStaffAdminReset tells the member an administrator reset their
	// password.
	mailStaffAdminReset = "staff_admin_reset"
)

// staffMails are the staff members' mails, parsed with the others.
var staffMails = []string{mailStaffInvite, mailStaffReset, mailStaffAdminReset}

// StaffMemberInput is a member an administrator adds.
type StaffMemberInput struct {
	Email string
	Name  string
	Role  domain.StaffRole
}

// errStaffUnknown answers for a member the actor's biller does not have.
var errStaffUnknown = &domain.Error{Code: domain.NotFound, Message: "Aucun agent de ce service ne correspond."}

// canManageStaff checks that the actor is a staff member of billerID
// whose role manages staff; the use cases then check the member's
// record itself (not disabled since the session began).
func (a Actor) canManageStaff(billerID uuid.UUID) error {
	if err := a.canRead(billerID); err != nil {
		return err
	}
	if a.Kind != domain.ActorStaff || !a.Role.CanManageStaff() {
		return domain.ErrStaffAdminOnly
	}
	return nil
}

// staffAdmin checks the actor and, in tx, locks their biller (staff
// management of one biller runs one at a time, so two administrators
// disabling each other cannot both succeed) and reads their record.
func (p *Portal) staffAdmin(ctx context.Context, tx Tx, a Actor) (domain.Biller, domain.Staff, error) {
	if err := a.canManageStaff(a.BillerID); err != nil {
		return domain.Biller{}, domain.Staff{}, err
	}
	b, err := tx.BillerForUpdate(ctx, a.BillerID)
	if err != nil {
		return b, domain.Staff{}, notFoundAs(err, domain.ErrNotFound)
	}
	admin, err := tx.Staff(ctx, a.ID)
	if err != nil {
		return b, admin, notFoundAs(err, domain.ErrStaffAdminOnly)
	}
	if admin.BillerID != a.BillerID {
		return b, admin, domain.ErrStaffAdminOnly
	}
	return b, admin, nil
}

// staffMemberIn reads a member of the biller in tx; another biller's is
// NotFound.
func staffMemberIn(ctx context.Context, tx Tx, billerID, id uuid.UUID) (domain.Staff, error) {
	st, err := tx.Staff(ctx, id)
	if err != nil {
		return st, notFoundAs(err, errStaffUnknown)
	}
	if st.BillerID != billerID {
		return domain.Staff{}, errStaffUnknown
	}
	return st, nil
}

// StaffMember returns a member of the actor's biller, for an
// administrator's confirmation pages.
func (p BackOfficeAdmin) StaffMember(ctx context.Context, a Actor, id uuid.UUID) (domain.Staff, error) {
	if err := a.canManageStaff(a.BillerID); err != nil {
		return domain.Staff{}, err
	}
	return staffMemberIn(ctx, p.store, a.BillerID, id)
}

// AddStaffMember is « Ajouter un agent »: the administrator's biller
// gets a member with no password, who receives an invitation link to
// choose one. A disabled member with that address comes back with the
// new role and must choose a new password; an active one is a Conflict.
func (p BackOfficeAdmin) AddStaffMember(ctx context.Context, a Actor, in StaffMemberInput) (domain.Staff, error) {
	if err := a.canManageStaff(a.BillerID); err != nil {
		return domain.Staff{}, err
	}
	now := p.clock.Now()
	var out domain.Staff
	err := p.store.Atomic(ctx, func(tx Tx) error {
		b, admin, err := p.staffAdmin(ctx, tx, a)
		if err != nil {
			return err
		}
		existing, err := tx.StaffByEmail(ctx, b.ID, in.Email)
		found := err == nil
		if err != nil && domain.ErrorCode(err) != domain.NotFound {
			return domain.WrapInternal(err)
		}
		if err := admin.CheckAdd(existing, found); err != nil {
			return err
		}
		st := existing
		detail := "Agent invité avec le rôle « %s » : un lien pour choisir son mot de passe lui est envoyé."
		if found {
			st.Role, st.Disabled, st.PasswordHash, st.UpdatedAt = in.Role, false, "", now
			if name := strings.TrimSpace(in.Name); name != "" {
				st.Name = name
			}
			detail = "Agent réactivé avec le rôle « %s » : un lien pour choisir un nouveau mot de passe lui est envoyé."
		} else {
			id, err := p.newID()
			if err != nil {
				return err
			}
			st, err = domain.NewStaff(id, b.ID, in.Email, in.Name, in.Role, now)
			if err != nil {
				return err
			}
		}
		if err := st.Validate(); err != nil {
			return err
		}
		if err := mapSave(tx.SaveStaff(ctx, st)); err != nil {
			return err
		}
		if err := p.issueStaffLink(ctx, tx, b, st, domain.TokenStaffInvite, mailStaffInvite, now); err != nil {
			return err
		}
		out = st
		return p.audit(ctx, tx, a, domain.AuditStaffInvited, st.Email, fmt.Sprintf(detail, st.Role.Label()))
	})
	if err != nil {
		return domain.Staff{}, err
	}
	p.mailsQueued(ctx)
	return out, nil
}

// DisableStaffMember is « Désactiver »: the member can no longer log in,
// their sessions end and their open links die. Their past actions stay
// in the audit log.
func (p BackOfficeAdmin) DisableStaffMember(ctx context.Context, a Actor, id uuid.UUID) (domain.Staff, error) {
	return p.changeStaffMember(ctx, a, id, func(tx Tx, b domain.Biller, admin domain.Staff, st *domain.Staff, now time.Time) (domain.AuditAction, string, error) {
		members, err := tx.StaffMembers(ctx, b.ID)
		if err != nil {
			return "", "", domain.WrapInternal(err)
		}
		if err := admin.CheckDisable(*st, members); err != nil {
			return "", "", err
		}
		st.Disabled, st.UpdatedAt = true, now
		if err := mapSave(tx.SaveStaff(ctx, *st)); err != nil {
			return "", "", err
		}
		if err := revokeStaffLinks(ctx, tx, st.ID, now); err != nil {
			return "", "", err
		}
		return domain.AuditStaffDisabled, "Agent désactivé : il ne peut plus se connecter à la gestion.", nil
	})
}

// ResetStaffMember is « Réinitialiser le mot de passe »: the member's
// password stops working, their sessions end, and they receive a link
// to choose a new one. A member who never logged in nor chose a password
// receives their invitation again instead (its link lives longer).
func (p BackOfficeAdmin) ResetStaffMember(ctx context.Context, a Actor, id uuid.UUID) (domain.Staff, error) {
	out, err := p.changeStaffMember(ctx, a, id, func(tx Tx, b domain.Biller, admin domain.Staff, st *domain.Staff, now time.Time) (domain.AuditAction, string, error) {
		if err := admin.CheckReset(*st); err != nil {
			return "", "", err
		}
		purpose, mail, detail := domain.TokenStaffReset, mailStaffAdminReset,
			"Mot de passe réinitialisé : l'ancien ne fonctionne plus, un lien pour en choisir un nouveau est envoyé à l'agent."
		if !st.HasPassword() && st.LastLoginAt.IsZero() {
			purpose, mail, detail = domain.TokenStaffInvite, mailStaffInvite,
				"Invitation envoyée de nouveau : l'agent n'avait pas encore choisi de mot de passe."
		}
		st.PasswordHash, st.UpdatedAt = "", now
		if err := mapSave(tx.SaveStaff(ctx, *st)); err != nil {
			return "", "", err
		}
		if err := p.issueStaffLink(ctx, tx, b, *st, purpose, mail, now); err != nil {
			return "", "", err
		}
		return domain.AuditStaffReset, detail, nil
	})
	if err == nil {
		p.mailsQueued(ctx)
	}
	return out, err
}

// changeStaffMember is the frame of an administrator's change to one
// member of their biller: it checks the right, reads the administrator
// and the member in one transaction, lets change check, apply and save
// the change, writes the audit line change returns, and then ends the
// member's sessions (they are not in the store's transaction).
func (p BackOfficeAdmin) changeStaffMember(ctx context.Context, a Actor, id uuid.UUID,
	change func(tx Tx, b domain.Biller, admin domain.Staff, st *domain.Staff, now time.Time) (domain.AuditAction, string, error)) (domain.Staff, error) {
	if err := a.canManageStaff(a.BillerID); err != nil {
		return domain.Staff{}, err
	}
	now := p.clock.Now()
	var out domain.Staff
	err := p.store.Atomic(ctx, func(tx Tx) error {
		b, admin, err := p.staffAdmin(ctx, tx, a)
		if err != nil {
			return err
		}
		st, err := staffMemberIn(ctx, tx, b.ID, id)
		if err != nil {
			return err
		}
		action, detail, err := change(tx, b, admin, &st, now)
		if err != nil {
			return err
		}
		out = st
		return p.audit(ctx, tx, a, action, st.Email, detail)
	})
	if err != nil {
		return domain.Staff{}, err
	}
	if err := p.sessions.DeleteAccountSessions(ctx, out.ID, ""); err != nil {
		return out, domain.WrapInternal(err)
	}
	return out, nil
}

// RequestStaffPasswordReset is the back office's « Mot de passe oublié
// ? »: an active member of the biller with that address receives a
// link to choose a new password. It answers the same whether or not the
// address is a member's, so the form tells nobody who works in the back
// office; only a malformed address is refused.
func (p BackOfficeAdmin) RequestStaffPasswordReset(ctx context.Context, billerID uuid.UUID, email string) error {
	email = domain.NormalizeEmail(email)
	if err := domain.CheckEmail(email); err != nil {
		return err
	}
	now := p.clock.Now()
	sent := false
	err := p.store.Atomic(ctx, func(tx Tx) error {
		sent = false
		b, err := tx.Biller(ctx, billerID)
		if err != nil {
			return notFoundAs(err, domain.ErrNotFound)
		}
		st, err := tx.StaffByEmail(ctx, b.ID, email)
		if err != nil {
			return notFoundAs(err, domain.ErrNotFound)
		}
		if st.Disabled {
			return domain.ErrNotFound
		}
		if err := p.issueStaffLink(ctx, tx, b, st, domain.TokenStaffReset, mailStaffReset, now); err != nil {
			return err
		}
		sent = true
		return p.audit(ctx, tx, staffActor(st, ClientIP(ctx)), domain.AuditStaffResetSent, st.Email,
			"Lien de mot de passe oublié envoyé à l'agent.")
	})
	if domain.ErrorCode(err) == domain.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if sent {
		p.mailsQueued(ctx)
	}
	return nil
}

// revokeStaffLinks ends the member's open links, whatever their purpose.
func revokeStaffLinks(ctx context.Context, tx Tx, staffID uuid.UUID, now time.Time) error {
	for _, purpose := range []domain.TokenPurpose{domain.TokenStaffInvite, domain.TokenStaffReset} {
		open, err := tx.OpenStaffTokens(ctx, staffID, purpose)
		if err != nil {
			return domain.WrapInternal(err)
		}
		for _, t := range open {
			if t.Revoke(now) {
				if err := tx.SaveStaffToken(ctx, t); err != nil {
					return domain.WrapInternal(err)
				}
			}
		}
	}
	return nil
}

// issueStaffLink revokes the member's open links, stores a new one and
// puts the mail called name in the outbox, all in tx. An invitation
// lives as long as a citizen's activation link, a reset link as long as
// a citizen's reset link.
func (p *Portal) issueStaffLink(ctx context.Context, tx Tx, b domain.Biller, st domain.Staff, purpose domain.TokenPurpose, name string, now time.Time) error {
	if err := revokeStaffLinks(ctx, tx, st.ID, now); err != nil {
		return err
	}
	raw, err := p.randomBytes(domain.TokenBytes)
	if err != nil {
		return err
	}
	ttl := p.cfg.ResetTTL
	if purpose == domain.TokenStaffInvite {
		ttl = p.cfg.ActivationTTL
	}
	t, secret, err := domain.NewToken(raw, st.ID, purpose, now, ttl)
	if err != nil {
		return err
	}
	if err := tx.SaveStaffToken(ctx, t); err != nil {
		return domain.WrapInternal(err)
	}
	m, err := p.mails.render(name, st.Email, "", mailData{Biller: b, Link: p.link(b, PathStaffSetPassword, secret),
		Email: st.Email, TTL: ttlWords(ttl), Staff: st, Login: p.SiteURL(b) + "/gestion/connexion"})
	if err != nil {
		return err
	}
	return p.enqueue(ctx, tx, m, now)
}

// staffLink finds the live member behind a staff link's secret, in tx.
func (p *Portal) staffLink(ctx context.Context, tx Tx, billerID uuid.UUID, secret string) (domain.Token, domain.Staff, error) {
	if secret == "" || len(secret) > 100 {
		return domain.Token{}, domain.Staff{}, domain.ErrTokenUnknown
	}
	t, err := tx.StaffToken(ctx, domain.HashSecret(secret))
	if err != nil {
		return t, domain.Staff{}, notFoundAs(err, domain.ErrTokenUnknown)
	}
	if !t.Purpose.Staff() {
		return t, domain.Staff{}, domain.ErrTokenUnknown
	}
	st, err := tx.Staff(ctx, t.AccountID)
	if err != nil || st.BillerID != billerID || st.Disabled {
		return t, st, domain.ErrTokenUnknown
	}
	return t, st, nil
}

// CheckStaffPasswordLink tells whether a staff link can still be used,
// and for which address, without using it.
func (p BackOfficeAdmin) CheckStaffPasswordLink(ctx context.Context, billerID uuid.UUID, secret string) (LinkInfo, error) {
	t, st, err := p.staffLink(ctx, p.store, billerID, secret)
	if err != nil {
		return LinkInfo{}, err
	}
	if err := t.Check(t.Purpose, p.clock.Now()); err != nil {
		return LinkInfo{}, err
	}
	return LinkInfo{Email: st.Email, Purpose: t.Purpose, MinPasswordLength: MinStaffPasswordLength}, nil
}

// ResetStaffPassword is « Choisir mon mot de passe » → « Enregistrer »:
// it uses the link once and stores the new password; every back-office
// session of the member ends.
func (p BackOfficeAdmin) ResetStaffPassword(ctx context.Context, billerID uuid.UUID, secret, password, confirm string) error {
	if password != confirm {
		return domain.FieldError("confirm", "Les deux mots de passe saisis sont différents.")
	}
	now := p.clock.Now()
	// Check the link and the password before paying for the hash.
	t, st, err := p.staffLink(ctx, p.store, billerID, secret)
	if err != nil {
		return err
	}
	if err := t.Check(t.Purpose, now); err != nil {
		return err
	}
	if utf8.RuneCountInString(password) < MinStaffPasswordLength || len(password) > 1024 {
		return domain.FieldError("password", "Le mot de passe d'un agent doit comporter au moins 12 caractères.")
	}
	hash, err := p.hasher.HashBounded(ctx, password)
	if err != nil {
		return err
	}
	err = p.store.Atomic(ctx, func(tx Tx) error {
		t, st, err = p.staffLink(ctx, tx, billerID, secret)
		if err != nil {
			return err
		}
		if err := t.Use(t.Purpose, now); err != nil {
			return err
		}
		st.PasswordHash, st.UpdatedAt = hash, now
		if err := tx.SaveStaffToken(ctx, t); err != nil {
			return domain.WrapInternal(err)
		}
		if err := mapSave(tx.SaveStaff(ctx, st)); err != nil {
			return err
		}
		detail := "Mot de passe choisi par le lien d'invitation."
		if t.Purpose == domain.TokenStaffReset {
			detail = "Mot de passe choisi par le lien de réinitialisation."
		}
		return p.audit(ctx, tx, staffActor(st, ClientIP(ctx)), domain.AuditStaffPasswordSet, st.Email, detail)
	})
	if err != nil {
		return err
	}
	if err := p.sessions.DeleteAccountSessions(ctx, st.ID, ""); err != nil {
		p.log.ErrorContext(ctx, "staff sessions not ended after password set", "staff", st.ID, "err", err)
	}
	return nil
}

// StaffMembers lists the biller's staff, for the back office.
func (p BackOfficeAdmin) StaffMembers(ctx context.Context, a Actor) ([]domain.Staff, error) {
	if err := a.canRead(a.BillerID); err != nil {
		return nil, err
	}
	list, err := p.store.StaffMembers(ctx, a.BillerID)
	if err != nil {
		return nil, domain.WrapInternal(err)
	}
	return list, nil
}
