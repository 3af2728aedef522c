package domain

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
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

// ImportRecord is the kind of record a line of an import holds.
type ImportRecord string

// The records of an import.
const (
	ImportRecordPayer   ImportRecord = "payer"
	ImportRecordInvoice ImportRecord = "invoice"
)

// ImportOutcome is what an import does with one line.
type ImportOutcome string

// The outcomes of a line.
const (
	ImportCreated   ImportOutcome = "created"
	ImportUpdated   ImportOutcome = "updated"
	ImportUnchanged ImportOutcome = "unchanged"
	ImportRejected  ImportOutcome = "rejected"
)

// Label says the outcome in French.
func (o ImportOutcome) Label() string {
	switch o {
	case ImportCreated:
		return "Création"
	case ImportUpdated:
		return "Mise à jour"
	case ImportUnchanged:
		return "Inchangée"
	}
	return "Rejetée"
}

// ImportLine is what an import does, or would do, with one line of the
// file: a dry run's report.
type ImportLine struct {
	Line   int
	Record ImportRecord
	// Key is the payer's reference or the invoice's number, as read.
	Key     string
	Outcome ImportOutcome
	// Field is the field a rejection is about, when there is one.
	Field string
	// Detail says what an update changes, or why a line is rejected.
	Detail string
}

// PlanImport checks batch against what lookup knows of biller b and
// returns what to create and update. newID draws the ids of new records.
// When any line is wrong it returns every line error and no plan.
func PlanImport(b Biller, batch ImportBatch, lookup ImportLookup, newID func() uuid.UUID, now time.Time) (ImportPlan, []LineError) {
	return planImport(b, batch, lookup, newID, now, nil)
}

// PlanImportLines is PlanImport that also says what happens to every
// line, in line order: created, updated (and what changes), unchanged or
// rejected (and why). When a line is rejected, the other lines still say
// what they would do once it is corrected. It costs a record per line,
// which PlanImport spares a million-line import.
func PlanImportLines(b Biller, batch ImportBatch, lookup ImportLookup, newID func() uuid.UUID, now time.Time) (ImportPlan, []ImportLine, []LineError) {
	lines := make([]ImportLine, 0, len(batch.Payers)+len(batch.Invoices))
	plan, errs := planImport(b, batch, lookup, newID, now, &lines)
	if len(errs) > 0 {
		keys := make(map[int]ImportLine, len(errs))
		for _, row := range batch.Payers {
			keys[row.Line] = ImportLine{Record: ImportRecordPayer, Key: strings.TrimSpace(row.ExternalRef)}
		}
		for _, row := range batch.Invoices {
			keys[row.Line] = ImportLine{Record: ImportRecordInvoice, Key: strings.TrimSpace(row.Number)}
		}
		for _, e := range errs {
			l := keys[e.Line]
			l.Line, l.Outcome, l.Field, l.Detail = e.Line, ImportRejected, e.Field, e.Message
			lines = append(lines, l)
		}
	}
	slices.SortStableFunc(lines, func(a, b ImportLine) int { return cmp.Compare(a.Line, b.Line) })
	return plan, lines, errs
}

// ImportPlanner plans an import file part by part, as PlanImport plans
// it whole, for a file too large to hold: the payers of the file, then
// its invoices, each in as many batches as wanted (a payer after an
// invoice that names it would be unknown to it). It remembers across
// batches what the rules need of the lines before — each payer's
// reference, id and address, each invoice's number — never the records.
// Each batch gets its own plan and line errors; the import is applied
// only if no batch had any.
type ImportPlanner struct {
	b       Biller
	newID   func() uuid.UUID
	now     time.Time
	payers  map[string]uuid.UUID // by ref: the payers of the file
	emails  map[string]string    // email -> ref, within the file
	numbers numberSet            // the invoice numbers of the file
}

// NewImportPlanner returns a planner of an import for biller b.
func NewImportPlanner(b Biller, newID func() uuid.UUID, now time.Time) *ImportPlanner {
	return &ImportPlanner{b: b, newID: newID, now: now,
		payers: map[string]uuid.UUID{}, emails: map[string]string{}, numbers: numberSet{}}
}

// Plan checks the next batch of the file against lookup, as PlanImport
// does, and returns what to create and update for it. Its line errors
// are the batch's own; when it has any, its plan is empty.
func (p *ImportPlanner) Plan(batch ImportBatch, lookup ImportLookup) (ImportPlan, []LineError) {
	return p.plan(batch, lookup, nil)
}

// HasPayer reports whether a batch planned before listed the payer of
// reference ref (trimmed): its invoices need no lookup for it.
func (p *ImportPlanner) HasPayer(ref string) bool {
	_, ok := p.payers[strings.TrimSpace(ref)]
	return ok
}

