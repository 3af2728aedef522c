package domain

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// An import brings the billing software's payers and invoices into the
// portal. Every line is checked first; the import is applied only when no
// line is wrong, all or nothing, so that a bad file never leaves half its
// data behind.

// ImportPayer is one payer line of an import, as written in the file.
type ImportPayer struct {
	Line        int
	ExternalRef string
	Name        string
	Email       string
}

// ImportInvoice is one invoice line of an import, as written in the file.
type ImportInvoice struct {
	Line      int
	PayerRef  string // the payer's ExternalRef
	Number    string
	IssueDate string // 2006-01-02 or 02/01/2006
	DueDate   string
	Amount    string // 243.11 or 243,11
	Object    string
	PDF       string
}

// ImportBatch is a whole import file.
type ImportBatch struct {
	Payers   []ImportPayer
	Invoices []ImportInvoice
}

// LineError is what is wrong with one line of an import.
type LineError struct {
	Line    int
	Field   string
	Message string
	// Code is Conflict when what the portal already holds forbids the
	// line (an invoice settled or being paid, a number or an address
	// another payer has), so that the API can tell it from a wrong value;
	// empty means Invalid.
	Code Code
}

func (e LineError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("ligne %d, %s : %s", e.Line, e.Field, e.Message)
	}
	return fmt.Sprintf("ligne %d : %s", e.Line, e.Message)
}

// ImportLookup answers the questions an import plan asks about what the
// portal already holds for the biller.
type ImportLookup interface {
	PayerByRef(ref string) (Payer, bool)
	InvoiceByNumber(number string) (Invoice, bool)
	// EmailOwner returns the payer whose record or account uses email.
	EmailOwner(email string) (uuid.UUID, bool)
}

// ImportPlan is what an import will do.
type ImportPlan struct {
	NewPayers       []Payer
	UpdatedPayers   []Payer
	NewInvoices     []Invoice
	UpdatedInvoices []Invoice
	Unchanged       int
}

// PlanImport checks batch against what lookup knows of biller b and
// returns what to create and update. newID draws the ids of new records.
// When any line is wrong it returns every line error and no plan.
func PlanImport(b Biller, batch ImportBatch, lookup ImportLookup, newID func() uuid.UUID, now time.Time) (ImportPlan, []LineError) {
	var plan ImportPlan
	var errs []LineError
	fail := func(line int, field, msg string) {
		errs = append(errs, LineError{Line: line, Field: field, Message: msg})
	}
	conflict := func(line int, field, msg string) {
		errs = append(errs, LineError{Line: line, Field: field, Message: msg, Code: Conflict})
	}

	payers := make(map[string]Payer, len(batch.Payers)) // by ref: the payer after this import
	emails := make(map[string]string)                   // email -> ref, within the batch
	for _, row := range batch.Payers {
		ref := strings.TrimSpace(row.ExternalRef)
		email := NormalizeEmail(row.Email)
		if _, dup := payers[ref]; dup && ref != "" {
			fail(row.Line, "reference", "référence de redevable en double dans le fichier")
			continue
		}
		p, exists := lookup.PayerByRef(ref)
		before := p
		if !exists {
			p = Payer{ID: newID(), BillerID: b.ID, ExternalRef: ref, CreatedAt: now}
		}
		p.Name = strings.TrimSpace(row.Name)
		p.Email = email
		if err := p.Validate(); err != nil {
			fail(row.Line, ErrorField(err), ErrorMessage(err))
			continue
		}
		if email != "" {
			if other, ok := emails[email]; ok {
				fail(row.Line, "email", "adresse déjà donnée au redevable "+other+" dans le fichier")
				continue
			}
			if owner, ok := lookup.EmailOwner(email); ok && owner != p.ID {
				conflict(row.Line, "email", "adresse déjà utilisée par un autre redevable")
				continue
			}
			emails[email] = ref
		}
		payers[ref] = p
		switch {
		case !exists:
			plan.NewPayers = append(plan.NewPayers, p)
		case before.Name != p.Name || before.Email != p.Email:
			p.UpdatedAt = now
			plan.UpdatedPayers = append(plan.UpdatedPayers, p)
		default:
			plan.Unchanged++
		}
	}

	numbers := make(map[string]bool, len(batch.Invoices))
	for _, row := range batch.Invoices {
		inv, ok := planInvoice(b, row, payers, lookup, newID, now, fail)
		if !ok {
			continue
		}
		if numbers[inv.Number] {
			fail(row.Line, "number", "numéro de facture en double dans le fichier")
			continue
		}
		numbers[inv.Number] = true
		old, exists := lookup.InvoiceByNumber(inv.Number)
		switch {
		case !exists:
			plan.NewInvoices = append(plan.NewInvoices, inv)
		case old.PayerID != inv.PayerID:
			conflict(row.Line, "number", "ce numéro de facture appartient déjà à un autre redevable")
		case sameInvoiceData(old, inv):
			plan.Unchanged++
		case old.State != InvoiceUnpaid:
			conflict(row.Line, "number", "la facture est déjà "+map[InvoiceState]string{InvoicePaid: "réglée", InvoiceTreasury: "en trésorerie", InvoiceCancelled: "annulée"}[old.State]+" : elle ne peut plus être modifiée")
		case old.Locked(now):
			conflict(row.Line, "number", "un paiement de cette facture est en cours : réessayez plus tard")
		default:
			old.IssueDate, old.DueDate, old.Amount, old.Object, old.PDF = inv.IssueDate, inv.DueDate, inv.Amount, inv.Object, inv.PDF
			old.UpdatedAt = now
			plan.UpdatedInvoices = append(plan.UpdatedInvoices, old)
		}
	}
	if len(errs) > 0 {
		return ImportPlan{}, errs
	}
	return plan, nil
}

