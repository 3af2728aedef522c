package ports

import (
	"context"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// StaffStore keeps the billing service's staff and their links.
type StaffStore interface {
	Staff(ctx context.Context, id uuid.UUID) (domain.Staff, error)
	// StaffByEmail finds a staff member by normalised address within a biller.
	StaffByEmail(ctx context.Context, billerID uuid.UUID, email string) (domain.Staff, error)
	// StaffMembers lists the biller's staff by email (byte order).
	StaffMembers(ctx context.Context, billerID uuid.UUID) ([]domain.Staff, error)
	// SaveStaff returns Conflict when another staff member of the biller
	// has the same email.
	SaveStaff(ctx context.Context, s domain.Staff) error
	// StaffToken finds a staff member's link (a domain.Token of a staff
	// purpose, whose AccountID is the member's id) by the hash of its
	// secret. Staff links are kept apart from citizens': Token never
	// finds them, StaffToken never finds a citizen's.
	StaffToken(ctx context.Context, hash string) (domain.Token, error)
	// OpenStaffTokens lists the member's links of that purpose that are
	// neither used nor revoked, oldest first.
	OpenStaffTokens(ctx context.Context, staffID uuid.UUID, purpose domain.TokenPurpose) ([]domain.Token, error)
	// SaveStaffToken inserts or replaces a staff member's link.
	SaveStaffToken(ctx context.Context, t domain.Token) error
}
