package memory

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

var _ ports.RetentionStore = (*tx)(nil)

// AccountForUpdate returns the account with id: the memory store's
// transactions are serial, so a read is a lock.
func (t *tx) AccountForUpdate(ctx context.Context, id uuid.UUID) (domain.Account, error) {
	return t.Account(ctx, id)
}

// ClosedAccounts returns up to limit of the biller's closed accounts not
// erased yet, closed before before, oldest closure first.
func (t *tx) ClosedAccounts(_ context.Context, billerID uuid.UUID, before time.Time, limit int) ([]domain.Account, error) {
	t, done, err := t.reading()
	if err != nil {
		return nil, err
	}
	defer done()
	out := []domain.Account{}
	for _, a := range t.t.accounts.rows {
		if a.BillerID == billerID && a.Closed() && a.AnonymisedAt.IsZero() && a.ClosedAt.Before(before) {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b domain.Account) int {
		return cmp.Or(a.ClosedAt.Compare(b.ClosedAt), compareIDs(a.ID, b.ID))
	})
	return page(out, 0, limit), nil
}

// LastClosedAccount returns the payer's most recently closed account.
func (t *tx) LastClosedAccount(_ context.Context, payerID uuid.UUID) (domain.Account, error) {
	t, done, err := t.reading()
	if err != nil {
		return domain.Account{}, err
	}
	defer done()
	var last domain.Account
	for _, a := range t.t.accounts.rows {
		if a.PayerID == payerID && a.Closed() &&
			(last.ID == uuid.Nil || cmp.Or(a.ClosedAt.Compare(last.ClosedAt), compareIDs(a.ID, last.ID)) > 0) {
			last = a
		}
	}
	if last.ID == uuid.Nil {
		return domain.Account{}, notFound("closed account of payer %s", payerID)
	}
	return last, nil
}

// AccountMessages returns the account's messages, oldest first.
func (t *tx) AccountMessages(_ context.Context, accountID uuid.UUID) ([]domain.Message, error) {
	t, done, err := t.reading()
	if err != nil {
		return nil, err
	}
	defer done()
	out := []domain.Message{}
	for _, m := range t.t.messages.rows {
		if m.AccountID == accountID {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b domain.Message) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), compareIDs(a.ID, b.ID))
	})
	return out, nil
}

// DeleteAccountTokens removes every token of the account.
func (t *tx) DeleteAccountTokens(ctx context.Context, accountID uuid.UUID) (n int, err error) {
	t, done, err := t.writing(ctx)
	if err != nil {
		return 0, err
	}
	defer done(&err)
	hashes := make([]string, 0, len(t.t.tokensByAccount[accountID]))
	for h := range t.t.tokensByAccount[accountID] {
		hashes = append(hashes, h)
	}
	for _, h := range hashes {
		t.journal(t.t.tokens.remove(h))
	}
	return len(hashes), nil
}

// AccountAuditEvents returns the biller's events whose actor is the
// citizen account, oldest first.
func (t *tx) AccountAuditEvents(_ context.Context, billerID, accountID uuid.UUID) ([]domain.AuditEvent, error) {
	t, done, err := t.reading()
	if err != nil {
		return nil, err
	}
	defer done()
	out := []domain.AuditEvent{}
	for id := range t.t.bo.auditByBiller[billerID] {
		if e := t.t.bo.audit.rows[id]; e.Actor == domain.ActorCitizen && e.ActorID == accountID {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b domain.AuditEvent) int { return cmp.Or(a.At.Compare(b.At), compareIDs(a.ID, b.ID)) })
	return out, nil
}

// RedactAudit replaces the personal fields of the event e.ID.
func (t *tx) RedactAudit(ctx context.Context, e domain.AuditEvent) (err error) {
	t, done, err := t.writing(ctx)
	if err != nil {
		return err
	}
	defer done(&err)
	old, ok := t.t.bo.audit.rows[e.ID]
	if !ok {
		return notFound("audit event %s", e.ID)
	}
	old.ActorID, old.ActorLabel, old.Target, old.Detail, old.IP = e.ActorID, e.ActorLabel, e.Target, e.Detail, e.IP
	t.journal(t.t.bo.audit.put(old.ID, old))
	return nil
}
