package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// Closed accounts and the erasure of their personal data (migration 0018,
// ports.RetentionStore).

var _ ports.RetentionStore = (*queries)(nil)

var (
	// closedAccountsSQL walks accounts_closed_idx.
	closedAccountsSQL = accountSelect + `
WHERE biller_id = $1 AND state = 'closed' AND anonymised_at IS NULL AND closed_at < $2
ORDER BY closed_at, id LIMIT $3`
	lastClosedAccountSQL = accountSelect + `
WHERE payer_id = $1 AND state = 'closed' ORDER BY closed_at DESC, id DESC LIMIT 1`
	accountMessagesSQL = messageSelect + ` WHERE account_id = $1 ORDER BY created_at, id`
	accountAuditSQL    = auditSelect + `
WHERE actor = 'citizen' AND actor_id = $2 AND biller_id = $1 ORDER BY at, id`
	redactAuditSQL = `UPDATE audit_events SET actor_id = $2, actor_label = $3, target = $4, detail = $5, ip = $6 WHERE id = $1`
)

// AccountForUpdate returns the account with id, locked until the
// transaction ends. Outside Atomic it is a plain read.
func (s *queries) AccountForUpdate(ctx context.Context, id uuid.UUID) (domain.Account, error) {
	return s.account(ctx, "account "+id.String(), "id = $1 FOR UPDATE", id)
}

// ClosedAccounts returns up to limit of the biller's closed accounts not
// erased yet, closed before before, oldest closure first.
func (s *queries) ClosedAccounts(ctx context.Context, billerID uuid.UUID, before time.Time, limit int) ([]domain.Account, error) {
	var rows []accountRow
	if err := s.list(ctx, &rows, "closed accounts", closedAccountsSQL, billerID, before, limitOf(limit)); err != nil {
		return nil, err
	}
	out := make([]domain.Account, len(rows))
	for i, r := range rows {
		out[i] = r.account()
	}
	return out, nil
}

// LastClosedAccount returns the payer's most recently closed account.
func (s *queries) LastClosedAccount(ctx context.Context, payerID uuid.UUID) (domain.Account, error) {
	var r accountRow
	if err := s.get(ctx, &r, "closed account of payer "+payerID.String(), lastClosedAccountSQL, payerID); err != nil {
		return domain.Account{}, err
	}
	return r.account(), nil
}

// AccountMessages returns the account's messages, oldest first.
func (s *queries) AccountMessages(ctx context.Context, accountID uuid.UUID) ([]domain.Message, error) {
	var rows []messageRow
	if err := s.list(ctx, &rows, "account messages", accountMessagesSQL, accountID); err != nil {
		return nil, err
	}
	out := make([]domain.Message, len(rows))
	for i, r := range rows {
		out[i] = r.message()
	}
	return out, nil
}

// DeleteAccountTokens removes every token of the account.
func (s *queries) DeleteAccountTokens(ctx context.Context, accountID uuid.UUID) (int, error) {
	n, err := s.exec(ctx, "delete account tokens", `DELETE FROM tokens WHERE account_id = $1`, accountID)
	return int(n), err
}

// AccountAuditEvents returns the biller's events whose actor is the
// citizen account, oldest first.
func (s *queries) AccountAuditEvents(ctx context.Context, billerID, accountID uuid.UUID) ([]domain.AuditEvent, error) {
	var rows []auditRow
	if err := s.list(ctx, &rows, "account audit events", accountAuditSQL, billerID, accountID); err != nil {
		return nil, err
	}
	out := make([]domain.AuditEvent, len(rows))
	for i, r := range rows {
		out[i] = r.event()
	}
	return out, nil
}

// RedactAudit replaces the personal fields of the event e.ID.
func (s *queries) RedactAudit(ctx context.Context, e domain.AuditEvent) error {
	n, err := s.exec(ctx, "redact audit event", redactAuditSQL, e.ID, nullID(e.ActorID), e.ActorLabel, e.Target, e.Detail, e.IP)
	if err == nil && n == 0 {
		return notFound("audit event " + e.ID.String())
	}
	return err
}
