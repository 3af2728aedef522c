package ports

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// StaffInvoiceFilter is the back office's invoice search: by number, by
// the payer's reference in the billing software, by state.
type StaffInvoiceFilter struct {
	Number   string
	PayerRef string
	State    domain.InvoiceState
	Declared bool
	Page     int // from 1
}

// StaffInvoicePageSize is the number of invoices per back-office page.
const StaffInvoicePageSize = 50

// StaffInvoiceList is one page of the back office's invoice search.
type StaffInvoiceList struct {
	Invoices []domain.Invoice
	// Payers names the payers of the invoices listed.
	Payers map[uuid.UUID]domain.Payer
	Total  int // up to BackOfficeCountLimit
	// AtLeast is set when Total is the bound: there may be more.
	AtLeast bool
	Page    int
	Pages   int
}

// StaffInvoices searches the actor's biller's invoices.
func (p BackOffice) StaffInvoices(ctx context.Context, a Actor, f StaffInvoiceFilter) (StaffInvoiceList, error) {
	if err := a.canRead(a.BillerID); err != nil {
		return StaffInvoiceList{}, err
	}
	if f.State != "" && !f.State.Valid() {
		return StaffInvoiceList{}, domain.FieldError("etat", "État de facture inconnu.")
	}
	q := InvoiceSearch{BillerID: a.BillerID, Number: strings.TrimSpace(f.Number), Declared: f.Declared,
		Limit: StaffInvoicePageSize, CountUpTo: BackOfficeCountLimit}
	if f.State != "" {
		q.States = []domain.InvoiceState{f.State}
	}
	out := StaffInvoiceList{Page: max(f.Page, 1), Payers: map[uuid.UUID]domain.Payer{}}
	if ref := strings.TrimSpace(f.PayerRef); ref != "" {
		payer, err := p.store.PayerByRef(ctx, a.BillerID, ref)
		if domain.ErrorCode(err) == domain.NotFound {
			return out, nil
		}
		if err != nil {
			return out, domain.WrapInternal(err)
		}
		q.PayerID = payer.ID
		out.Payers[payer.ID] = payer
	}
	q.Offset = (out.Page - 1) * StaffInvoicePageSize
	list, total, err := p.store.SearchInvoices(ctx, q)
	if err != nil {
		return out, domain.WrapInternal(err)
	}
	out.Invoices, out.Total, out.AtLeast = list, total, total >= BackOfficeCountLimit
	out.Pages = max((total+StaffInvoicePageSize-1)/StaffInvoicePageSize, 1)
	for _, inv := range list {
		if _, ok := out.Payers[inv.PayerID]; ok {
			continue
		}
		payer, err := p.store.Payer(ctx, inv.PayerID)
		if err != nil {
			return out, domain.WrapInternal(err)
		}
		out.Payers[payer.ID] = payer
	}
	return out, nil
}

// StaffInvoiceDetail is one invoice for the back office.
type StaffInvoiceDetail struct {
	Invoice domain.Invoice
	Payer   domain.Payer
	// Payment is the online payment that settled it, if any.
	Payment *domain.Payment
	// TreasuryOn is the day it goes to treasury if still unpaid.
	TreasuryOn domain.Date
	Locked     bool
	// Actions are the changes staff may record by hand now.
	Actions domain.StaffActions
	// Refunds are the invoice's double payments, oldest first.
	Refunds []domain.Refund
}

// StaffInvoice returns one invoice of the actor's biller.
func (p BackOffice) StaffInvoice(ctx context.Context, a Actor, id uuid.UUID) (StaffInvoiceDetail, error) {
	if err := a.canRead(a.BillerID); err != nil {
		return StaffInvoiceDetail{}, err
	}
	inv, err := p.store.Invoice(ctx, id)
	if err != nil {
		return StaffInvoiceDetail{}, notFoundAs(err, domain.ErrNotFound)
	}
	if inv.BillerID != a.BillerID {
		return StaffInvoiceDetail{}, domain.ErrNotFound
	}
	b, err := p.store.Biller(ctx, a.BillerID)
	if err != nil {
		return StaffInvoiceDetail{}, domain.WrapInternal(err)
	}
	payer, err := p.store.Payer(ctx, inv.PayerID)
	if err != nil {
		return StaffInvoiceDetail{}, domain.WrapInternal(err)
	}
	now := p.clock.Now()
	d := StaffInvoiceDetail{Invoice: inv, Payer: payer, TreasuryOn: b.TreasuryDate(inv.DueDate), Locked: inv.Locked(now),
		Actions: inv.StaffActions(now)}
	if inv.PaymentID != uuid.Nil {
		pay, err := p.store.Payment(ctx, inv.PaymentID)
		if err != nil && domain.ErrorCode(err) != domain.NotFound {
			return d, domain.WrapInternal(err)
		}
		if err == nil && pay.BillerID == a.BillerID {
			d.Payment = &pay
		}
	}
	if d.Refunds, err = p.store.RefundsByInvoice(ctx, inv.ID); err != nil {
		return d, domain.WrapInternal(err)
	}
	return d, nil
}
