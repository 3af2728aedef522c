package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/portail-factures/portail/domain"
)

const (
	verificationColumns = "code, biller_id, doc_key, kind, biller_name, payer_name, total, document_at, created_at"
	// verificationInsert keeps a new code; a document (biller_id, doc_key)
	// or a code already kept inserts nothing.
	verificationInsert = `INSERT INTO verifications (` + verificationColumns + `)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING ` + verificationColumns
	verificationByKey  = `SELECT ` + verificationColumns + ` FROM verifications WHERE biller_id = $1 AND doc_key = $2`
	verificationByCode = `SELECT ` + verificationColumns + ` FROM verifications WHERE code = $1`
)

type verificationRow struct {
	Code       string          `db:"code"`
	BillerID   uuid.UUID       `db:"biller_id"`
	Key        string          `db:"doc_key"`
	Kind       string          `db:"kind"`
	BillerName string          `db:"biller_name"`
	PayerName  string          `db:"payer_name"`
	Total      decimal.Decimal `db:"total"`
	DocumentAt time.Time       `db:"document_at"`
	CreatedAt  time.Time       `db:"created_at"`
}

func (r verificationRow) domain() domain.Verification {
	return domain.Verification{Code: r.Code, BillerID: r.BillerID, Key: r.Key, Kind: domain.VerificationKind(r.Kind),
		BillerName: r.BillerName, PayerName: r.PayerName, Total: r.Total, Date: r.DocumentAt, CreatedAt: r.CreatedAt}
}

// IssueVerification keeps v unless its document has a code already: an
// insert that does nothing on any conflict, then, when it did nothing, the
// document's row read by a statement of its own (its snapshot sees a
// concurrent insert that just committed).
func (s *queries) IssueVerification(ctx context.Context, v domain.Verification) (domain.Verification, error) {
	var r verificationRow
	err := s.get(ctx, &r, "issue verification", verificationInsert, v.Code, v.BillerID, v.Key, string(v.Kind),
		v.BillerName, v.PayerName, amountArg(v.Total), v.Date, v.CreatedAt)
	if err == nil {
		return r.domain(), nil
	}
	if domain.ErrorCode(err) != domain.NotFound {
		return domain.Verification{}, err
	}
	err = s.get(ctx, &r, "verification of a document", verificationByKey, v.BillerID, v.Key)
	if domain.ErrorCode(err) == domain.NotFound {
		return domain.Verification{}, &domain.Error{Code: domain.Conflict, Message: "Ce code de vérification existe déjà."}
	}
	if err != nil {
		return domain.Verification{}, err
	}
	return r.domain(), nil
}

// VerificationByCode returns the record of a code.
func (s *queries) VerificationByCode(ctx context.Context, code string) (domain.Verification, error) {
	var r verificationRow
	if code == "" {
		return domain.Verification{}, notFound("verification code")
	}
	if err := s.get(ctx, &r, "verification code", verificationByCode, code); err != nil {
		return domain.Verification{}, err
	}
	return r.domain(), nil
}
