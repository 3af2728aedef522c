package ports

import (
	"context"

	"github.com/google/uuid"
	"github.com/portail-factures/portail/domain"
)

// The command line's import (portal import); the run itself is shared
// with the back office's import (core_import.go).

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

// ImportStream is Import for a file too large to hold (`portal import`):
// src reads it, twice, and the import plans and applies it by parts, in
// one transaction, so that memory stays flat whatever the file's size.
// The rules, the counts and the line errors are Import's; a file whose
// structure is wrong gets src's line errors and nothing is planned.
func (p Operator) ImportStream(ctx context.Context, billerID uuid.UUID, src ImportSource, dryRun bool) (ImportResult, []domain.LineError, error) {
	return p.runImportStream(ctx, billerID, src, dryRun)
}
