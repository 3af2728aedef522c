package domain

import "github.com/google/uuid"

// What an administrator ("administrateur") may do to the staff of their
// biller: the rules of the back office's staff management. The instance's
// operator, on the command line, is bound by none of them.

// ErrStaffAdminOnly refuses staff management to anyone but an active
// administrator of the biller.
var ErrStaffAdminOnly = &Error{Code: Forbidden,
	Message: "Seul un administrateur du service peut gérer les agents."}

// errStaffUnknown hides another biller's staff.
var errStaffUnknown = &Error{Code: NotFound, Message: "Aucun agent de ce service ne correspond."}

// CanManageStaff reports whether the role may add, disable and reset
// the biller's staff.
func (r StaffRole) CanManageStaff() bool { return r == RoleAdmin }

// HasPassword reports whether the member has chosen a password: a new
// member or one an administrator reset has not yet.
func (s Staff) HasPassword() bool { return s.PasswordHash != "" }

// StateLabel says in French where the member's access stands.
func (s Staff) StateLabel() string {
	switch {
	case s.Disabled:
		return "Désactivé"
	case !s.HasPassword():
		return "Mot de passe à choisir"
	}
	return "Actif"
}

// checkManage checks that s, an active administrator, may act on target,
// a member of the same biller.
func (s Staff) checkManage(target Staff) error {
	if s.Disabled || !s.Role.CanManageStaff() {
		return ErrStaffAdminOnly
	}
	if target.BillerID != s.BillerID || target.ID == uuid.Nil {
		return errStaffUnknown
	}
	return nil
}

// CheckDisable decides whether the administrator s may disable target,
// given every member of the biller: never themselves, never a member
// already disabled, and never the last active administrator.
func (s Staff) CheckDisable(target Staff, members []Staff) error {
	if err := s.checkManage(target); err != nil {
		return err
	}
	switch {
	case target.ID == s.ID:
		return Errorf(Conflict, "Vous ne pouvez pas désactiver votre propre compte : demandez-le à un autre administrateur du service.")
	case target.Disabled:
		return Errorf(Conflict, "Cet agent est déjà désactivé.")
	}
	if target.Role != RoleAdmin {
		return nil
	}
	for _, m := range members {
		if m.ID != target.ID && m.BillerID == target.BillerID && m.Role == RoleAdmin && !m.Disabled {
			return nil
		}
	}
	return Errorf(Conflict, "C'est le dernier administrateur actif du service : nommez d'abord un autre administrateur.")
}

// CheckReset decides whether the administrator s may reset target's
// password: an active member other than themselves (their own password
// they change knowing the current one).
func (s Staff) CheckReset(target Staff) error {
	if err := s.checkManage(target); err != nil {
		return err
	}
	switch {
	case target.ID == s.ID:
		return Errorf(Conflict, "Pour changer votre propre mot de passe, utilisez « Changer mon mot de passe » dans « Mon compte ».")
	case target.Disabled:
		return Errorf(Conflict, "Cet agent est désactivé : ajoutez-le de nouveau pour lui rendre l'accès.")
	}
	return nil
}

// CheckAdd decides whether the administrator s may add a member with
// this address, given the one already there (found false when none): a
// disabled member comes back, an active one is a conflict.
func (s Staff) CheckAdd(existing Staff, found bool) error {
	if s.Disabled || !s.Role.CanManageStaff() {
		return ErrStaffAdminOnly
	}
	if found && !existing.Disabled {
		return &Error{Code: Conflict, Field: "email", Message: "Un agent du service a déjà cette adresse de messagerie."}
	}
	return nil
}
