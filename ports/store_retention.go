package ports

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// RetentionStore is what closing accounts and erasing their personal data
// after the retention period need (issue 16, item 7; jobs_retention.go).
// AccountStore's lookups by email and by payer never find a closed
// account: a closed account frees its address and its payer, who may
// activate a new account.
type RetentionStore interface {
	// AccountForUpdate returns the account with id, locked until the
	// transaction ends. Outside Atomic it is a plain read.
	AccountForUpdate(ctx context.Context, id uuid.UUID) (domain.Account, error)
	// ClosedAccounts returns up to limit of the biller's closed accounts
	// whose data are not erased yet and that were closed before before,
	// oldest closure first (then by id).
	ClosedAccounts(ctx context.Context, billerID uuid.UUID, before time.Time, limit int) ([]domain.Account, error)
	// LastClosedAccount returns the payer's most recently closed account;
	// NotFound when it has none.
	LastClosedAccount(ctx context.Context, payerID uuid.UUID) (domain.Account, error)
	// AccountMessages returns every message the account sent, oldest
	// first (then by id).
	AccountMessages(ctx context.Context, accountID uuid.UUID) ([]domain.Message, error)
	// DeleteAccountTokens removes every link of the account, used or not,
	// and returns how many it removed.
	DeleteAccountTokens(ctx context.Context, accountID uuid.UUID) (int, error)
	// AccountAuditEvents returns the biller's audit events whose actor is
	// the citizen account accountID, oldest first (then by id).
	AccountAuditEvents(ctx context.Context, billerID, accountID uuid.UUID) ([]domain.AuditEvent, error)
	// RedactAudit replaces the actor id, actor label, target, detail and
	// IP of the event e.ID with e's: the one change the audit log allows, to erase
	// personal details (domain.RedactAudit). NotFound for an unknown id.
	RedactAudit(ctx context.Context, e domain.AuditEvent) error
}
