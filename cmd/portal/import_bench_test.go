package main

import (
	"bufio"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/ports/demo"
)

// envBenchImport sets the invoices of BenchmarkImportVsCopy: 1000000 for
// the figures of README, the default runs in well under a minute.
const envBenchImport = "PORTAL_BENCH_IMPORT_INVOICES"

// BenchmarkImportVsCopy runs `portal import` of a CSV file of n invoices
// and n/10 payers (n = $PORTAL_BENCH_IMPORT_INVOICES, 100 000 by default)
// as a separate process, the README's way — a dry run, the import, then
// the same file again — and, as the anchor, psql's \copy of the very
// rows the import wrote into the same tables of a fresh schema, in one
// transaction. It prints the times, the ratios issue #14 sets goals for
// and each run's peak RSS (the process's maxrss). No time is asserted.
func BenchmarkImportVsCopy(b *testing.B) {
	n := 100_000
	if v := os.Getenv(envBenchImport); v != "" {
		var err error
		n, err = strconv.Atoi(v)
		require.NoError(b, err, envBenchImport)
	}
	psql, err := exec.LookPath("psql")
	if err != nil {
		b.Skip("psql is needed for the COPY anchor")
	}
	dir := b.TempDir()
	file := filepath.Join(dir, "import.csv")
	writeImportCSV(b, file, n/10, n)
	bin := filepath.Join(dir, "portal")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(b, err, "go build: %s", out)

	for b.Loop() {
		u := pgtest.NewURL(b)
		run := func(args ...string) (time.Duration, int64) {
			cmd := exec.Command(bin, append(args, "--database-url", u)...)
			cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
			start := time.Now()
			out, err := cmd.CombinedOutput()
			took := time.Since(start)
			require.NoError(b, err, "portal %v: %s", args, out)
			return took, cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss / 1024
		}
		run("demo-seed")
		biller := demo.BillerID.String()
		dry, dryRSS := run("import", "--biller", biller, "--dry-run", file)
		imp, impRSS := run("import", "--biller", biller, file)
		again, againRSS := run("import", "--biller", biller, file)

		// The anchor: the same rows, copied by psql into a fresh schema.
		anchor := pgtest.NewURL(b)
		cmd := exec.Command(bin, "demo-seed", "--database-url", anchor)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
		out, err := cmd.CombinedOutput()
		require.NoError(b, err, "demo-seed: %s", out)
		payers, invoices := filepath.Join(dir, "payers.copy"), filepath.Join(dir, "invoices.copy")
		where := "WHERE biller_id = '" + biller + "' AND "
		runPsql(b, psql, u, `\copy (SELECT * FROM payers `+where+`external_ref LIKE 'P%') TO '`+payers+`'`,
			`\copy (SELECT * FROM invoices `+where+`number LIKE 'B%') TO '`+invoices+`'`)
		start := time.Now()
		runPsql(b, psql, anchor, `\copy payers FROM '`+payers+`'`, `\copy invoices FROM '`+invoices+`'`)
		cp := time.Since(start)

		b.ReportMetric(cp.Seconds()/imp.Seconds(), "copy/import")
		b.ReportMetric(again.Seconds()/cp.Seconds(), "reimport/copy")
		b.ReportMetric(dry.Seconds()/imp.Seconds(), "dryrun/import")
		b.ReportMetric(float64(impRSS), "import-MB")
		b.Logf("%d invoices, %d payers (%.0f MB of CSV):", n, n/10, fileMB(b, file))
		b.Logf("  COPY (psql, one transaction) %8s", cp.Round(time.Millisecond))
		b.Logf("  import                       %8s  peak RSS %4d MB  COPY/import %.2f (goal ≥ 0.6)", imp.Round(time.Millisecond), impRSS, cp.Seconds()/imp.Seconds())
		b.Logf("  re-import, unchanged         %8s  peak RSS %4d MB  re-import/COPY %.2f (goal ≤ 0.3)", again.Round(time.Millisecond), againRSS, again.Seconds()/cp.Seconds())
		b.Logf("  dry run, before the import   %8s  peak RSS %4d MB  dry run/import %.2f (goal ≤ 0.3)", dry.Round(time.Millisecond), dryRSS, dry.Seconds()/imp.Seconds())
	}
}

// writeImportCSV writes an import file of payers payers and n invoices
// spread over them.
func writeImportCSV(tb testing.TB, file string, payers, n int) {
	tb.Helper()
	f, err := os.Create(file)
	require.NoError(tb, err)
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "type;reference;name;email;payer_reference;number;issue_date;due_date;amount;object;pdf")
	for i := range payers {
		fmt.Fprintf(w, "payer;P%07d;Redevable %d;redevable%d@exemple.fr;;;;;;;\n", i, i, i)
	}
	for i := range n {
		fmt.Fprintf(w, "invoice;;;;P%07d;B2026-%09d;05/01/2026;05/02/2026;%d,%02d;Eau et assainissement;\n", i%payers, i, 1+i%500, i%100)
	}
	require.NoError(tb, w.Flush())
	require.NoError(tb, f.Close())
}

// runPsql runs psql's commands on the database of the lib/pq URL u, in
// one transaction.
func runPsql(tb testing.TB, psql, u string, commands ...string) {
	tb.Helper()
	pu, err := url.Parse(u)
	require.NoError(tb, err)
	q := pu.Query()
	schema := q.Get("search_path")
	q.Del("search_path")
	q.Set("options", "-csearch_path="+schema)
	pu.RawQuery = q.Encode()
	args := []string{"-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-d", pu.String()}
	for _, c := range commands {
		args = append(args, "-c", c)
	}
	out, err := exec.Command(psql, args...).CombinedOutput()
	require.NoError(tb, err, "psql %s: %s", strings.Join(commands, "; "), out)
}

func fileMB(tb testing.TB, file string) float64 {
	fi, err := os.Stat(file)
	require.NoError(tb, err)
	return float64(fi.Size()) / 1e6
}
