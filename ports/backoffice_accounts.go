package ports

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/portail-factures/portail/domain"
)

// AccountStatus is where a payer stands with the portal, for the back
// office: no account yet, an account waiting for its password, or active.
type AccountStatus string

// The account statuses of the accounts screen.
const (
	AccountNone    AccountStatus = "none"
	AccountPending AccountStatus = AccountStatus(domain.AccountPending)
	AccountActive  AccountStatus = AccountStatus(domain.AccountActive)
)

// Label says the status in French.
func (s AccountStatus) Label() string {
	switch s {
	case AccountPending:
		return "En attente d'activation"
	case AccountActive:
		return "Activé"
	}
	return "Pas de compte"
}

// statusOf returns the status of a payer whose account lookup gave a, err.
func statusOf(a domain.Account, found bool) AccountStatus {
	switch {
	case !found:
		return AccountNone
	case a.Active():
		return AccountActive
	}
	return AccountPending
}

// PayerRow is one payer of the accounts search.
type PayerRow struct {
	Payer   domain.Payer
	Status  AccountStatus
	Account domain.Account // zero when Status is AccountNone
}

// PayerPage is one page of the accounts search.
type PayerPage struct {
	Rows   []PayerRow
	Total  int
	Offset int
	Limit  int
}

// FindPayers looks payers of the actor's biller up by reference, address
// or start of name, with their account's status.
func (p BackOffice) FindPayers(ctx context.Context, a Actor, q PayerSearch) (PayerPage, error) {
	if err := a.canRead(a.BillerID); err != nil {
		return PayerPage{}, err
	}
	q.BillerID = a.BillerID
	q.Offset, q.Limit = pageBounds(q.Offset, q.Limit)
	payers, total, err := p.store.SearchPayers(ctx, q)
	if err != nil {
		return PayerPage{}, domain.WrapInternal(err)
	}
	page := PayerPage{Rows: make([]PayerRow, 0, len(payers)), Total: total, Offset: q.Offset, Limit: q.Limit}
	for _, payer := range payers {
		acc, found, err := payerAccount(ctx, p.store, payer)
		if err != nil {
			return PayerPage{}, err
		}
		page.Rows = append(page.Rows, PayerRow{Payer: payer, Status: statusOf(acc, found), Account: acc})
	}
	return page, nil
}

// payerAccount returns the payer's account, if it has one.
func payerAccount(ctx context.Context, tx Tx, payer domain.Payer) (domain.Account, bool, error) {
	acc, err := tx.AccountByPayer(ctx, payer.ID)
	switch {
	case err == nil && acc.BillerID == payer.BillerID:
		return acc, true, nil
	case err == nil || domain.ErrorCode(err) == domain.NotFound:
		return domain.Account{}, false, nil
	}
	return domain.Account{}, false, domain.WrapInternal(err)
}

// PayerDetail is the back office's page of one payer.
type PayerDetail struct {
	Payer   domain.Payer
	Status  AccountStatus
	Account domain.Account
	// LinkSentAt and LinkExpiresAt describe the activation link still
	// open, if any (zero otherwise).
	LinkSentAt    time.Time
	LinkExpiresAt time.Time
	// Invoices are the payer's latest invoices, InvoiceCount all of them.
	Invoices     []domain.Invoice
	InvoiceCount int
	// Messages are the payer's latest messages, newest first.
	Messages []domain.Message
	// Closed is the payer's last closed account (zero when none): the
	// page says when it was closed and whether its data are erased.
	Closed domain.Account
}

// Bounds of the payer's page.
const (
	payerDetailInvoices = 20
	payerDetailMessages = 20
)

