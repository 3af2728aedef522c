package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/adapters/postgres/pgtest"
)

// importResult compares `portal import` with a raw COPY of the same rows.
type importResult struct {
	Bytes        int64         // size of the import file
	Import       time.Duration // `portal import`, the process from start to exit
	ImportRSS    int64         // its peak resident memory (wait4's rusage)
	Copy         time.Duration // psql: COPY of the payers and the invoices, one transaction
	ImportedRows string        // what the import reported
}

// writeImportFiles writes the import CSV of payers payers and invoices
// invoices (spread over them), and the same rows as the tables' own
// columns for COPY.
func writeImportFiles(dir string, payers, invoices int, now time.Time) (importCSV, payersCSV, invoicesCSV string, err error) {
	importCSV = filepath.Join(dir, "import.csv")
	payersCSV = filepath.Join(dir, "copy-payers.csv")
	invoicesCSV = filepath.Join(dir, "copy-invoices.csv")
	files := make([]*os.File, 3)
	bufs := make([]*bufio.Writer, 3)
	for i, p := range []string{importCSV, payersCSV, invoicesCSV} {
		if files[i], err = os.Create(p); err != nil {
			return "", "", "", err
		}
		defer files[i].Close()
		bufs[i] = bufio.NewWriterSize(files[i], 1<<20)
	}
	imp, cp, ci := bufs[0], bufs[1], bufs[2]
	ts := now.UTC().Format("2006-01-02 15:04:05.000000+00")
	fmt.Fprintln(imp, "type;reference;name;email;payer_reference;number;issue_date;due_date;amount;object;pdf")
	payerIDs := make([]uuid.UUID, payers)
	for i := range payers {
		ref, name, email := fmt.Sprintf("I%09d", i+1), fmt.Sprintf("Redevable importé %d", i+1), fmt.Sprintf("importe%d@exemple.fr", i+1)
		fmt.Fprintf(imp, "payer;%s;%s;%s;;;;;;;\n", ref, name, email)
		payerIDs[i] = uuid.Must(uuid.NewV7())
		fmt.Fprintf(cp, "%s,%s,%s,%s,%s,f,%s,%s\n", payerIDs[i], billerID, ref, name, email, ts, ts)
	}
	for i := range invoices {
		p := i % payers
		number := fmt.Sprintf("IMP-%010d", i+1)
		issue := time.Date(2026, time.January, 5+i%300, 0, 0, 0, 0, time.UTC)
		due := issue.AddDate(1, 1, 0)
		amount := fmt.Sprintf("%d.%02d", 1+i%500, i%100)
		fmt.Fprintf(imp, "invoice;;;;I%09d;%s;%s;%s;%s;Eau et assainissement;\n", p+1, number, issue.Format(time.DateOnly), due.Format(time.DateOnly), amount)
		fmt.Fprintf(ci, "%s,%s,%s,%s,%s,%s,%s,Eau et assainissement,\"\",unpaid,non-reglees,%s,%s\n",
			uuid.Must(uuid.NewV7()), billerID, payerIDs[p], number, issue.Format(time.DateOnly), due.Format(time.DateOnly), amount, ts, ts)
	}
	for i, b := range bufs {
		if err := b.Flush(); err != nil {
			return "", "", "", err
		}
		if err := files[i].Close(); err != nil {
			return "", "", "", err
		}
	}
	return importCSV, payersCSV, invoicesCSV, nil
}

// benchImport runs `portal import` of the file into a fresh copy of the
// template, then COPY of the same rows into another fresh copy.
func benchImport(ctx context.Context, srv *pgtest.Server, bin, dir string, payers, invoices int, now time.Time) (importResult, error) {
	var r importResult
	importCSV, payersCSV, invoicesCSV, err := writeImportFiles(dir, payers, invoices, now)
	if err != nil {
		return r, err
	}
	if fi, err := os.Stat(importCSV); err == nil {
		r.Bytes = fi.Size()
	}
	out, took, rss, err := portalCommand(ctx, bin, portalEnv(srv.URL(dbImport)), "import", "--biller", billerID.String(), importCSV)
	if err != nil {
		return r, err
	}
	r.Import, r.ImportRSS, r.ImportedRows = took, rss, out

	script := filepath.Join(dir, "copy.sql")
	sqlText := fmt.Sprintf(`\set ON_ERROR_STOP on
BEGIN;
\copy payers (id, biller_id, external_ref, name, email, paperless, created_at, updated_at) FROM '%s' WITH (FORMAT csv)
\copy invoices (id, biller_id, payer_id, number, issue_date, due_date, amount, object, pdf, state, tab, created_at, updated_at) FROM '%s' WITH (FORMAT csv)
COMMIT;
`, payersCSV, invoicesCSV)
	if err := os.WriteFile(script, []byte(sqlText), 0o644); err != nil {
		return r, err
	}
	cmd := exec.CommandContext(ctx, filepath.Join(srv.Bin(), "psql"), "-X", "-q", "-h", srv.SocketDir(), "-p", srv.Port(), "-U", "postgres", "-d", dbCopy, "-f", script)
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		return r, fmt.Errorf("psql COPY: %w\n%s", err, out)
	}
	r.Copy = time.Since(start)
	return r, nil
}
