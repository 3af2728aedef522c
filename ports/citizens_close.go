package ports

import (
	"context"

	"github.com/portail-factures/portail/domain"
)

// CloseAccount is « Mes informations » → « Clore mon compte »: with the
// current password (a borrowed session cannot close the account), the
// account is closed, its links deleted, a mail confirms it, and every
// session of the account ends, this one included. The payer's invoices
// and payments stay with the service; the account's personal data are
// erased after the biller's retention period (jobs_retention.go). The
// payer may come back: « J'active mon compte » with the address the
// service knows makes a new account.
func (p Citizens) CloseAccount(ctx context.Context, c Citizen, current string) error {
	a, err := p.withPassword(ctx, c, current)
	if err != nil {
		return err
	}
	now := p.clock.Now()
	err = p.store.Atomic(ctx, func(tx Tx) error {
		a, _, err := citizenAccount(ctx, tx, c)
		if err != nil {
			return err
		}
		return p.closeAccount(ctx, tx, a, citizenActor(ctx, a), a.Email,
			"Compte clos par le redevable depuis « Mes informations ».", now)
	})
	if err != nil {
		return err
	}
	p.endAccountSessions(ctx, a)
	p.mailsQueued(ctx)
	return nil
}

// Retention says in French how long the biller keeps a closed account's
// personal data ("12 mois"), for the closing page.
func (p Citizens) Retention(ctx context.Context, c Citizen) (string, error) {
	b, err := p.biller(ctx, c.BillerID)
	if err != nil {
		return "", domain.WrapInternal(err)
	}
	return RetentionWords(b.RetentionMonths), nil
}
