package postgres

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"

	"github.com/portail-factures/portail/ports"
)

type outboxRow struct {
	ID            uuid.UUID     `db:"id"`
	To            string        `db:"mail_to"`
	ReplyTo       string        `db:"reply_to"`
	Subject       string        `db:"subject"`
	Text          string        `db:"body_text"`
	HTML          string        `db:"body_html"`
	State         string        `db:"state"`
	Attempts      int           `db:"attempts"`
	NextAttemptAt time.Time     `db:"next_attempt_at"`
	LastError     string        `db:"last_error"`
	CreatedAt     time.Time     `db:"created_at"`
	SentAt        sql.NullTime  `db:"sent_at"`
	Unsubscribe   string        `db:"list_unsubscribe"`
	Attachments   attachments   `db:"attachments"`
	BillerID      uuid.NullUUID `db:"biller_id"`
}

// attachments are a mail's files, kept as a JSON array in one column
// (migration 0011): the outbox reads them only with their mail. An
// element is a file (name, content type, data) or a file the sender makes
// at delivery (kind and id, ports.AttachmentRef), told apart by its kind.
type attachments struct {
	files []ports.Attachment
	refs  []ports.AttachmentRef
}

type attachmentJSON struct {
	Name        string `json:"name,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	Data        []byte `json:"data,omitempty"` // base64 in JSON
	// Kind and ID name a file made at delivery; Kind is empty for a file.
	Kind string    `json:"kind,omitempty"`
	ID   uuid.UUID `json:"id,omitzero"`
}

// attachmentsArg is a mail's files, then the ones it names, as the
// column's JSON text.
func attachmentsArg(files []ports.Attachment, refs []ports.AttachmentRef) (string, error) {
	out := make([]attachmentJSON, 0, len(files)+len(refs))
	for _, x := range files {
		out = append(out, attachmentJSON{Name: x.Name, ContentType: x.ContentType, Data: x.Data})
	}
	for _, r := range refs {
		out = append(out, attachmentJSON{Kind: string(r.Kind), ID: r.ID})
	}
	b, err := json.Marshal(out)
	return string(b), err
}

// Scan reads the column's JSON.
func (a *attachments) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return fmt.Errorf("postgres: attachments from %T", src)
	}
	var in []attachmentJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return fmt.Errorf("postgres: attachments: %w", err)
	}
	*a = attachments{}
	for _, x := range in {
		if x.Kind != "" {
			a.refs = append(a.refs, ports.AttachmentRef{Kind: ports.AttachmentKind(x.Kind), ID: x.ID})
			continue
		}
		if x.Data == nil {
			x.Data = []byte{} // omitempty: an empty file reads back empty, not nil
		}
		a.files = append(a.files, ports.Attachment{Name: x.Name, ContentType: x.ContentType, Data: x.Data})
	}
	return nil
}

func (r outboxRow) mail() ports.OutboxMail {
	return ports.OutboxMail{
		ID: r.ID,
		Mail: ports.Mail{To: r.To, ReplyTo: r.ReplyTo, Subject: r.Subject, Text: r.Text, HTML: r.HTML,
			Unsubscribe: r.Unsubscribe, Attachments: r.Attachments.files, BillerID: idOf(r.BillerID)},
		State: ports.OutboxState(r.State), Attempts: r.Attempts, NextAttemptAt: r.NextAttemptAt,
		LastError: r.LastError, CreatedAt: r.CreatedAt, SentAt: timeOf(r.SentAt), Attach: r.Attachments.refs,
	}
}

const outboxColumns = `id, mail_to, reply_to, subject, body_text, body_html, state, attempts, next_attempt_at, last_error, created_at, sent_at, list_unsubscribe, attachments, biller_id`

// outboxColumnCount is the number of outboxColumns, and of outboxArgs.
const outboxColumnCount = 15

// EnqueueMail adds m to the outbox; inside Atomic it commits or rolls
// back with the change that caused it.
func (s *queries) EnqueueMail(ctx context.Context, m ports.OutboxMail) error {
	args, err := outboxArgs(m)
	if err != nil {
		return err
	}
	_, err = s.exec(ctx, "enqueue mail", `INSERT INTO outbox (`+outboxColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`, args...)
	return err
}

