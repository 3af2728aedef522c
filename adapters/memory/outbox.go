package memory

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/ports"
)

// EnqueueMail adds m to the outbox.
func (t *tx) EnqueueMail(ctx context.Context, m ports.OutboxMail) (err error) {
	t, done, err := t.writing(ctx)
	if err != nil {
		return err
	}
	defer done(&err)
	if _, ok := t.t.outbox.rows[m.ID]; ok {
		return conflict("", "Ce message est déjà dans la file d'envoi.", "outbox mail %s exists", m.ID)
	}
	// The store keeps its own copy of the files: the caller's slices are
	// the caller's.
	files := make([]ports.Attachment, len(m.Mail.Attachments))
	for i, a := range m.Mail.Attachments {
		a.Data = slices.Clone(a.Data)
		files[i] = a
	}
	m.Mail.Attachments = files
	m.Attach = slices.Clone(m.Attach)
	t.journal(t.t.outbox.put(m.ID, m))
	return nil
}

// EnqueueMails adds the mails, all or none.
func (t *tx) EnqueueMails(ctx context.Context, ms []ports.OutboxMail) (err error) {
	t, done, err := t.writing(ctx)
	if err != nil {
		return err
	}
	defer done(&err)
	for _, m := range ms {
		if err := t.EnqueueMail(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// ClaimMails takes the pending mails due at now, see ports.Outbox.
func (t *tx) ClaimMails(ctx context.Context, now time.Time, lease time.Duration, limit int) (_ []ports.OutboxMail, err error) {
	t, done, err := t.writing(ctx)
	if err != nil {
		return nil, err
	}
	defer done(&err)
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

// SaveMailResult records a delivery's outcome.
func (t *tx) SaveMailResult(ctx context.Context, m ports.OutboxMail) (err error) {
	t, done, err := t.writing(ctx)
	if err != nil {
		return err
	}
	defer done(&err)
	cur, ok := t.t.outbox.rows[m.ID]
	if !ok {
		return notFound("outbox mail %s", m.ID)
	}
	// Only the outcome changes: the mail itself stays as queued.
	cur.State, cur.Attempts, cur.NextAttemptAt, cur.LastError, cur.SentAt = m.State, m.Attempts, m.NextAttemptAt, m.LastError, m.SentAt
	t.journal(t.t.outbox.put(m.ID, cur))
	return nil
}

// OutboxCounts counts the pending and failed mails.
func (t *tx) OutboxCounts(context.Context) (ports.OutboxCounts, error) {
	t, done, err := t.reading()
	if err != nil {
		return ports.OutboxCounts{}, err
	}
	defer done()
	c := ports.OutboxCounts{Pending: len(t.t.outboxPending)}
	for _, m := range t.t.outbox.rows {
		if m.State == ports.OutboxFailed {
			c.Failed++
		}
	}
	return c, nil
}

// CountFailedMails counts the biller's failed mails queued since since.
func (t *tx) CountFailedMails(_ context.Context, billerID uuid.UUID, since time.Time) (int, error) {
	t, done, err := t.reading()
	if err != nil {
		return 0, err
	}
	defer done()
	n := 0
	for _, m := range t.t.outbox.rows {
		if m.State == ports.OutboxFailed && m.Mail.BillerID == billerID && !m.CreatedAt.Before(since) {
			n++
		}
	}
	return n, nil
}

// CancelMails deletes the biller's pending mails to one of the addresses.
func (t *tx) CancelMails(ctx context.Context, billerID uuid.UUID, to []string) (n int, err error) {
	t, done, err := t.writing(ctx)
	if err != nil {
		return 0, err
	}
	defer done(&err)
	var ids []uuid.UUID
	for id := range t.t.outboxPending {
		m := t.t.outbox.rows[id]
		if m.Mail.BillerID != billerID || m.Mail.To == "" {
			continue
		}
		for _, a := range to {
			if strings.EqualFold(m.Mail.To, a) {
				ids = append(ids, id)
				break
			}
		}
	}
	for _, id := range ids {
		t.journal(t.t.outbox.remove(id))
	}
	return len(ids), nil
}

// PurgeMails deletes up to limit of the biller's sent and failed mails
// queued before before, oldest first.
func (t *tx) PurgeMails(ctx context.Context, billerID uuid.UUID, before time.Time, limit int) (n int, err error) {
	t, done, err := t.writing(ctx)
	if err != nil {
		return 0, err
	}
	defer done(&err)
	var over []ports.OutboxMail
	for _, m := range t.t.outbox.rows {
		if m.State != ports.OutboxPending && m.Mail.BillerID == billerID && m.CreatedAt.Before(before) {
			over = append(over, m)
		}
	}
	slices.SortFunc(over, func(a, b ports.OutboxMail) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), compareIDs(a.ID, b.ID))
	})
	over = page(over, 0, limit)
	for _, m := range over {
		t.journal(t.t.outbox.remove(m.ID))
	}
	return len(over), nil
}
