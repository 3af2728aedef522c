package ports

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// DeclaredRow is an invoice its payer declared paid ("Marquer la facture
// comme réglée"), awaiting the billing service's decision.
type DeclaredRow struct {
	Invoice domain.Invoice
	Payer   domain.Payer
}

// DeclaredList is one page of declared invoices.
type DeclaredList struct {
	Rows  []DeclaredRow
	Total int
	Paging
}

// DeclaredInvoices lists the actor's biller's invoices declared paid by
// their payers and not settled yet, one page (from 1).
func (p BackOfficePayments) DeclaredInvoices(ctx context.Context, a Actor, page int) (DeclaredList, error) {
	if err := a.canRead(a.BillerID); err != nil {
		return DeclaredList{}, err
	}
	offset, limit := boundPage((max(page, 1)-1)*PaymentsPerPage, PaymentsPerPage)
	list, total, err := p.store.SearchInvoices(ctx, InvoiceSearch{BillerID: a.BillerID, Declared: true, Offset: offset, Limit: limit})
	if err != nil {
		return DeclaredList{}, domain.WrapInternal(err)
	}
	payers := payerCache{store: p.store, biller: a.BillerID}
	out := DeclaredList{Total: total, Paging: pagingOf(total, offset, limit)}
	for _, inv := range list {
		out.Rows = append(out.Rows, DeclaredRow{Invoice: inv, Payer: payers.get(ctx, inv.PayerID)})
	}
	return out, nil
}

// ConfirmDeclared is the billing service saying it received the money of
// an invoice the payer declared paid: the invoice is settled, outside the
// portal (no payment), on the day of the declaration.
func (p BackOfficePayments) ConfirmDeclared(ctx context.Context, a Actor, invoiceID uuid.UUID) error {
	return p.reviewDeclared(ctx, a, invoiceID, func(tx Tx, inv *domain.Invoice) error {
		if err := inv.ConfirmDeclared(p.clock.Now()); err != nil {
			return err
		}
		return p.audit(ctx, tx, a, domain.AuditDeclaredConfirmed, inv.Number,
			fmt.Sprintf("Règlement déclaré le %s confirmé : facture de %s réglée.", domain.FrenchDateTime(inv.PaidAt), domain.FormatEuros(inv.Amount)))
	})
}

// RejectDeclared is the billing service saying it found no money for an
// invoice the payer declared paid: the declaration is undone and the
// payer is told by email, in the same transaction (through the outbox),
// when an address is known.
func (p BackOfficePayments) RejectDeclared(ctx context.Context, a Actor, invoiceID uuid.UUID) error {
	queued := false
	err := p.reviewDeclared(ctx, a, invoiceID, func(tx Tx, inv *domain.Invoice) error {
		queued = false
		now := p.clock.Now()
		declaredAt := inv.DeclaredPaidAt
		if err := inv.RejectDeclared(now); err != nil {
			return err
		}
		to, err := p.payerAddress(ctx, tx, inv.PayerID)
		if err != nil {
			return err
		}
		told := "le redevable n'a pas d'adresse de messagerie : prévenez-le par un autre moyen"
		if to != "" {
			b, err := tx.Biller(ctx, inv.BillerID)
			if err != nil {
				return domain.WrapInternal(err)
			}
			m, err := p.mails.render(mailDeclaredRejected, to, b.Email, mailData{
				Biller: b, Invoice: *inv, Email: to, Link: p.cfg.PublicURL + "/factures/" + inv.ID.String(),
			})
			if err != nil {
				return err
			}
			if err := p.enqueue(ctx, tx, m, now); err != nil {
				return err
			}
			queued = true
			told = "courriel envoyé à " + to
		}
		return p.audit(ctx, tx, a, domain.AuditDeclaredRejected, inv.Number,
			fmt.Sprintf("Règlement déclaré le %s rejeté, facture de nouveau à régler ; %s.", domain.FrenchDateTime(declaredAt), told))
	})
	if err != nil {
		return err
	}
	if queued {
		p.mailsQueued(ctx)
	}
	return nil
}

// reviewDeclared runs a staff decision on one of the actor's biller's
// invoices in one transaction, the invoice locked.
func (p *Portal) reviewDeclared(ctx context.Context, a Actor, id uuid.UUID, change func(Tx, *domain.Invoice) error) error {
	if err := a.canWrite(a.BillerID); err != nil {
		return err
	}
	return p.store.Atomic(ctx, func(tx Tx) error {
		invs, err := tx.InvoicesForUpdate(ctx, []uuid.UUID{id})
		if err != nil {
			return notFoundAs(err, domain.ErrNotFound)
		}
		inv := invs[0]
		if err := a.canWrite(inv.BillerID); err != nil {
			return err
		}
		if err := change(tx, &inv); err != nil {
			return err
		}
		return mapSave(tx.SaveInvoice(ctx, inv))
	})
}

// payerAddress is where to write to a payer: their active account's
// address, else the address the billing service gave, else "".
func (p *Portal) payerAddress(ctx context.Context, tx Tx, payerID uuid.UUID) (string, error) {
	if acc, err := tx.AccountByPayer(ctx, payerID); err == nil && acc.Active() && acc.Email != "" {
		return acc.Email, nil
	} else if err != nil && domain.ErrorCode(err) != domain.NotFound {
		return "", domain.WrapInternal(err)
	}
	payer, err := tx.Payer(ctx, payerID)
	if err != nil {
		return "", notFoundAs(err, domain.ErrNotFound)
	}
	return payer.Email, nil
}
