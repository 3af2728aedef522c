package ports

import (
	"context"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// ErrNoDocumentMatch: the code typed on /verification is not one of the
// biller's documents (malformed, unknown, or another biller's: all alike,
// so that the page tells nothing more).
var ErrNoDocumentMatch = domain.Errorf(domain.NotFound, "Aucun document ne correspond à ce code. Vérifiez sa saisie : il compte 12 caractères, lettres et chiffres, par exemple K7MX-3QHD-9PWA.")

// Verify is the public page /verification: anyone (the CAF, a tax office)
// types a receipt's or a certificate's code and reads whether it is
// genuine. It returns what the page may show — biller, payer's name,
// total, date — of the document of billerID (the portal's host) with
// that code; ErrNoDocumentMatch otherwise. The web adapter limits the
// attempts per client address.
func (p CitizenAccounts) Verify(ctx context.Context, billerID uuid.UUID, typed string) (domain.Verification, error) {
	code := domain.NormalizeVerificationCode(typed)
	if code == "" {
		return domain.Verification{}, ErrNoDocumentMatch
	}
	v, err := p.store.VerificationByCode(ctx, code)
	if domain.ErrorCode(err) == domain.NotFound || (err == nil && v.BillerID != billerID) {
		return domain.Verification{}, ErrNoDocumentMatch
	}
	if err != nil {
		return domain.Verification{}, domain.WrapInternal(err)
	}
	return v, nil
}
