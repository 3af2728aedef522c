package ports

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/portail-factures/portail/domain"
)

// InvoicePage is one page of "Mes factures".
type InvoicePage struct {
	PayerName string
	Tab       domain.Tab
	Invoices  []domain.Invoice
	Total     int // invoices in the tab
	Page      int // from 1
	Pages     int
	PerPage   int
	// Suspended is the service's suspension message while online payment
	// is suspended, shown in place of "Payer la facture"; "" otherwise.
	Suspended string
}

// MaxPerPage bounds the size of one page of invoices.
const MaxPerPage = 100

// Invoices lists the caller's invoices in one tab, page by page (page
// counts from 1).
func (p Citizens) Invoices(ctx context.Context, c Citizen, tab domain.Tab, page, perPage int) (InvoicePage, error) {
	if !tab.Valid() {
		return InvoicePage{}, domain.ErrNotFound
	}
	if perPage <= 0 || perPage > MaxPerPage {
		perPage = 20
	}
	if page < 1 {
		page = 1
	}
	_, payer, err := p.citizenAccount(ctx, c)
	if err != nil {
		return InvoicePage{}, err
	}
	b, err := p.biller(ctx, c.BillerID)
	if err != nil {
		return InvoicePage{}, domain.WrapInternal(err)
	}
	list, total, err := p.store.ListInvoices(ctx, InvoiceQuery{PayerID: payer.ID, Tab: tab, Offset: (page - 1) * perPage, Limit: perPage})
	if err != nil {
		return InvoicePage{}, domain.WrapInternal(err)
	}
	pages := (total + perPage - 1) / perPage
	if pages == 0 {
		pages = 1
	}
	return InvoicePage{PayerName: payer.Name, Tab: tab, Invoices: list, Total: total, Page: page, Pages: pages, PerPage: perPage,
		Suspended: b.Suspension.Notice(p.clock.Now())}, nil
}

// InvoiceDetail is an invoice with what the payer may do with it now.
type InvoiceDetail struct {
	Invoice    domain.Invoice
	Status     string // the state in words
	Actions    domain.Actions
	BillerName string
	// Payment is the live attempt holding the invoice, if any.
	Payment *domain.Payment
	// Refunds are the invoice's double payments, the payer's own, oldest
	// first: the service refunds the second payment.
	Refunds []domain.Refund
}

// Invoice returns one of the caller's invoices. Another payer's invoice,
// or one that does not exist, gives domain.ErrNotFound alike.
func (p Citizens) Invoice(ctx context.Context, c Citizen, id uuid.UUID) (InvoiceDetail, error) {
	inv, b, err := p.ownInvoice(ctx, p.store, c, id)
	if err != nil {
		return InvoiceDetail{}, err
	}
	now := p.clock.Now()
	d := InvoiceDetail{Invoice: inv, Status: inv.StatusText(now), Actions: inv.Actions(b, now), BillerName: b.Name}
	if inv.Locked(now) {
		if pay, err := p.store.Payment(ctx, inv.LockedBy); err == nil && pay.PayerID == c.PayerID {
			d.Payment = &pay
		}
	}
	if d.Refunds, err = p.invoiceRefunds(ctx, c, inv); err != nil {
		return InvoiceDetail{}, err
	}
	return d, nil
}

func (p *Portal) ownInvoice(ctx context.Context, tx Tx, c Citizen, id uuid.UUID) (domain.Invoice, domain.Biller, error) {
	if _, _, err := citizenAccount(ctx, tx, c); err != nil {
		return domain.Invoice{}, domain.Biller{}, err
	}
	inv, err := tx.Invoice(ctx, id)
	if err != nil {
		return inv, domain.Biller{}, notFoundAs(err, domain.ErrNotFound)
	}
	if inv.PayerID != c.PayerID || inv.BillerID != c.BillerID {
		return domain.Invoice{}, domain.Biller{}, domain.ErrNotFound
	}
	b, err := p.billerIn(ctx, tx, c.BillerID)
	if err != nil {
		return inv, b, domain.WrapInternal(err)
	}
	return inv, p.withMode(b), nil
}

// DeclarePaid is "Marquer la facture comme réglée".
func (p Citizens) DeclarePaid(ctx context.Context, c Citizen, id uuid.UUID) error {
	return p.changeInvoice(ctx, c, id, func(inv *domain.Invoice, now time.Time) error { return inv.DeclarePaid(now) })
}

// UndoDeclarePaid is "Marquer la facture comme non réglée".
func (p Citizens) UndoDeclarePaid(ctx context.Context, c Citizen, id uuid.UUID) error {
	return p.changeInvoice(ctx, c, id, func(inv *domain.Invoice, now time.Time) error { return inv.UndoDeclarePaid(now) })
}

func (p *Portal) changeInvoice(ctx context.Context, c Citizen, id uuid.UUID, change func(*domain.Invoice, time.Time) error) error {
	now := p.clock.Now()
	return p.store.Atomic(ctx, func(tx Tx) error {
		if _, _, err := p.ownInvoice(ctx, tx, c, id); err != nil {
			return err
		}
		invs, err := tx.InvoicesForUpdate(ctx, []uuid.UUID{id})
		if err != nil {
			return notFoundAs(err, domain.ErrNotFound)
		}
		if err := change(&invs[0], now); err != nil {
			return err
		}
		return mapSave(tx.SaveInvoice(ctx, invs[0]))
	})
}

// InvoiceRefunds returns the double payments of one of the payer's
// invoices, oldest first: never another payer's, nor a cancelled one
// (that payment settles the invoice now: nothing to tell).
func (p *Portal) invoiceRefunds(ctx context.Context, c Citizen, inv domain.Invoice) ([]domain.Refund, error) {
	list, err := p.store.RefundsByInvoice(ctx, inv.ID)
	if err != nil {
		return nil, domain.WrapInternal(err)
	}
	var out []domain.Refund
	for _, r := range list {
		if r.PayerID == c.PayerID && r.BillerID == c.BillerID && inv.PayerID == c.PayerID && !r.Cancelled() {
			out = append(out, r)
		}
	}
	return out, nil
}
