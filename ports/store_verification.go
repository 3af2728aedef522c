package ports

import (
	"context"

	"github.com/portail-factures/portail/domain"
)

// VerificationStore keeps the verification codes of the receipts and
// certificates, with what the public page /verification may show.
type VerificationStore interface {
	// IssueVerification keeps v unless its document (BillerID, Key)
	// already has a code: it returns the record kept, v or the earlier
	// one, so the same document asked twice keeps its code. A code
	// already given to another document is a Conflict: draw another.
	IssueVerification(ctx context.Context, v domain.Verification) (domain.Verification, error)
	// VerificationByCode returns the record of a code (canonical form,
	// domain.NormalizeVerificationCode); NotFound when none.
	VerificationByCode(ctx context.Context, code string) (domain.Verification, error)
}
