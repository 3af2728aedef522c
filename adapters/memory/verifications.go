package memory

import (
	"context"

	"github.com/portail-factures/portail/domain"
)

// verifications holds the documents' verification codes, by code, and
// the code of each document (biller, key).
type verifications struct {
	byCode table[string, domain.Verification]
	byKey  map[scoped]string
}

func (v *verifications) init() {
	v.byKey = make(map[scoped]string)
	v.byCode = newTable[string](
		func(r domain.Verification) { v.byKey[scoped{r.BillerID, r.Key}] = r.Code },
		func(r domain.Verification) {
			if v.byKey[scoped{r.BillerID, r.Key}] == r.Code {
				delete(v.byKey, scoped{r.BillerID, r.Key})
			}
		})
}

// IssueVerification keeps v unless its document has a code already.
func (t *tx) IssueVerification(ctx context.Context, v domain.Verification) (_ domain.Verification, err error) {
	t, done, err := t.writing(ctx)
	if err != nil {
		return domain.Verification{}, err
	}
	defer done(&err)
	if code, ok := t.t.verifications.byKey[scoped{v.BillerID, v.Key}]; ok {
		return t.t.verifications.byCode.rows[code], nil
	}
	if _, taken := t.t.verifications.byCode.rows[v.Code]; taken {
		return domain.Verification{}, conflict("", "Ce code de vérification existe déjà.", "verification code %s taken", v.Code)
	}
	t.journal(t.t.verifications.byCode.put(v.Code, v))
	return v, nil
}

// VerificationByCode returns the record of a code.
func (t *tx) VerificationByCode(_ context.Context, code string) (domain.Verification, error) {
	t, done, err := t.reading()
	if err != nil {
		return domain.Verification{}, err
	}
	defer done()
	v, ok := t.t.verifications.byCode.rows[code]
	if !ok || code == "" {
		return domain.Verification{}, notFound("verification code")
	}
	return v, nil
}
