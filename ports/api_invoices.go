package ports

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"github.com/portail-factures/portail/domain"
)

// The use cases of this file serve the billing software's API (and the
// back office where it shares them). Each takes the caller as an Actor,
// checks its biller and role here, in the core, and scopes every read by
// the actor's biller: another biller's payer or invoice is NotFound, the
// same as one that does not exist. Creating and updating reuse the
// import's rules (domain.PlanImport) one record at a time, so that the
// file and the API can never disagree on what a valid payer or invoice
// is.

// PutResult says what a put did; the same put twice gives PutUnchanged
// and changes nothing, so that a billing software may resend freely.
type PutResult string

// The results of a put.
const (
	PutCreated   PutResult = "created"
	PutUpdated   PutResult = "updated"
	PutUnchanged PutResult = "unchanged"
)

// PayerInput is a payer as the billing software sends it. A put replaces
// both fields: an empty Email removes the address.
type PayerInput struct {
	Name  string
	Email string
}

// PayerRecord is a payer with what the billing software may want to know
// of its account.
type PayerRecord struct {
	Payer domain.Payer
	// Activated is set once the payer activated an account on the portal.
	Activated bool
}

// InvoiceInput is an invoice as the billing software sends it, in the
// import's formats: dates 2006-01-02 (or 02/01/2006), amount "243.11".
type InvoiceInput struct {
	PayerRef  string
	IssueDate string
	DueDate   string
	Amount    string
	Object    string
}

// InvoiceRecord is an invoice with its payer's reference and its
// document, if one is stored.
type InvoiceRecord struct {
	Invoice  domain.Invoice
	PayerRef string
	// Document describes the stored PDF; nil when there is none.
	Document *DocumentInfo
}

var (
	errUnknownPayer   = domain.Errorf(domain.NotFound, "Redevable inconnu.")
	errUnknownInvoice = domain.Errorf(domain.NotFound, "Facture inconnue.")
)

// PutPayer creates or updates the payer with the external reference ref:
// the billing software's reference is the key, so sending the same payer
// twice changes nothing (PutUnchanged). The rules are the import's:
// a name, a valid address that no other payer of the biller uses.
func (p BillingAPI) PutPayer(ctx context.Context, a Actor, ref string, in PayerInput) (PayerRecord, PutResult, error) {
	if err := a.canWrite(a.BillerID); err != nil {
		return PayerRecord{}, "", err
	}
	var rec PayerRecord
	var res PutResult
	err := p.store.Atomic(ctx, func(tx Tx) error {
		// Lock the payer first, so that a paperless request made meanwhile
		// is not overwritten by the plan's copy.
		if old, err := tx.PayerByRef(ctx, a.BillerID, strings.TrimSpace(ref)); err == nil {
			if _, err := tx.PayerForUpdate(ctx, old.ID); err != nil {
				return domain.WrapInternal(err)
			}
		} else if domain.ErrorCode(err) != domain.NotFound {
			return domain.WrapInternal(err)
		}
		row := domain.ImportPayer{Line: 1, ExternalRef: ref, Name: in.Name, Email: in.Email}
		plan, err := p.planOne(ctx, tx, a.BillerID, domain.ImportBatch{Payers: []domain.ImportPayer{row}}, nil)
		if err != nil {
			return err
		}
		var payer domain.Payer
		var detail string
		switch {
		case len(plan.NewPayers) == 1:
			payer, res, detail = plan.NewPayers[0], PutCreated, "créé"
		case len(plan.UpdatedPayers) == 1:
			payer, res, detail = plan.UpdatedPayers[0], PutUpdated, "mis à jour"
		default:
			res = PutUnchanged
			if payer, err = tx.PayerByRef(ctx, a.BillerID, strings.TrimSpace(ref)); err != nil {
				return domain.WrapInternal(err)
			}
		}
		if res != PutUnchanged {
			if err := mapSave(tx.SavePayer(ctx, payer)); err != nil {
				return err
			}
			if err := p.audit(ctx, tx, a, domain.AuditPayerSaved, payer.ExternalRef, "Redevable « "+payer.Name+" » "+detail+"."); err != nil {
				return err
			}
		}
		rec, err = payerRecord(ctx, tx, payer)
		return err
	})
	if err != nil {
		return PayerRecord{}, "", err
	}
	return rec, res, nil
}

// PayerByRef returns the actor's biller's payer with the external
// reference ref.
func (p BillingAPI) PayerByRef(ctx context.Context, a Actor, ref string) (PayerRecord, error) {
	if err := a.canRead(a.BillerID); err != nil {
		return PayerRecord{}, err
	}
	payer, err := p.store.PayerByRef(ctx, a.BillerID, strings.TrimSpace(ref))
	if err != nil {
		return PayerRecord{}, notFoundAs(err, errUnknownPayer)
	}
	return payerRecord(ctx, p.store, payer)
}

func payerRecord(ctx context.Context, tx Tx, payer domain.Payer) (PayerRecord, error) {
	rec := PayerRecord{Payer: payer}
	acc, err := tx.AccountByPayer(ctx, payer.ID)
	switch {
	case err == nil:
		rec.Activated = acc.Active()
	case domain.ErrorCode(err) != domain.NotFound:
		return rec, domain.WrapInternal(err)
	}
	return rec, nil
}

