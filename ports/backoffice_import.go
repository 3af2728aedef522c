package ports

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/portail-factures/portail/domain"
)

// MaxImportFileLines bounds an import from the back office, whose report
// lists every line: larger files go through `portal import` or the API.
const MaxImportFileLines = 200_000

// ImportReport is what an import from the back office did, or would do.
type ImportReport struct {
	ImportResult
	DryRun bool
	// Applied is true when the file was saved: not a dry run, no line wrong.
	Applied bool
	// Lines says what happens to every line, in line order.
	Lines []domain.ImportLine
	// Errors are the rejected lines; while there is one, nothing is applied.
	Errors []domain.LineError
}

// Count returns how many lines have outcome o.
func (r ImportReport) Count(o domain.ImportOutcome) int {
	n := 0
	for _, l := range r.Lines {
		if l.Outcome == o {
			n++
		}
	}
	return n
}

// ImportFile is the back office's import of a file of the `portal import`
// format: with dryRun ("Simuler") it reports what every line would do and
// changes nothing; otherwise it applies the file, all or nothing. Both
// are written in the audit log, the dry run as a simulation.
func (p BackOffice) ImportFile(ctx context.Context, a Actor, batch domain.ImportBatch, dryRun bool) (ImportReport, error) {
	if err := a.canWrite(a.BillerID); err != nil {
		return ImportReport{}, err
	}
	lines := len(batch.Payers) + len(batch.Invoices)
	if lines > MaxImportFileLines {
		return ImportReport{}, domain.FieldError("file", fmt.Sprintf(
			"Le fichier compte %d lignes : l'écran d'import en accepte %d au plus. Utilisez la commande « portal import » ou l'API pour les fichiers plus grands.",
			lines, MaxImportFileLines))
	}
	target := strconv.Itoa(lines) + " lignes"
	run, err := p.runImport(ctx, a.BillerID, batch, importOptions{dryRun: dryRun, lines: true,
		done: func(tx Tx, run importRun) error {
			return p.audit(ctx, tx, a, domain.AuditImport, target, importDetail(false, run))
		}})
	if err != nil {
		return ImportReport{}, err
	}
	if dryRun {
		// The dry run's transaction was rolled back: its record goes alone.
		err := p.store.Atomic(ctx, func(tx Tx) error {
			return p.audit(ctx, tx, a, domain.AuditImport, target, importDetail(true, run))
		})
		if err != nil {
			return ImportReport{}, err
		}
	}
	return ImportReport{ImportResult: run.result, DryRun: dryRun, Applied: !dryRun && len(run.errs) == 0,
		Lines: run.lines, Errors: run.errs}, nil
}

// importDetail says in French what an import did, for the audit log.
func importDetail(dryRun bool, run importRun) string {
	var b strings.Builder
	if dryRun {
		b.WriteString("Simulation d'import (rien n'est enregistré) : ")
	} else if len(run.errs) > 0 {
		b.WriteString("Import refusé, rien n'est enregistré : ")
	} else {
		b.WriteString("Import appliqué : ")
	}
	if len(run.errs) > 0 {
		seen := make([]string, 0, 10)
		for _, e := range run.errs {
			if len(seen) == cap(seen) {
				seen = append(seen, "…")
				break
			}
			seen = append(seen, strconv.Itoa(e.Line))
		}
		fmt.Fprintf(&b, "%d ligne(s) rejetée(s) (ligne %s).", len(run.errs), strings.Join(seen, ", "))
		return b.String()
	}
	r := run.result
	fmt.Fprintf(&b, "redevables %d créé(s), %d mis à jour ; factures %d créée(s), %d mise(s) à jour ; %d ligne(s) inchangée(s).",
		r.PayersCreated, r.PayersUpdated, r.InvoicesCreated, r.InvoicesUpdated, r.Unchanged)
	return b.String()
}
