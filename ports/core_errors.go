package ports

import (
	"github.com/portail-factures/portail/domain"
)

// Store errors turned into the domain's codes, and errors more than one
// façade returns.

// mapSave passes a store's Conflict on (its message is French) and wraps
// anything else.
func mapSave(err error) error {
	if err == nil || domain.ErrorCode(err) == domain.Conflict {
		return err
	}
	return domain.WrapInternal(err)
}

// errUnknownBiller answers a biller id that is not in the store.
var errUnknownBiller = domain.Errorf(domain.NotFound, "Service de facturation inconnu.")

// notFoundAs replaces a store's NotFound with the use case's own error,
// and wraps anything unexpected.
func notFoundAs(err error, with error) error {
	if domain.ErrorCode(err) == domain.NotFound {
		return with
	}
	return domain.WrapInternal(err)
}