// enqueueMailsSQL inserts a batch of mails in one statement of a fixed
// text (prepared once, whatever the batch's size): one array per column,
// unnested together. Times travel as text (pq.FormatTimestamp, as lib/pq
// writes a time.Time), and the nullable columns as an empty string for
// NULL.
const enqueueMailsSQL = `INSERT INTO outbox (` + outboxColumns + `)
SELECT u.id, u.mail_to, u.reply_to, u.subject, u.body_text, u.body_html, u.state, u.attempts,
	u.next_attempt_at, u.last_error, u.created_at, NULLIF(u.sent_at, '')::timestamptz,
	u.list_unsubscribe, u.attachments::jsonb, NULLIF(u.biller_id, '')::uuid
FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[],
	$9::timestamptz[], $10::text[], $11::timestamptz[], $12::text[], $13::text[], $14::text[], $15::text[])
	AS u(id, mail_to, reply_to, subject, body_text, body_html, state, attempts,
		next_attempt_at, last_error, created_at, sent_at, list_unsubscribe, attachments, biller_id)`

// EnqueueMails adds the mails to the outbox in one statement
// (enqueueMailsSQL): all or none.
func (s *queries) EnqueueMails(ctx context.Context, ms []ports.OutboxMail) error {
	if len(ms) == 0 {
		return nil
	}
	cols := make([]pq.StringArray, outboxColumnCount)
	for i := range cols {
		cols[i] = make(pq.StringArray, len(ms))
	}
	attempts := make(pq.Int64Array, len(ms))
	ts := func(t time.Time) string { return string(pq.FormatTimestamp(t)) }
	for i, m := range ms {
		files, err := attachmentsArg(m.Mail.Attachments, m.Attach)
		if err != nil {
			return err
		}
		sent, biller := "", ""
		if !m.SentAt.IsZero() {
			sent = ts(m.SentAt)
		}
		if m.Mail.BillerID != uuid.Nil {
			biller = m.Mail.BillerID.String()
		}
		attempts[i] = int64(m.Attempts)
		for c, v := range []string{m.ID.String(), m.Mail.To, m.Mail.ReplyTo, m.Mail.Subject, m.Mail.Text, m.Mail.HTML,
			string(m.State), "", ts(m.NextAttemptAt), m.LastError, ts(m.CreatedAt), sent,
			m.Mail.Unsubscribe, files, biller} {
			cols[c][i] = v
		}
	}
	args := make([]any, outboxColumnCount)
	for i, c := range cols {
		args[i] = c
	}
	args[7] = attempts
	_, err := s.exec(ctx, "enqueue mails", enqueueMailsSQL, args...)
	return err
}

// outboxArgs are the values of outboxColumns.
func outboxArgs(m ports.OutboxMail) ([]any, error) {
	files, err := attachmentsArg(m.Mail.Attachments, m.Attach)
	if err != nil {
		return nil, err
	}
	return []any{m.ID, m.Mail.To, m.Mail.ReplyTo, m.Mail.Subject, m.Mail.Text, m.Mail.HTML,
		string(m.State), m.Attempts, m.NextAttemptAt, m.LastError, m.CreatedAt, nullTime(m.SentAt),
		m.Mail.Unsubscribe, files, nullID(m.Mail.BillerID)}, nil
}

// ClaimMails takes up to limit pending mails due at now, oldest first, and
// pushes their next attempt to now+lease, in one statement: rows another
// sender is claiming at the same instant are skipped (SKIP LOCKED), so
// that two instances never take the same mail.
func (s *queries) ClaimMails(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]ports.OutboxMail, error) {
	var rows []outboxRow
	err := s.list(ctx, &rows, "claim mails", `WITH due AS (
			SELECT id FROM outbox
			WHERE state = 'pending' AND next_attempt_at <= $1
			ORDER BY created_at, id
			LIMIT $3
			FOR UPDATE SKIP LOCKED)
		UPDATE outbox o SET next_attempt_at = $2
		FROM due WHERE o.id = due.id
		RETURNING o.`+outboxColumnsPrefixed(),
		now, now.Add(lease), limitOf(limit))
	if err != nil {
		return nil, err
	}
	out := make([]ports.OutboxMail, len(rows))
	for i, r := range rows {
		out[i] = r.mail()
	}
	// UPDATE … RETURNING gives no order: restore the claim's.
	sortOutbox(out)
	return out, nil
}

