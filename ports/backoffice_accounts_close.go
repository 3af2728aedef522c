package ports

import (
	"context"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// ErrNoAccountToClose refuses to close the account of a payer who has none
// (or whose account is closed already).
var ErrNoAccountToClose = &domain.Error{Code: domain.Conflict,
	Message: "Ce redevable n'a pas de compte ouvert sur le portail : il n'y a rien à clore."}

// CloseAccount is the payer's page → « Clore le compte », for a
// gestionnaire or an administrateur (not « lecture », not an API key):
// the payer's account, pending or active, is closed as if the payer had
// closed it (citizens_close.go), the audit log names the staff member.
func (p BackOffice) CloseAccount(ctx context.Context, a Actor, payerID uuid.UUID) error {
	if err := a.canWrite(a.BillerID); err != nil {
		return err
	}
	if a.Kind != domain.ActorStaff {
		return domain.ErrNotFound
	}
	now := p.clock.Now()
	var closed domain.Account
	err := p.store.Atomic(ctx, func(tx Tx) error {
		payer, err := backOfficePayer(ctx, tx, a, payerID)
		if err != nil {
			return err
		}
		acc, found, err := payerAccount(ctx, tx, payer)
		if err != nil {
			return err
		}
		if !found {
			return ErrNoAccountToClose
		}
		if acc, err = tx.AccountForUpdate(ctx, acc.ID); err != nil {
			return domain.WrapInternal(err)
		}
		if acc.Closed() || acc.PayerID != payer.ID {
			return ErrNoAccountToClose
		}
		closed = acc
		return p.closeAccount(ctx, tx, acc, a, payer.ExternalRef,
			"Compte du redevable "+payer.ExternalRef+" ("+payer.Name+") clos par le service.", now)
	})
	if err != nil {
		return err
	}
	p.endAccountSessions(ctx, closed)
	p.mailsQueued(ctx)
	return nil
}
