package ports

import (
	"bufio"
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/portail-factures/portail/domain"
)

// importOptions says how to run an import.
type importOptions struct {
	dryRun bool
	// lines asks for every line's outcome (domain.PlanImportLines).
	lines bool
	// done runs in the transaction of an import that is not a dry run,
	// once the batch is applied, or refused because a line is wrong: the
	// audit log. A dry run only reads (the existing keys, to plan) and
	// its transaction is rolled back, so done is not called for it.
	done func(tx Tx, run importRun) error
}

// importRun is what an import did or would do.
type importRun struct {
	result ImportResult
	errs   []domain.LineError
	lines  []domain.ImportLine
}

func (p *Portal) runImport(ctx context.Context, billerID uuid.UUID, batch domain.ImportBatch, opt importOptions) (importRun, error) {
	now := p.clock.Now()
	var run importRun
	dryRun := opt.dryRun
	errDryRun := domain.Errorf(domain.Conflict, "dry run")
	err := p.store.Atomic(ctx, func(tx Tx) error {
		run = importRun{}
		b, err := tx.Biller(ctx, billerID)
		if err != nil {
			return notFoundAs(err, domain.Errorf(domain.NotFound, "Service de facturation inconnu."))
		}
		if ro, ok := tx.(ReadOnlyTx); ok && dryRun {
			if err := ro.ReadOnly(ctx); err != nil {
				return domain.WrapInternal(err)
			}
		}
		var lookup domain.ImportLookup = &txLookup{ctx: ctx, tx: tx, billerID: billerID}
		bulk, isBulk := tx.(ImportTx)
		if isBulk {
			if lookup, err = bulk.ImportLookup(ctx, billerID, batch); err != nil {
				return domain.WrapInternal(err)
			}
		}
		var idErr error
		// One read of the random source per 4 KiB of ids rather than one
		// per record: a million-line import draws a million ids.
		next := sequentialIDs(now, bufio.NewReaderSize(p.random, 4096))
		newID := func() uuid.UUID {
			id, err := next()
			if err != nil {
				idErr = err
			}
			return id
		}
		var plan domain.ImportPlan
		if opt.lines {
			plan, run.lines, run.errs = domain.PlanImportLines(b, batch, lookup, newID, now)
		} else {
			plan, run.errs = domain.PlanImport(b, batch, lookup, newID, now)
		}
		if tl, ok := lookup.(*txLookup); ok && tl.err != nil {
			return tl.err
		}
		if idErr != nil {
			return idErr
		}
		if len(run.errs) > 0 {
			if opt.done != nil && !dryRun {
				return opt.done(tx, run)
			}
			return nil
		}
		run.result = ImportResult{
			PayersCreated: len(plan.NewPayers), PayersUpdated: len(plan.UpdatedPayers),
			InvoicesCreated: len(plan.NewInvoices), InvoicesUpdated: len(plan.UpdatedInvoices),
			Unchanged: plan.Unchanged,
		}
		if dryRun {
			// The plan says what would be created, updated and left
			// unchanged: a dry run stops there and writes nothing (no
			// rows copied then rolled back, no dead rows left behind).
			return errDryRun
		}
		if isBulk {
			if err := mapSave(bulk.ApplyImport(ctx, plan)); err != nil {
				return err
			}
			if opt.done != nil {
				return opt.done(tx, run)
			}
			return nil
		}
		for _, list := range [][]domain.Payer{plan.NewPayers, plan.UpdatedPayers} {
			for _, payer := range list {
				if err := mapSave(tx.SavePayer(ctx, payer)); err != nil {
					return err
				}
			}
		}
		for _, list := range [][]domain.Invoice{plan.NewInvoices, plan.UpdatedInvoices} {
			for _, inv := range list {
				if err := mapSave(tx.SaveInvoice(ctx, inv)); err != nil {
					return err
				}
			}
		}
		if opt.done != nil {
			return opt.done(tx, run)
		}
		return nil
	})
	if err != nil && err != errDryRun {
		return importRun{}, err
	}
	return run, nil
}

