package domain

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// StaffRole is what a member of the billing service may do in the back
// office ("gestion").
type StaffRole string

// The staff roles.
const (
	// RoleManager ("gestionnaire") reads and changes everything of its
	// biller: settings, imports, payments, messages, accounts.
	RoleManager StaffRole = "gestionnaire"
	// RoleReader ("lecture") reads everything and changes nothing.
	RoleReader StaffRole = "lecture"
	// RoleAdmin ("administrateur") does what a manager does and also
	// adds, disables and resets the biller's staff (staff_admin.go).
	RoleAdmin StaffRole = "administrateur"
)

// Valid reports whether r is a known role.
func (r StaffRole) Valid() bool { return r == RoleManager || r == RoleReader || r == RoleAdmin }

// CanWrite reports whether the role may change anything.
func (r StaffRole) CanWrite() bool { return r == RoleManager || r == RoleAdmin }

// Label says the role in French.
func (r StaffRole) Label() string {
	switch r {
	case RoleManager:
		return "Gestionnaire"
	case RoleAdmin:
		return "Administrateur"
	}
	return "Lecture seule"
}

// Staff is a member of a billing service with access to its back office.
// Staff accounts are separate from payers' accounts: a staff address may
// also be a payer's without either seeing the other's data.
type Staff struct {
	ID       uuid.UUID
	BillerID uuid.UUID
	// Email is the login, normalised, unique within the biller.
	Email string
	Name  string
	Role  StaffRole
	// PasswordHash is a self-describing argon2id hash.
	PasswordHash string
	// Disabled staff cannot log in; their past actions stay in the audit log.
	Disabled    bool
	LastLoginAt time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// NewStaff checks and returns a staff member; the caller sets the hash.
func NewStaff(id, billerID uuid.UUID, email, name string, role StaffRole, now time.Time) (Staff, error) {
	s := Staff{
		ID: id, BillerID: billerID, Email: NormalizeEmail(email), Name: strings.TrimSpace(name),
		Role: role, CreatedAt: now, UpdatedAt: now,
	}
	return s, s.Validate()
}

// Validate checks a staff member's fields.
func (s Staff) Validate() error {
	switch {
	case s.ID == uuid.Nil || s.BillerID == uuid.Nil:
		return Errorf(Invalid, "Identifiant d'agent manquant.")
	case CheckEmail(s.Email) != nil:
		return FieldError("email", "L'adresse de messagerie de l'agent est invalide.")
	case utf8.RuneCountInString(s.Name) > 100:
		return FieldError("name", "Le nom de l'agent est trop long (100 caractères au plus).")
	case !s.Role.Valid():
		return FieldError("role", "Le rôle doit être « administrateur », « gestionnaire » ou « lecture ».")
	}
	return nil
}

// Label names the staff member in lists and the audit log.
func (s Staff) Label() string {
	if s.Name != "" {
		return s.Name + " <" + s.Email + ">"
	}
	return s.Email
}
