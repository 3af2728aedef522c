package ports

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// AuditStore keeps the audit log of a biller's back office.
type AuditStore interface {
	// AppendAudit adds an event to the audit log; events are never changed.
	AppendAudit(ctx context.Context, e domain.AuditEvent) error
	// AuditEvents returns one page of the biller's audit log matching q,
	// newest first (then by id descending), and how many events match.
	AuditEvents(ctx context.Context, q AuditQuery) ([]domain.AuditEvent, int, error)
}

// AuditQuery selects audit events of one biller. Zero fields match all.
type AuditQuery struct {
	BillerID uuid.UUID
	Actor    domain.ActorKind
	// ActorID, when set, keeps the events of that actor only (a citizen's
	// account: « Mes données »); audit_events_actor_idx answers it.
	ActorID uuid.UUID
	// Action matches exactly, or every action under a prefix ending in
	// "." ("citizen.").
	Action domain.AuditAction
	// From and Until bound At: From <= At < Until.
	From, Until time.Time
	// Text matches ActorLabel or Target, case-insensitively, as a substring
	// (non-ASCII letters: as for PayerSearch.Text).
	Text   string
	Offset int
	Limit  int
	// CountUpTo, when positive, bounds the count: the store stops
	// counting there, so a total of CountUpTo means "at least that many".
	// Counting all the million records of a biller takes a third of a
	// second on PostgreSQL (README, Measurements); zero counts them all.
	CountUpTo int
}
