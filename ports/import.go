package ports

import (
	"bufio"
	"context"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// ImportResult counts what an import did.
type ImportResult struct {
	PayersCreated   int
	PayersUpdated   int
	InvoicesCreated int
	InvoicesUpdated int
	Unchanged       int
}

// Import loads the billing software's payers and invoices for a biller.
// Every line is checked first; when any is wrong, nothing is applied and
// the line errors are returned (with a nil error). Otherwise everything is
// applied in one transaction. With dryRun, the result says what would be
// done and nothing is saved.
func (p Operator) Import(ctx context.Context, billerID uuid.UUID, batch domain.ImportBatch, dryRun bool) (ImportResult, []domain.LineError, error) {
	run, err := p.runImport(ctx, billerID, batch, importOptions{dryRun: dryRun})
	return run.result, run.errs, err
}

// importOptions says how to run an import.
type importOptions struct {
	dryRun bool
	// lines asks for every line's outcome (domain.PlanImportLines).
	lines bool
	// done runs in the transaction of an import that is not a dry run,
	// once the batch is applied, or refused because a line is wrong: the
	// audit log. A dry run's transaction is rolled back, so done is not
	// called for it.
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
		if isBulk {
			if err := mapSave(bulk.ApplyImport(ctx, plan)); err != nil {
				return err
			}
			if dryRun {
				return errDryRun
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
		if dryRun {
			return errDryRun // roll back
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
