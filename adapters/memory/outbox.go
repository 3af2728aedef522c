package memory

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/portail-factures/portail/ports"
)

// EnqueueMail adds m to the outbox.
func (s *Store) EnqueueMail(ctx context.Context, m ports.OutboxMail) error {
	return s.write(ctx, func(t *tx) error { return t.EnqueueMail(ctx, m) })
}

// ClaimMails takes the pending mails due at now, see ports.Outbox.
func (s *Store) ClaimMails(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]ports.OutboxMail, error) {
	var out []ports.OutboxMail
	err := s.write(ctx, func(t *tx) error {
		var err error
		out, err = t.ClaimMails(ctx, now, lease, limit)
		return err
	})
	return out, err
}

// SaveMailResult records a delivery's outcome.
func (s *Store) SaveMailResult(ctx context.Context, m ports.OutboxMail) error {
	return s.write(ctx, func(t *tx) error { return t.SaveMailResult(ctx, m) })
}

// OutboxCounts counts the pending and failed mails.
func (s *Store) OutboxCounts(ctx context.Context) (ports.OutboxCounts, error) {
	return read(s, func(t *tx) (ports.OutboxCounts, error) { return t.OutboxCounts(ctx) })
}

func (t *tx) EnqueueMail(_ context.Context, m ports.OutboxMail) error {
	if err := t.writing(); err != nil {
		return err
	}
	if _, ok := t.t.outbox.rows[m.ID]; ok {
		return conflict("", "Ce message est déjà dans la file d'envoi.", "outbox mail %s exists", m.ID)
	}
	t.journal(t.t.outbox.put(m.ID, m))
	return nil
}

func (t *tx) ClaimMails(_ context.Context, now time.Time, lease time.Duration, limit int) ([]ports.OutboxMail, error) {
	if err := t.writing(); err != nil {
		return nil, err
	}
	var due []ports.OutboxMail
	for id := range t.t.outboxPending {
		if m := t.t.outbox.rows[id]; !m.NextAttemptAt.After(now) {
			due = append(due, m)
		}
	}
	slices.SortFunc(due, func(a, b ports.OutboxMail) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), compareIDs(a.ID, b.ID))
	})
	due = page(due, 0, limit)
	for i := range due {
		due[i].NextAttemptAt = now.Add(lease)
		t.journal(t.t.outbox.put(due[i].ID, due[i]))
	}
	return due, nil
}

func (t *tx) SaveMailResult(_ context.Context, m ports.OutboxMail) error {
	if err := t.writing(); err != nil {
		return err
	}
	if _, ok := t.t.outbox.rows[m.ID]; !ok {
		return notFound("outbox mail %s", m.ID)
	}
	t.journal(t.t.outbox.put(m.ID, m))
	return nil
}

func (t *tx) OutboxCounts(context.Context) (ports.OutboxCounts, error) {
	if err := t.live(); err != nil {
		return ports.OutboxCounts{}, err
	}
	c := ports.OutboxCounts{Pending: len(t.t.outboxPending)}
	for _, m := range t.t.outbox.rows {
		if m.State == ports.OutboxFailed {
			c.Failed++
		}
	}
	return c, nil
}