func planImport(b Biller, batch ImportBatch, lookup ImportLookup, newID func() uuid.UUID, now time.Time, lines *[]ImportLine) (ImportPlan, []LineError) {
	p := &ImportPlanner{b: b, newID: newID, now: now, payers: make(map[string]uuid.UUID, len(batch.Payers)),
		emails: map[string]string{}, numbers: numberSet{}}
	return p.plan(batch, lookup, lines)
}

func (pl *ImportPlanner) plan(batch ImportBatch, lookup ImportLookup, lines *[]ImportLine) (ImportPlan, []LineError) {
	b, newID, now := pl.b, pl.newID, pl.now
	var plan ImportPlan
	var errs []LineError
	fail := func(line int, field, msg string) {
		errs = append(errs, LineError{Line: line, Field: field, Message: msg})
	}
	conflict := func(line int, field, msg string) {
		errs = append(errs, LineError{Line: line, Field: field, Message: msg, Code: Conflict})
	}
	// note records a line's outcome, only when asked: a nil check per line
	// is all a large import pays.
	note := func(line int, record ImportRecord, key string, o ImportOutcome, detail func() string) {
		if lines != nil {
			l := ImportLine{Line: line, Record: record, Key: key, Outcome: o}
			if detail != nil {
				l.Detail = detail()
			}
			*lines = append(*lines, l)
		}
	}

	payers, emails := pl.payers, pl.emails
	for _, row := range batch.Payers {
		if f := nulField("reference", row.ExternalRef, "name", row.Name, "email", row.Email); f != "" {
			fail(row.Line, f, MsgNUL)
			continue
		}
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
			emails[strings.Clone(email)] = strings.Clone(ref)
		}
		payers[strings.Clone(ref)] = p.ID
		switch {
		case !exists:
			plan.NewPayers = append(plan.NewPayers, p)
			note(row.Line, ImportRecordPayer, ref, ImportCreated, nil)
		case before.Name != p.Name || before.Email != p.Email:
			p.UpdatedAt = now
			plan.UpdatedPayers = append(plan.UpdatedPayers, p)
			note(row.Line, ImportRecordPayer, ref, ImportUpdated, func() string { return payerChanges(before, p) })
		default:
			plan.Unchanged++
			note(row.Line, ImportRecordPayer, ref, ImportUnchanged, nil)
		}
	}

	numbers := &pl.numbers
	for _, row := range batch.Invoices {
		if f := nulField("payer", row.PayerRef, "number", row.Number, "issue_date", row.IssueDate, "due_date", row.DueDate,
			"amount", row.Amount, "object", row.Object, "pdf", row.PDF); f != "" {
			fail(row.Line, f, MsgNUL)
			continue
		}
		inv, ok := planInvoice(b, row, payers, lookup, newID, now, fail)
		if !ok {
			continue
		}
		if !numbers.add(inv.Number) {
			fail(row.Line, "number", "numéro de facture en double dans le fichier")
			continue
		}
		old, exists := lookup.InvoiceByNumber(inv.Number)
		if exists && inv.PDF == "" {
			// An empty pdf column keeps the document the invoice has: the
			// billing software may push PDFs through the API and import
			// the data without them.
			inv.PDF = old.PDF
		}
		switch {
		case !exists:
			plan.NewInvoices = append(plan.NewInvoices, inv)
			note(row.Line, ImportRecordInvoice, inv.Number, ImportCreated, nil)
		case old.PayerID != inv.PayerID:
			conflict(row.Line, "number", "ce numéro de facture appartient déjà à un autre redevable")
		case sameInvoiceData(old, inv):
			plan.Unchanged++
			note(row.Line, ImportRecordInvoice, inv.Number, ImportUnchanged, nil)
		case old.State != InvoiceUnpaid:
			conflict(row.Line, "number", "la facture est déjà "+map[InvoiceState]string{InvoicePaid: "réglée", InvoiceTreasury: "en trésorerie", InvoiceCancelled: "annulée"}[old.State]+" : elle ne peut plus être modifiée")
		case old.Locked(now):
			conflict(row.Line, "number", "un paiement de cette facture est en cours : réessayez plus tard")
		default:
			note(row.Line, ImportRecordInvoice, inv.Number, ImportUpdated, func() string { return invoiceChanges(old, inv) })
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

// numberSet holds the invoice numbers of a file. A number of up to 23
// bytes, the usual, is held in place with its length, without a pointer:
// the garbage collector has nothing to follow in a set of a million of
// them, which it would otherwise go through at each of its cycles.
//
// A billing software numbers its invoices in order: a number above every
// short number before it is new without a probe of a map, and is
// appended to ordered, whose chunks stay sorted one after the other (a
// chunk is never copied to grow). Only a number that comes out of order
// is looked for in ordered (binary searches) and kept in short. A
// million numbers in order then cost appends instead of the cache misses
// of a map of a million keys.
type numberSet struct {
	ordered [][]shortNumber // ascending: the numbers that came in order
	short   map[shortNumber]struct{}
	long    map[string]struct{}
}

// orderedChunk is the length of a chunk of numberSet.ordered.
const orderedChunk = 4096

// shortNumber is a number's bytes, then its length in the last byte.
type shortNumber [24]byte

func compareShort(a, b shortNumber) int { return bytes.Compare(a[:], b[:]) }

// add adds number to the set and reports whether it was not there yet.
func (s *numberSet) add(number string) bool {
	if len(number) < len(shortNumber{}) {
		var k shortNumber
		copy(k[:], number)
		k[len(k)-1] = byte(len(number))
		n := len(s.ordered)
		if n == 0 || compareShort(k, s.ordered[n-1][len(s.ordered[n-1])-1]) > 0 {
			if n == 0 || len(s.ordered[n-1]) == orderedChunk {
				s.ordered = append(s.ordered, make([]shortNumber, 0, orderedChunk))
				n++
			}
			s.ordered[n-1] = append(s.ordered[n-1], k)
			return true
		}
		// The first chunk whose last number is not below k holds k, if
		// any does.
		i, _ := slices.BinarySearchFunc(s.ordered, k, func(c []shortNumber, k shortNumber) int { return compareShort(c[len(c)-1], k) })
		if _, found := slices.BinarySearchFunc(s.ordered[i], k, compareShort); found {
			return false
		}
		if s.short == nil {
			s.short = map[shortNumber]struct{}{}
		}
		n = len(s.short)
		s.short[k] = struct{}{} // one probe of the map, not two
		return len(s.short) > n
	}
	if _, ok := s.long[number]; ok {
		return false
	}
	if s.long == nil {
		s.long = map[string]struct{}{}
	}
	s.long[strings.Clone(number)] = struct{}{}
	return true
}

// MsgNUL refuses a NUL character in an imported value: PostgreSQL cannot
// store one in a text column, so no store accepts it.
const MsgNUL = "caractère NUL interdit"

// nulField returns the name of the first value holding a NUL character,
// given as name, value pairs; "" when there is none.
func nulField(pairs ...string) string {
	for i := 0; i+1 < len(pairs); i += 2 {
		if strings.IndexByte(pairs[i+1], 0) >= 0 {
			return pairs[i]
		}
	}
	return ""
}

func planInvoice(b Biller, row ImportInvoice, payers map[string]uuid.UUID, lookup ImportLookup, newID func() uuid.UUID, now time.Time, fail func(int, string, string)) (Invoice, bool) {
	ref := strings.TrimSpace(row.PayerRef)
	payerID, ok := payers[ref]
	if !ok {
		var payer Payer
		payer, ok = lookup.PayerByRef(ref)
		payerID = payer.ID
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
		ID: newID(), BillerID: b.ID, PayerID: payerID, Number: strings.TrimSpace(row.Number),
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

// payerChanges says in French what an import changes of a payer.
func payerChanges(old, p Payer) string {
	var out []string
	if old.Name != p.Name {
		out = append(out, "nom : « "+old.Name+" » → « "+p.Name+" »")
	}
	if old.Email != p.Email {
		out = append(out, "adresse : "+orNone(old.Email)+" → "+orNone(p.Email))
	}
	return strings.Join(out, " ; ")
}

// invoiceChanges says in French what an import changes of an invoice.
func invoiceChanges(old, inv Invoice) string {
	var out []string
	if old.IssueDate != inv.IssueDate {
		out = append(out, "date de facture : "+old.IssueDate.French()+" → "+inv.IssueDate.French())
	}
	if old.DueDate != inv.DueDate {
		out = append(out, "échéance : "+old.DueDate.French()+" → "+inv.DueDate.French())
	}
	if !old.Amount.Equal(inv.Amount) {
		out = append(out, "montant : "+FormatEuros(old.Amount)+" → "+FormatEuros(inv.Amount))
	}
	if old.Object != inv.Object {
		out = append(out, "objet : « "+old.Object+" » → « "+inv.Object+" »")
	}
	if old.PDF != inv.PDF {
		out = append(out, "document : "+orNone(old.PDF)+" → "+orNone(inv.PDF))
	}
	return strings.Join(out, " ; ")
}

func orNone(s string) string {
	if s == "" {
		return "(aucun)"
	}
	return s
}
