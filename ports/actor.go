package ports

import (
	"context"

	"github.com/google/uuid"
	"github.com/portail-factures/portail/domain"
)

// Actor is who calls a back-office or API use case: a staff member from
// their session, the billing software from its API key, or the portal's
// own jobs. Use cases check its biller and role themselves, so that no
// adapter can forget a check, and write it in the audit log.
type Actor struct {
	Kind     domain.ActorKind
	BillerID uuid.UUID
	// ID is the staff member or the API key.
	ID uuid.UUID
	// Label is the staff member's address or the key's name.
	Label string
	// Role is the staff member's; API keys and the system may write.
	Role domain.StaffRole
	// IP is the client's address, for the audit log.
	IP string
}

// SystemActor is the portal itself, for a biller: the scheduled jobs.
func SystemActor(billerID uuid.UUID) Actor {
	return Actor{Kind: domain.ActorSystem, BillerID: billerID, Label: "Portail"}
}

// ErrReadOnly refuses a change to a staff member with the "lecture" role.
var ErrReadOnly = &domain.Error{Code: domain.Forbidden,
	Message: "Votre rôle « lecture » permet de consulter mais pas de modifier."}

// canRead checks that the actor may read the records of billerID.
func (a Actor) canRead(billerID uuid.UUID) error {
	if a.BillerID == uuid.Nil || a.BillerID != billerID || !a.Kind.Valid() || a.Kind == domain.ActorCitizen {
		return domain.ErrNotFound
	}
	return nil
}

// canWrite checks that the actor may change the records of billerID.
func (a Actor) canWrite(billerID uuid.UUID) error {
	if err := a.canRead(billerID); err != nil {
		return err
	}
	if a.Kind == domain.ActorStaff && !a.Role.CanWrite() {
		return ErrReadOnly
	}
	return nil
}

type clientIPKey struct{}

// WithClientIP returns ctx carrying the client's address, which the use
// cases write in the audit log with citizens' security events. The HTTP
// adapter sets it on every request.
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, clientIPKey{}, ip)
}

// ClientIP returns the address WithClientIP put in ctx, or "".
func ClientIP(ctx context.Context) string {
	ip, _ := ctx.Value(clientIPKey{}).(string)
	return ip
}
