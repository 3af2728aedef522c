package ports

import (
	"context"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// Unsubscription is what the public unsubscribe page shows: which mails
// the link stops, and whether they are off already. Nothing about the
// payer: whoever holds the link sees no name, address nor invoice.
type Unsubscription struct {
	// Notices is true for the new-invoice notices, false for the
	// reminders.
	Notices bool
	// Off is true once that kind is off for the account.
	Off bool
}

// What says in French which mails the link stops.
func (u Unsubscription) What() string {
	if u.Notices {
		return "les avis de nouvelle facture"
	}
	return "les rappels avant et après l'échéance"
}

// UnsubscribeLink is the GET of the public unsubscribe page (PathUnsubscribe):
// it checks the link's token against the biller of the portal's host and
// says what the link would stop. It changes nothing: mail scanners open
// links before the payer does. ErrBadUnsubscribeLink for a token that is
// not one of this biller's links.
func (p CitizenAccounts) UnsubscribeLink(ctx context.Context, billerID uuid.UUID, token string) (Unsubscription, error) {
	a, k, err := p.unsubscribeAccount(ctx, p.store, billerID, token)
	if err != nil {
		return Unsubscription{}, err
	}
	u := Unsubscription{Notices: k == unsubscribeNotices}
	u.Off = (u.Notices && a.NoticesOff) || (!u.Notices && a.RemindersOff)
	return u, nil
}

// Unsubscribe is the POST of the public unsubscribe page: the payer's
// button, or the one-click request of their mail provider (RFC 8058, the
// body "List-Unsubscribe=One-Click", no cookie nor form token: the link's
// token is the proof). It turns the link's kind of mail off for its
// account and writes it in the audit log like a change in « Mes
// informations »; a kind already off changes and writes nothing, so a
// second click is harmless. The web adapter limits the requests per client
// address.
func (p CitizenAccounts) Unsubscribe(ctx context.Context, billerID uuid.UUID, token string) (Unsubscription, error) {
	// The key is read (or made) outside the transaction: see
	// unsubscribeKey.
	if _, err := p.unsubscribeKey(ctx); err != nil {
		return Unsubscription{}, err
	}
	var u Unsubscription
	err := p.store.Atomic(ctx, func(tx Tx) error {
		a, k, err := p.unsubscribeAccount(ctx, tx, billerID, token)
		if err != nil {
			return err
		}
		u = Unsubscription{Notices: k == unsubscribeNotices, Off: true}
		notices, reminders := !a.NoticesOff, !a.RemindersOff
		if u.Notices {
			notices = false
		} else {
			reminders = false
		}
		detail := mailPreferencesDetail(a, notices, reminders)
		if detail == "" {
			return nil
		}
		a.NoticesOff, a.RemindersOff = !notices, !reminders
		a.UpdatedAt = p.clock.Now()
		if err := mapSave(tx.SaveAccount(ctx, a)); err != nil {
			return err
		}
		return p.audit(ctx, tx, citizenActor(ctx, a), domain.AuditMailPreferences, a.Email,
			detail+" depuis le lien de désabonnement d'un courriel.")
	})
	return u, err
}

// unsubscribeAccount is the account a link's token names, if the token is
// genuine and the account is the biller's.
func (p CitizenAccounts) unsubscribeAccount(ctx context.Context, tx Tx, billerID uuid.UUID, token string) (domain.Account, byte, error) {
	id, k, err := p.parseUnsubscribeToken(ctx, token)
	if err != nil {
		return domain.Account{}, 0, err
	}
	a, err := tx.Account(ctx, id)
	if domain.ErrorCode(err) == domain.NotFound || (err == nil && a.BillerID != billerID) {
		return domain.Account{}, 0, ErrBadUnsubscribeLink
	}
	if err != nil {
		return domain.Account{}, 0, domain.WrapInternal(err)
	}
	return a, k, nil
}
