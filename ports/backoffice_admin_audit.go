package ports

import (
	"context"

	"github.com/portail-factures/portail/domain"
)

// AuditPage is one page of the audit log.
type AuditPage struct {
	Events []domain.AuditEvent
	Total  int // up to BackOfficeCountLimit
	// AtLeast is set when Total is the bound: there may be more.
	AtLeast bool
	Offset  int
	Limit   int
}

// AuditLog returns one page of the actor's biller's audit log, newest
// first. q.BillerID is always the actor's.
func (p BackOfficeAdmin) AuditLog(ctx context.Context, a Actor, q AuditQuery) (AuditPage, error) {
	if err := a.canRead(a.BillerID); err != nil {
		return AuditPage{}, err
	}
	if q.Actor != "" && !q.Actor.Valid() {
		return AuditPage{}, domain.FieldError("actor", "Type d'auteur inconnu.")
	}
	if !q.From.IsZero() && !q.Until.IsZero() && !q.Until.After(q.From) {
		return AuditPage{}, domain.FieldError("until", "La date de fin doit être postérieure à la date de début.")
	}
	q.BillerID = a.BillerID
	q.Offset, q.Limit = pageBounds(q.Offset, q.Limit)
	q.CountUpTo = BackOfficeCountLimit
	list, total, err := p.store.AuditEvents(ctx, q)
	if err != nil {
		return AuditPage{}, domain.WrapInternal(err)
	}
	return AuditPage{Events: list, Total: total, Offset: q.Offset, Limit: q.Limit}, nil
}
