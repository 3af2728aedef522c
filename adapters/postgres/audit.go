package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

var (
	auditColumns = cols("id", "biller_id", "at", "actor", "actor_id", "actor_label", "action", "target",
		"detail", "ip")
	auditInsert = "INSERT INTO audit_events (" + auditColumns.names() +
		") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
	auditSelect = "SELECT " + auditColumns.names() + " FROM audit_events"
	// auditOrder is the log's order; audit_events_biller_at_idx gives it.
	auditOrder = "at DESC, id DESC"
)

type auditRow struct {
	ID         uuid.UUID     `db:"id"`
	BillerID   uuid.UUID     `db:"biller_id"`
	At         time.Time     `db:"at"`
	Actor      string        `db:"actor"`
	ActorID    uuid.NullUUID `db:"actor_id"`
	ActorLabel string        `db:"actor_label"`
	Action     string        `db:"action"`
	Target     string        `db:"target"`
	Detail     string        `db:"detail"`
	IP         string        `db:"ip"`
}

// AppendAudit adds e to the audit log; Conflict when an event has its id.
func (s *queries) AppendAudit(ctx context.Context, e domain.AuditEvent) error {
	_, err := s.exec(ctx, "append audit event", auditInsert, e.ID, e.BillerID, e.At, string(e.Actor),
		nullID(e.ActorID), e.ActorLabel, string(e.Action), e.Target, e.Detail, e.IP)
	return err
}

// auditFilter is the WHERE clause of q.
func auditFilter(q ports.AuditQuery) *filter {
	f := where("biller_id = ?", q.BillerID)
	if q.Actor != "" {
		f.and("actor = ?", string(q.Actor))
	}
	if q.ActorID != uuid.Nil {
		f.and("actor_id = ?", q.ActorID)
	}
	switch {
	case strings.HasSuffix(string(q.Action), "."):
		f.and("starts_with(action, ?)", string(q.Action))
	case q.Action != "":
		f.and("action = ?", string(q.Action))
	}
	if !q.From.IsZero() {
		f.and("at >= ?", q.From)
	}
	if !q.Until.IsZero() {
		f.and("at < ?", q.Until)
	}
	if q.Text != "" {
		// strpos, not LIKE: the text's % and _ are plain characters.
		f.and("(strpos(lower(actor_label), lower(?)) > 0 OR strpos(lower(target), lower(?)) > 0)", q.Text, q.Text)
	}
	return f
}

// AuditEvents returns one page of the biller's audit log matching q,
// newest first then by id descending, and how many events match.
func (s *queries) AuditEvents(ctx context.Context, q ports.AuditQuery) ([]domain.AuditEvent, int, error) {
	f := auditFilter(q)
	total, err := s.countUpTo(ctx, "audit events", "audit_events", auditOrder, f, q.CountUpTo)
	if err != nil {
		return nil, 0, err
	}
	query, args := f.page(auditSelect, auditOrder, q.Offset, q.Limit)
	var rows []auditRow
	if err := s.list(ctx, &rows, "audit events", query, args...); err != nil {
		return nil, 0, err
	}
	out := make([]domain.AuditEvent, len(rows))
	for i, r := range rows {
		out[i] = r.event()
	}
	return out, total, nil
}

func (r auditRow) event() domain.AuditEvent {
	return domain.AuditEvent{
		ID: r.ID, BillerID: r.BillerID, At: r.At, Actor: domain.ActorKind(r.Actor), ActorID: idOf(r.ActorID),
		ActorLabel: r.ActorLabel, Action: domain.AuditAction(r.Action), Target: r.Target, Detail: r.Detail, IP: r.IP,
	}
}