// ImportTx is implemented by a store transaction that loads large imports
// in bulk (PostgreSQL's COPY, for instance). Portal.Import uses it when
// the transaction offers it; the rules stay in domain.PlanImport.
type ImportTx interface {
	// ImportLookup loads at once what the biller already has that the
	// batch names: payers by reference, invoices by number, and the owners
	// of the addresses it uses (payers' and accounts').
	ImportLookup(ctx context.Context, billerID uuid.UUID, batch domain.ImportBatch) (domain.ImportLookup, error)
	// ApplyImport saves a checked plan: it inserts the new payers and
	// invoices and replaces the updated ones.
	ApplyImport(ctx context.Context, plan domain.ImportPlan) error
}

// ReadOnlyTx is implemented by a store transaction that can forbid
// itself any write from now on (PostgreSQL's SET TRANSACTION READ ONLY).
// A dry run of an import asks for it: the store then guarantees that the
// run only reads.
type ReadOnlyTx interface {
	ReadOnly(ctx context.Context) error
}

// txLookup answers domain.PlanImport from the store; the first store
// failure is kept and reported after planning.
type txLookup struct {
	ctx      context.Context
	tx       Tx
	billerID uuid.UUID
	err      error
}

func (l *txLookup) keep(err error) {
	if err != nil && domain.ErrorCode(err) != domain.NotFound && l.err == nil {
		l.err = domain.WrapInternal(err)
	}
}

func (l *txLookup) PayerByRef(ref string) (domain.Payer, bool) {
	p, err := l.tx.PayerByRef(l.ctx, l.billerID, ref)
	l.keep(err)
	return p, err == nil
}

func (l *txLookup) InvoiceByNumber(number string) (domain.Invoice, bool) {
	inv, err := l.tx.InvoiceByNumber(l.ctx, l.billerID, number)
	l.keep(err)
	return inv, err == nil
}

func (l *txLookup) EmailOwner(email string) (uuid.UUID, bool) {
	if p, err := l.tx.PayerByEmail(l.ctx, l.billerID, email); err == nil {
		return p.ID, true
	} else {
		l.keep(err)
	}
	if a, err := l.tx.AccountByEmail(l.ctx, l.billerID, email); err == nil {
		return a.PayerID, true
	} else {
		l.keep(err)
	}
	return uuid.Nil, false
}

// lockedLookup answers the import's questions from the store, except for
// the invoice already read under lock.
type lockedLookup struct {
	txLookup
	locked *domain.Invoice
}

func (l *lockedLookup) InvoiceByNumber(number string) (domain.Invoice, bool) {
	if l.locked != nil && l.locked.Number == number {
		return *l.locked, true
	}
	return l.txLookup.InvoiceByNumber(number)
}

// lineError turns an import's line error about the one record of an API
// call into an error for that call: a sentence, with its field and code.
func lineError(e domain.LineError) error {
	code := e.Code
	if code == "" {
		code = domain.Invalid
	}
	return &domain.Error{Code: code, Field: e.Field, Message: sentence(e.Message)}
}

// sentence capitalises msg and ends it with a full stop: the import's
// line errors are fragments that follow "ligne 3, amount :".
func sentence(msg string) string {
	r, n := utf8.DecodeRuneInString(msg)
	if n == 0 {
		return msg
	}
	msg = string(unicode.ToUpper(r)) + msg[n:]
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

// planOne runs domain.PlanImport on a batch of one record and turns its
// line error into the API's *domain.Error. locked, when set, is the
// invoice of the batch as read under lock.
func (p *Portal) planOne(ctx context.Context, tx Tx, billerID uuid.UUID, batch domain.ImportBatch, locked *domain.Invoice) (domain.ImportPlan, error) {
	b, err := tx.Biller(ctx, billerID)
	if err != nil {
		return domain.ImportPlan{}, notFoundAs(err, errUnknownBiller)
	}
	lookup := &lockedLookup{txLookup: txLookup{ctx: ctx, tx: tx, billerID: billerID}, locked: locked}
	var idErr error
	newID := func() uuid.UUID {
		id, err := p.newID()
		if err != nil && idErr == nil {
			idErr = err
		}
		return id
	}
	plan, errs := domain.PlanImport(b, batch, lookup, newID, p.clock.Now())
	switch {
	case lookup.err != nil:
		return plan, lookup.err
	case idErr != nil:
		return plan, idErr
	case len(errs) > 0:
		return plan, lineError(errs[0])
	}
	return plan, nil
}
