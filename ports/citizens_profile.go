package ports

import (
	"context"
	"strings"
	"time"

	"github.com/portail-factures/portail/domain"
)

// "Mes informations": the logged-in payer's profile, password and address.
// The confirmation of a new address, reached by a link without a session,
// is the account's (citizen_accounts_email.go).

// ChangePassword is "Mes informations" → change password: the current
// password is required. Every other session of the account ends.
func (p Citizens) ChangePassword(ctx context.Context, c Citizen, currentSession, current, password, confirm string) error {
	if password != confirm {
		return domain.FieldError("confirm", "Les deux mots de passe saisis sont différents.")
	}
	a, err := p.withPassword(ctx, c, current)
	if err != nil {
		return err
	}
	b, err := p.biller(ctx, c.BillerID)
	if err != nil {
		return domain.WrapInternal(err)
	}
	if err := domain.CheckPassword(password, b.MinPasswordLength); err != nil {
		return err
	}
	hash, err := p.hasher.HashBounded(ctx, password)
	if err != nil {
		return err
	}
	now := p.clock.Now()
	err = p.store.Atomic(ctx, func(tx Tx) error {
		a, _, err := citizenAccount(ctx, tx, c)
		if err != nil {
			return err
		}
		a.SetPassword(hash, now)
		if err := mapSave(tx.SaveAccount(ctx, a)); err != nil {
			return err
		}
		return p.audit(ctx, tx, citizenActor(ctx, a), domain.AuditPasswordChanged, a.Email,
			"Mot de passe changé depuis « Mes informations » ; les autres sessions sont fermées.")
	})
	if err != nil {
		return err
	}
	if err := p.sessions.DeleteAccountSessions(ctx, a.ID, domain.HashSecret(currentSession)); err != nil {
		p.log.ErrorContext(ctx, "other sessions not ended after password change", "account", a.ID, "err", err)
	}
	return nil
}

// withPassword returns the caller's account once current is its password
// (domain.ErrWrongPassword otherwise): the forms of « Mes informations »
// that a borrowed session must not be able to use.
func (p Citizens) withPassword(ctx context.Context, c Citizen, current string) (domain.Account, error) {
	a, _, err := p.citizenAccount(ctx, c)
	if err != nil {
		return a, err
	}
	if match, err := p.hasher.VerifyBounded(ctx, current, a.PasswordHash); err != nil {
		return a, err
	} else if !match {
		return a, domain.ErrWrongPassword
	}
	return a, nil
}

// RequestEmailChange sends a confirmation link to the new address; the
// change happens only when it is followed. The current password is
// required, so a borrowed session cannot take the account over.
func (p Citizens) RequestEmailChange(ctx context.Context, c Citizen, newEmail, current string) error {
	newEmail = domain.NormalizeEmail(newEmail)
	if err := domain.CheckEmail(newEmail); err != nil {
		return err
	}
	// The address is PayFiP's mel too: one it would refuse would keep
	// the citizen from paying online (docs/payfip.md §3.3).
	if err := domain.CheckPayFiPEmail(newEmail); err != nil {
		return err
	}
	a, err := p.withPassword(ctx, c, current)
	if err != nil {
		return err
	}
	if newEmail == a.Email {
		return domain.FieldError("email", "C'est déjà l'adresse de votre compte.")
	}
	now := p.clock.Now()
	err = p.store.Atomic(ctx, func(tx Tx) error {
		a, _, err := citizenAccount(ctx, tx, c)
		if err != nil {
			return err
		}
		if err := emailFree(ctx, tx, a, newEmail); err != nil {
			return err
		}
		b, err := tx.Biller(ctx, c.BillerID)
		if err != nil {
			return domain.WrapInternal(err)
		}
		if err := p.issueLink(ctx, tx, b, a, domain.TokenEmailChange, newEmail, newEmail, now); err != nil {
			return err
		}
		return p.audit(ctx, tx, citizenActor(ctx, a), domain.AuditEmailChangeAsked, newEmail,
			"Changement d'adresse demandé vers "+newEmail+" : lien de confirmation envoyé à cette adresse.")
	})
	if err != nil {
		return err
	}
	p.mailsQueued(ctx)
	return nil
}

// Profile is what "Mes informations" shows.
type Profile struct {
	Email     string
	PayerName string
	PayerRef  string
	Paperless bool
	// PaperlessRequestedAt is when the paper invoices were stopped.
	PaperlessRequestedAt time.Time
	MinPasswordLength    int
	// Notices and Reminders are the payer's mail choices (issue 15):
	// a mail at each new invoice, a reminder before the due date.
	Notices, Reminders bool
}

// Profile returns the caller's account information.
func (p Citizens) Profile(ctx context.Context, c Citizen) (Profile, error) {
	a, payer, err := p.citizenAccount(ctx, c)
	if err != nil {
		return Profile{}, err
	}
	b, err := p.biller(ctx, c.BillerID)
	if err != nil {
		return Profile{}, domain.WrapInternal(err)
	}
	return Profile{Email: a.Email, PayerName: payer.Name, PayerRef: payer.ExternalRef, Paperless: payer.Paperless,
		PaperlessRequestedAt: payer.PaperlessRequestedAt, MinPasswordLength: b.MinPasswordLength,
		Notices: !a.NoticesOff, Reminders: !a.RemindersOff}, nil
}

// SetMailPreferences is "Mes informations" → the mails the payer wants:
// a notice at each new invoice, reminders before the due date. Security
// mails (links, change of address) are never optional. A change is
// written in the audit log; no change, nothing written.
func (p Citizens) SetMailPreferences(ctx context.Context, c Citizen, notices, reminders bool) error {
	now := p.clock.Now()
	return p.store.Atomic(ctx, func(tx Tx) error {
		a, _, err := citizenAccount(ctx, tx, c)
		if err != nil {
			return err
		}
		detail := mailPreferencesDetail(a, notices, reminders)
		if detail == "" {
			return nil
		}
		a.NoticesOff, a.RemindersOff = !notices, !reminders
		a.UpdatedAt = now
		if err := mapSave(tx.SaveAccount(ctx, a)); err != nil {
			return err
		}
		return p.audit(ctx, tx, citizenActor(ctx, a), domain.AuditMailPreferences, a.Email, detail+" depuis « Mes informations ».")
	})
}

// mailPreferencesDetail says in French what changes from a's choices;
// empty when nothing does.
func mailPreferencesDetail(a domain.Account, notices, reminders bool) string {
	var out []string
	if a.NoticesOff == notices {
		out = append(out, "avis de nouvelle facture : "+onOff(notices)+"s")
	}
	if a.RemindersOff == reminders {
		out = append(out, "rappels avant l'échéance : "+onOff(reminders)+"s")
	}
	if len(out) == 0 {
		return ""
	}
	return strings.ToUpper(out[0][:1]) + strings.Join(out, " ; ")[1:]
}
