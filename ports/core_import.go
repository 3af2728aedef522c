package ports

import (
	"bufio"
	"context"
	"strings"
	"time"
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
		b, newID, idErr, err := p.startImport(ctx, tx, billerID, now, dryRun)
		if err != nil {
			return err
		}
		lookup, err := importLookup(ctx, tx, billerID, batch)
		if err != nil {
			return err
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
		if *idErr != nil {
			return *idErr
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
		if err := applyImport(ctx, tx, plan); err != nil {
			return err
		}
		if err := importApplied(ctx, tx, len(plan.NewInvoices)); err != nil {
			return err
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

// startImport begins an import in tx: it reads the biller, makes a dry
// run's transaction read only and returns the ids' source, whose first
// failure is kept in *idErr.
func (p *Portal) startImport(ctx context.Context, tx Tx, billerID uuid.UUID, now time.Time, dryRun bool) (b domain.Biller, newID func() uuid.UUID, idErr *error, err error) {
	b, err = tx.Biller(ctx, billerID)
	if err != nil {
		return b, nil, nil, notFoundAs(err, domain.Errorf(domain.NotFound, "Service de facturation inconnu."))
	}
	if ro, ok := tx.(ReadOnlyTx); ok && dryRun {
		if err := ro.ReadOnly(ctx); err != nil {
			return b, nil, nil, domain.WrapInternal(err)
		}
	}
	idErr = new(error)
	// One read of the random source per 4 KiB of ids rather than one per
	// record: a million-line import draws a million ids.
	next := sequentialIDs(now, bufio.NewReaderSize(p.random, 4096))
	newID = func() uuid.UUID {
		id, err := next()
		if err != nil && *idErr == nil {
			*idErr = err
		}
		return id
	}
	return b, newID, idErr, nil
}

// ImportSource reads an import file from its start and hands its records
// to payer and invoice, in the file's order, as importfile.Scan does: it
// returns the line errors of a badly structured file, or the error of
// the reading or of a function. A streamed import calls it twice.
type ImportSource func(payer func(domain.ImportPayer) error, invoice func(domain.ImportInvoice) error) ([]domain.LineError, error)

// defaultImportPart is how many lines a streamed import plans and applies
// at a time (Config.ImportPart): enough for the lookups to go by
// thousands of keys, few enough that a part's records and plan weigh a
// few megabytes.
const defaultImportPart = 10_000

// runImportStream is runImport for a file read from src rather than held:
// its payers, then its invoices, by parts of Config.ImportPart lines, planned
// by one domain.ImportPlanner and applied part after part in one
// transaction, all or nothing. Memory holds one part and what the rules
// remember of the lines before (their keys), never the file or its plan.
// A part is applied only while no line has been wrong: a wrong line
// rolls back the parts applied before it, and planning goes on to report
// every wrong line. A dry run plans every part and writes nothing.
func (p *Portal) runImportStream(ctx context.Context, billerID uuid.UUID, src ImportSource, dryRun bool) (ImportResult, []domain.LineError, error) {
	now := p.clock.Now()
	var res ImportResult
	var errs []domain.LineError
	errRollBack := domain.Errorf(domain.Conflict, "rolled back")
	err := p.store.Atomic(ctx, func(tx Tx) error {
		res, errs = ImportResult{}, nil
		b, newID, idErr, err := p.startImport(ctx, tx, billerID, now, dryRun)
		if err != nil {
			return err
		}
		planner := domain.NewImportPlanner(b, newID, now)
		// freed holds the addresses the file's payers give up, with
		// their owner before the import: a part applied before must not
		// make an address look free to the parts after it (the import
		// judges every address against the portal as it was).
		freed := map[string]uuid.UUID{}
		// The parts go through three steps: the lookup of what the
		// portal holds of their keys, the plan, then the apply. With a
		// bulk store the lookup of a part runs while the part before is
		// planned and the file read on (the transaction runs one
		// statement at a time: the apply of a part waits for the lookup
		// of the next). The lookup of a part never depends on the apply
		// of the part before it: the rules judge a payer, an address or a
		// number the file gave already from what they remember of the
		// file before any lookup (domain.ImportPlanner).
		var (
			part      domain.ImportBatch // the part being read
			spare     domain.ImportBatch // a part's rows to reuse
			pending   *importPart        // looked up, not yet planned
			planned   *domain.ImportPlan // planned, not yet applied
			plannedOf domain.ImportBatch // the rows of planned
		)
		defer func() {
			// A lookup still running ends before the transaction does.
			if pending != nil {
				_, _ = pending.wait()
			}
		}()
		apply := func() error {
			if planned == nil {
				return nil
			}
			plan := *planned
			planned = nil
			spare, plannedOf = plannedOf, domain.ImportBatch{}
			if dryRun || len(errs) > 0 {
				return nil
			}
			return applyImport(ctx, tx, plan)
		}
		plan := func(lp *importPart) error {
			l, err := lp.wait()
			if err != nil {
				return err
			}
			lookup := &freedLookup{ImportLookup: l, freed: freed}
			plan, lineErrs := planner.Plan(lp.batch, lookup)
			if tl, ok := l.(*txLookup); ok && tl.err != nil {
				return tl.err
			}
			if *idErr != nil {
				return *idErr
			}
			if len(lineErrs) > 0 {
				errs = append(errs, lineErrs...)
				spare = lp.batch
				return nil
			}
			for _, up := range plan.UpdatedPayers {
				if old, ok := l.PayerByRef(up.ExternalRef); ok && old.Email != "" && old.Email != up.Email {
					freed[old.Email] = old.ID
				}
			}
			res.PayersCreated += len(plan.NewPayers)
			res.PayersUpdated += len(plan.UpdatedPayers)
			res.InvoicesCreated += len(plan.NewInvoices)
			res.InvoicesUpdated += len(plan.UpdatedInvoices)
			res.Unchanged += plan.Unchanged
			planned, plannedOf = &plan, lp.batch
			return nil
		}
		// flush hands the part read to the steps: it applies the part
		// planned before, starts the lookup of this one, then plans the
		// one looked up before.
		flush := func() error {
			if len(part.Payers)+len(part.Invoices) == 0 {
				return nil
			}
			if pending != nil {
				if _, err := pending.wait(); err != nil {
					return err
				}
			}
			if err := apply(); err != nil {
				return err
			}
			keys := part
			if len(part.Invoices) > 0 {
				// The payers the file listed are the planner's: look up
				// only the others.
				keys.Invoices = make([]domain.ImportInvoice, len(part.Invoices))
				for i, row := range part.Invoices {
					keys.Invoices[i].Number = row.Number
					if !planner.HasPayer(row.PayerRef) {
						keys.Invoices[i].PayerRef = row.PayerRef
					}
				}
			}
			next := lookUpPart(ctx, tx, billerID, part, keys)
			part = domain.ImportBatch{Payers: spare.Payers[:0], Invoices: spare.Invoices[:0]}
			spare = domain.ImportBatch{}
			if pending != nil {
				err := plan(pending)
				if err != nil {
					next.wait() // the transaction ends with the lookup
					return err
				}
			}
			pending = next
			return nil
		}
		// drain plans and applies every part read.
		drain := func() error {
			if err := flush(); err != nil {
				return err
			}
			if pending != nil {
				if _, err := pending.wait(); err != nil {
					return err
				}
			}
			if err := apply(); err != nil {
				return err
			}
			if pending != nil {
				lp := pending
				pending = nil
				if err := plan(lp); err != nil {
					return err
				}
			}
			return apply()
		}
		// The payers first, all of them: an invoice may name a payer the
		// file lists after it.
		structure, err := src(func(row domain.ImportPayer) error {
			part.Payers = append(part.Payers, row)
			if len(part.Payers) < p.cfg.ImportPart {
				return nil
			}
			return flush()
		}, nil)
		if err == nil {
			err = drain()
		}
		if err != nil {
			return err
		}
		if len(structure) > 0 {
			errs = structure
			return errRollBack
		}
		_, err = src(nil, func(row domain.ImportInvoice) error {
			part.Invoices = append(part.Invoices, row)
			if len(part.Invoices) < p.cfg.ImportPart {
				return nil
			}
			return flush()
		})
		if err == nil {
			err = drain()
		}
		if err != nil {
			return err
		}
		if dryRun || len(errs) > 0 {
			return errRollBack
		}
		return importApplied(ctx, tx, res.InvoicesCreated)
	})
	if err != nil && err != errRollBack {
		return ImportResult{}, nil, err
	}
	if len(errs) > 0 {
		return ImportResult{}, errs, nil
	}
	return res, nil, nil
}

// importPart is a part of a streamed import and the lookup of its keys,
// running or done.
type importPart struct {
	batch  domain.ImportBatch
	done   chan struct{}
	lookup domain.ImportLookup
	err    error
}

// lookUpPart starts the lookup of keys, the keys of batch, in tx: in the
// background when the store looks up in bulk (ImportTx), at once
// otherwise (txLookup asks the store as the plan goes).
func lookUpPart(ctx context.Context, tx Tx, billerID uuid.UUID, batch, keys domain.ImportBatch) *importPart {
	lp := &importPart{batch: batch, done: make(chan struct{})}
	run := func() {
		defer close(lp.done)
		lp.lookup, lp.err = importLookup(ctx, tx, billerID, keys)
	}
	if _, ok := tx.(ImportTx); ok {
		go run()
	} else {
		run()
	}
	return lp
}

// wait returns the part's lookup once it is done.
func (lp *importPart) wait() (domain.ImportLookup, error) {
	<-lp.done
	return lp.lookup, lp.err
}

// freedLookup answers as its lookup does, except for the addresses the
// import's payers gave up in the parts already applied: those still
// belong to their owner before the import.
type freedLookup struct {
	domain.ImportLookup
	freed map[string]uuid.UUID
}

func (l *freedLookup) EmailOwner(email string) (uuid.UUID, bool) {
	if id, ok := l.freed[email]; ok {
		return id, true
	}
	return l.ImportLookup.EmailOwner(email)
}

// applyImport saves a checked plan in tx: in bulk when the store offers
// it (ImportTx), record by record otherwise.
func applyImport(ctx context.Context, tx Tx, plan domain.ImportPlan) error {
	if bulk, ok := tx.(ImportTx); ok {
		return mapSave(bulk.ApplyImport(ctx, plan))
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
	return nil
}

// importApplied tells a bulk store that an import applied all its plans.
func importApplied(ctx context.Context, tx Tx, invoicesCreated int) error {
	if bulk, ok := tx.(ImportTx); ok {
		return mapSave(bulk.ImportApplied(ctx, invoicesCreated))
	}
	return nil
}

// importLookup returns what answers domain.PlanImport about batch in tx:
// the store's bulk lookup when it offers one, its queries otherwise.
func importLookup(ctx context.Context, tx Tx, billerID uuid.UUID, batch domain.ImportBatch) (domain.ImportLookup, error) {
	if bulk, ok := tx.(ImportTx); ok {
		l, err := bulk.ImportLookup(ctx, billerID, batch)
		if err != nil {
			return nil, domain.WrapInternal(err)
		}
		return l, nil
	}
	return &txLookup{ctx: ctx, tx: tx, billerID: billerID}, nil
}

// ImportTx is implemented by a store transaction that loads large imports
// in bulk (PostgreSQL's COPY, for instance). Portal.Import uses it when
// the transaction offers it; the rules stay in domain.PlanImport.
type ImportTx interface {
	// ImportLookup loads at once what the biller already has that the
	// batch names: payers by reference, invoices by number, and the owners
	// of the addresses it uses (payers' and accounts'). Its records may
	// hold only what the rules of an import check or change (a payer's
	// id, reference, name and address; an invoice's id, payer, number,
	// dates, amount, object, document, state and lock), so that reading
	// a large unchanged file costs little.
	ImportLookup(ctx context.Context, billerID uuid.UUID, batch domain.ImportBatch) (domain.ImportLookup, error)
	// ApplyImport saves a checked plan: it inserts the new payers and
	// invoices and, of the updated ones, what an import changes (a
	// payer's name and address, an invoice's dates, amount, object and
	// document, and their UpdatedAt), keeping the rest. A large import
	// calls it once per part of its file, in one transaction; the
	// ImportLookup of the next part may come between the lookup of a
	// part and the ApplyImport of its plan (runImportStream looks a
	// part up while it plans the one before).
	ApplyImport(ctx context.Context, plan domain.ImportPlan) error
	// ImportApplied is called once an import applied all its plans, with
	// the number of invoices it created: the store refreshes what a large
	// load leaves stale (PostgreSQL's statistics).
	ImportApplied(ctx context.Context, invoicesCreated int) error
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