// PayerDetail returns a payer of the actor's biller with its account,
// latest invoices and messages. Another biller's payer is NotFound.
func (p BackOffice) PayerDetail(ctx context.Context, a Actor, payerID uuid.UUID) (PayerDetail, error) {
	if err := a.canRead(a.BillerID); err != nil {
		return PayerDetail{}, err
	}
	payer, err := backOfficePayer(ctx, p.store, a, payerID)
	if err != nil {
		return PayerDetail{}, err
	}
	d := PayerDetail{Payer: payer}
	acc, found, err := payerAccount(ctx, p.store, payer)
	if err != nil {
		return PayerDetail{}, err
	}
	d.Account, d.Status = acc, statusOf(acc, found)
	if d.Closed, err = p.store.LastClosedAccount(ctx, payer.ID); err != nil && domain.ErrorCode(err) != domain.NotFound {
		return PayerDetail{}, domain.WrapInternal(err)
	}
	if d.Status == AccountPending {
		open, err := p.store.OpenTokens(ctx, acc.ID, domain.TokenActivation)
		if err != nil {
			return PayerDetail{}, domain.WrapInternal(err)
		}
		now := p.clock.Now()
		for _, t := range open {
			if now.Before(t.ExpiresAt) && t.CreatedAt.After(d.LinkSentAt) {
				d.LinkSentAt, d.LinkExpiresAt = t.CreatedAt, t.ExpiresAt
			}
		}
	}
	d.Invoices, d.InvoiceCount, err = p.store.SearchInvoices(ctx, InvoiceSearch{BillerID: a.BillerID, PayerID: payer.ID, Limit: payerDetailInvoices})
	if err != nil {
		return PayerDetail{}, domain.WrapInternal(err)
	}
	d.Messages, _, err = p.store.SearchMessages(ctx, MessageSearch{BillerID: a.BillerID, PayerID: payer.ID, Limit: payerDetailMessages})
	if err != nil {
		return PayerDetail{}, domain.WrapInternal(err)
	}
	return d, nil
}

// backOfficePayer loads a payer of the actor's biller.
func backOfficePayer(ctx context.Context, tx Tx, a Actor, payerID uuid.UUID) (domain.Payer, error) {
	payer, err := tx.Payer(ctx, payerID)
	if err != nil {
		return domain.Payer{}, notFoundAs(err, domain.ErrNotFound)
	}
	if payer.BillerID != a.BillerID {
		return domain.Payer{}, domain.ErrNotFound
	}
	return payer, nil
}

// ErrAlreadyActive refuses to resend an activation link to an active account.
var ErrAlreadyActive = &domain.Error{Code: domain.Conflict,
	Message: "Le compte de ce redevable est déjà activé : il peut se connecter, ou utiliser « Mot de passe oublié ? » s'il a perdu son mot de passe."}

// ErrNoPayerEmail refuses to send an activation link to a payer without address.
var ErrNoPayerEmail = &domain.Error{Code: domain.Conflict,
	Message: "Ce redevable n'a pas d'adresse de messagerie : ajoutez-la par un import ou l'API avant d'envoyer le lien d'activation."}

// ResendActivation sends the payer the activation link again, as "J'active
// mon compte" would: any earlier link stops working. A pending account
// follows the payer's current address. An active account is refused.
func (p BackOffice) ResendActivation(ctx context.Context, a Actor, payerID uuid.UUID) error {
	if err := a.canWrite(a.BillerID); err != nil {
		return err
	}
	now := p.clock.Now()
	err := p.store.Atomic(ctx, func(tx Tx) error {
		payer, err := backOfficePayer(ctx, tx, a, payerID)
		if err != nil {
			return err
		}
		b, err := tx.Biller(ctx, a.BillerID)
		if err != nil {
			return domain.WrapInternal(err)
		}
		acc, found, err := payerAccount(ctx, tx, payer)
		switch {
		case err != nil:
			return err
		case found && acc.Active():
			return ErrAlreadyActive
		case payer.Email == "":
			return ErrNoPayerEmail
		case !found:
			id, err := p.newID()
			if err != nil {
				return err
			}
			acc = domain.NewAccount(id, payer, now)
			if err := mapSave(tx.SaveAccount(ctx, acc)); err != nil {
				return err
			}
		case acc.Email != payer.Email:
			if err := emailFree(ctx, tx, acc, payer.Email); err != nil {
				return err
			}
			acc.Email, acc.UpdatedAt = payer.Email, now
			if err := mapSave(tx.SaveAccount(ctx, acc)); err != nil {
				return err
			}
		}
		if err := p.issueLink(ctx, tx, b, acc, domain.TokenActivation, acc.Email, "", now); err != nil {
			return err
		}
		return p.audit(ctx, tx, a, domain.AuditActivationResent, payer.ExternalRef+" – "+acc.Email,
			"Lien d'activation renvoyé à "+acc.Email+" ("+payer.Name+").")
	})
	if err != nil {
		return err
	}
	p.mailsQueued(ctx)
	return nil
}