func planInvoice(b Biller, row ImportInvoice, payers map[string]Payer, lookup ImportLookup, newID func() uuid.UUID, now time.Time, fail func(int, string, string)) (Invoice, bool) {
	ref := strings.TrimSpace(row.PayerRef)
	payer, ok := payers[ref]
	if !ok {
		payer, ok = lookup.PayerByRef(ref)
	}
	if !ok {
		fail(row.Line, "payer", "redevable « "+ref+" » inconnu")
		return Invoice{}, false
	}
	issue, err := ParseDate(strings.TrimSpace(row.IssueDate))
	if err != nil || !issue.Valid() {
		fail(row.Line, "issue_date", "date de facture invalide (AAAA-MM-JJ ou JJ/MM/AAAA)")
		return Invoice{}, false
	}
	due, err := ParseDate(strings.TrimSpace(row.DueDate))
	if err != nil || !due.Valid() {
		fail(row.Line, "due_date", "date d'échéance invalide (AAAA-MM-JJ ou JJ/MM/AAAA)")
		return Invoice{}, false
	}
	amount, err := ParseAmount(row.Amount)
	if err != nil {
		fail(row.Line, "amount", ErrorMessage(err))
		return Invoice{}, false
	}
	inv := Invoice{
		ID: newID(), BillerID: b.ID, PayerID: payer.ID, Number: strings.TrimSpace(row.Number),
		IssueDate: issue, DueDate: due, Amount: amount, Object: strings.TrimSpace(row.Object),
		PDF: strings.TrimSpace(row.PDF), State: InvoiceUnpaid, CreatedAt: now, UpdatedAt: now,
	}
	if err := inv.Validate(); err != nil {
		fail(row.Line, ErrorField(err), ErrorMessage(err))
		return Invoice{}, false
	}
	return inv, true
}

func sameInvoiceData(a, b Invoice) bool {
	return a.IssueDate == b.IssueDate && a.DueDate == b.DueDate && a.Amount.Equal(b.Amount) &&
		a.Object == b.Object && a.PDF == b.PDF
}