// SaveMailResult records the outcome of a delivery.
func (s *queries) SaveMailResult(ctx context.Context, m ports.OutboxMail) error {
	n, err := s.exec(ctx, "save mail result", `UPDATE outbox
		SET state = $2, attempts = $3, next_attempt_at = $4, last_error = $5, sent_at = $6
		WHERE id = $1`,
		m.ID, string(m.State), m.Attempts, m.NextAttemptAt, m.LastError, nullTime(m.SentAt))
	if err == nil && n == 0 {
		return notFound("outbox mail %s", m.ID)
	}
	return err
}

// OutboxCounts counts the pending and failed mails.
func (s *queries) OutboxCounts(ctx context.Context) (ports.OutboxCounts, error) {
	var c struct {
		Pending int `db:"pending"`
		Failed  int `db:"failed"`
	}
	err := s.get(ctx, &c, "outbox counts", `SELECT
		(SELECT count(*) FROM outbox WHERE state = 'pending') AS pending,
		(SELECT count(*) FROM outbox WHERE state = 'failed') AS failed`)
	return ports.OutboxCounts{Pending: c.Pending, Failed: c.Failed}, err
}

// CountFailedMails counts the biller's failed mails queued since since
// (outbox_failed_biller_idx).
func (s *queries) CountFailedMails(ctx context.Context, billerID uuid.UUID, since time.Time) (int, error) {
	var n int
	err := s.get(ctx, &n, "failed mails", `SELECT count(*) FROM outbox
		WHERE state = 'failed' AND biller_id = $1 AND created_at >= $2`, billerID, since)
	return n, err
}

// The statements of CancelMails and PurgeMails (the latter in two
// forms: a biller's mails, the mails of no biller). A batch of the purge
// takes the oldest mails in outbox_over_idx's order, then deletes them by
// primary key: without the order, the first run over a large backlog
// (most rows due) would be planned as sequential scans of the table.
const (
	cancelMailsSQL = `DELETE FROM outbox
		WHERE state = 'pending' AND biller_id = $1 AND lower(mail_to) = ANY($2::text[])`
	purgeMailsSQL = `DELETE FROM outbox WHERE id = ANY(ARRAY(
		SELECT id FROM outbox
		WHERE state <> 'pending' AND biller_id = $1 AND created_at < $2
		ORDER BY biller_id, created_at
		LIMIT $3))`
	purgeOrphanMailsSQL = `DELETE FROM outbox WHERE id = ANY(ARRAY(
		SELECT id FROM outbox
		WHERE state <> 'pending' AND biller_id IS NULL AND created_at < $1
		ORDER BY biller_id, created_at
		LIMIT $2))`
)

// CancelMails deletes the biller's pending mails to one of the addresses
// (outbox_pending_idx: the pending mails only, few).
func (s *queries) CancelMails(ctx context.Context, billerID uuid.UUID, to []string) (int, error) {
	lower := make(pq.StringArray, 0, len(to))
	for _, a := range to {
		if a != "" {
			lower = append(lower, strings.ToLower(a))
		}
	}
	if len(lower) == 0 {
		return 0, nil
	}
	n, err := s.exec(ctx, "cancel mails", cancelMailsSQL, billerID, lower)
	return int(n), err
}

// PurgeMails deletes a batch of the biller's sent and failed mails queued
// before before (outbox_over_idx, migration 0020). The mails of no biller
// are matched with IS NULL, which the same index serves.
func (s *queries) PurgeMails(ctx context.Context, billerID uuid.UUID, before time.Time, limit int) (int, error) {
	query, args := purgeMailsSQL, []any{billerID, before, limitOf(limit)}
	if billerID == uuid.Nil {
		query, args = purgeOrphanMailsSQL, []any{before, limitOf(limit)}
	}
	n, err := s.exec(ctx, "purge mails", query, args...)
	return int(n), err
}

func outboxColumnsPrefixed() string {
	return "id, o.mail_to, o.reply_to, o.subject, o.body_text, o.body_html, o.state, o.attempts, o.next_attempt_at, o.last_error, o.created_at, o.sent_at, o.list_unsubscribe, o.attachments, o.biller_id"
}

func sortOutbox(ms []ports.OutboxMail) {
	slices.SortFunc(ms, func(a, b ports.OutboxMail) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return bytes.Compare(a.ID[:], b.ID[:])
	})
}