// PutInvoice creates or updates the invoice numbered number. The rules
// are the import's: valid dates and amount, a known payer; an invoice may
// not move to another payer, and once settled, sent to treasury or
// cancelled, or while a payment holds it, it may no longer change
// (Conflict). Sending the same invoice twice changes nothing. The
// invoice's document, if any, stays.
func (p BillingAPI) PutInvoice(ctx context.Context, a Actor, number string, in InvoiceInput) (InvoiceRecord, PutResult, error) {
	if err := a.canWrite(a.BillerID); err != nil {
		return InvoiceRecord{}, "", err
	}
	var rec InvoiceRecord
	var res PutResult
	err := p.store.Atomic(ctx, func(tx Tx) error {
		row := domain.ImportInvoice{
			Line: 1, PayerRef: in.PayerRef, Number: number, IssueDate: in.IssueDate, DueDate: in.DueDate,
			Amount: in.Amount, Object: in.Object,
		}
		// Lock the invoice first: a payment starting meanwhile must not
		// have its hold overwritten by this update.
		old, found, err := invoiceForUpdate(ctx, tx, a.BillerID, strings.TrimSpace(number))
		if err != nil {
			return err
		}
		var locked *domain.Invoice
		if found {
			row.PDF = old.PDF
			locked = &old
		}
		plan, err := p.planOne(ctx, tx, a.BillerID, domain.ImportBatch{Invoices: []domain.ImportInvoice{row}}, locked)
		if err != nil {
			return err
		}
		var inv domain.Invoice
		var detail string
		switch {
		case len(plan.NewInvoices) == 1:
			inv, res, detail = plan.NewInvoices[0], PutCreated, "Facture créée"
		case len(plan.UpdatedInvoices) == 1:
			inv, res, detail = plan.UpdatedInvoices[0], PutUpdated, "Facture modifiée"
		default:
			inv, res = old, PutUnchanged
		}
		if res != PutUnchanged {
			if err := mapSave(tx.SaveInvoice(ctx, inv)); err != nil {
				return err
			}
			detail += " : " + domain.FormatEuros(inv.Amount) + ", échéance le " + inv.DueDate.French() + "."
			if err := p.audit(ctx, tx, a, domain.AuditInvoiceSaved, inv.Number, detail); err != nil {
				return err
			}
		}
		rec, err = p.invoiceRecord(ctx, tx, inv)
		return err
	})
	if err != nil {
		return InvoiceRecord{}, "", err
	}
	return rec, res, nil
}

// InvoiceByNumber returns the actor's biller's invoice numbered number,
// whatever its state.
func (p BillingAPI) InvoiceByNumber(ctx context.Context, a Actor, number string) (InvoiceRecord, error) {
	if err := a.canRead(a.BillerID); err != nil {
		return InvoiceRecord{}, err
	}
	inv, err := p.store.InvoiceByNumber(ctx, a.BillerID, strings.TrimSpace(number))
	if err != nil {
		return InvoiceRecord{}, notFoundAs(err, errUnknownInvoice)
	}
	return p.invoiceRecord(ctx, p.store, inv)
}

func (p *Portal) invoiceRecord(ctx context.Context, tx Tx, inv domain.Invoice) (InvoiceRecord, error) {
	rec := InvoiceRecord{Invoice: inv}
	payer, err := tx.Payer(ctx, inv.PayerID)
	if err != nil {
		return rec, domain.WrapInternal(err)
	}
	rec.PayerRef = payer.ExternalRef
	info, ok, err := invoiceDocumentInfo(ctx, tx, inv)
	if err != nil {
		return rec, err
	}
	if ok {
		rec.Document = &info
	}
	return rec, nil
}

// invoiceForUpdate finds the biller's invoice by number and locks it;
// found is false when there is none.
func invoiceForUpdate(ctx context.Context, tx Tx, billerID uuid.UUID, number string) (domain.Invoice, bool, error) {
	if number == "" {
		return domain.Invoice{}, false, nil
	}
	inv, err := tx.InvoiceByNumber(ctx, billerID, number)
	if err != nil {
		if domain.ErrorCode(err) == domain.NotFound {
			return inv, false, nil
		}
		return inv, false, domain.WrapInternal(err)
	}
	invs, err := tx.InvoicesForUpdate(ctx, []uuid.UUID{inv.ID})
	if err != nil {
		return inv, false, domain.WrapInternal(err)
	}
	return invs[0], true, nil
}

// existingInvoiceForUpdate is invoiceForUpdate for a change that needs
// the invoice to exist: trimmed number, errUnknownInvoice when there is
// none.
func existingInvoiceForUpdate(ctx context.Context, tx Tx, billerID uuid.UUID, number string) (domain.Invoice, error) {
	inv, found, err := invoiceForUpdate(ctx, tx, billerID, strings.TrimSpace(number))
	if err == nil && !found {
		err = errUnknownInvoice
	}
	return inv, err
}
