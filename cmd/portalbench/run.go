package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/portail-factures/portail/adapters/postgres/pgtest"
)

// report is what one run measured.
type report struct {
	cfg                    config
	fill                   time.Duration
	page, oneClient        latencies
	pageStatements         []statement
	stmtsPerPage, txPage   float64
	controlPerPage         float64 // BEGIN, COMMIT… per page
	fkPerPage              float64 // foreign-key checks per page
	anchorPrep, anchorSimp float64
	sampleStatements       int // statements of one sampled page
	pay                    latencies
	payStmts, payTx        float64
	payControl, payFK      float64
	payStatements          []statement
	payNote                string
	imp                    importResult
	impNote                string
	serveRSS               int64
}

// run does the whole benchmark and prints its table on out.
func run(ctx context.Context, cfg config, out io.Writer) (err error) {
	logf := func(format string, args ...any) {
		fmt.Fprintf(out, "# "+format+"\n", args...)
	}
	rep := &report{cfg: cfg}
	dir := cfg.Work
	if dir == "" {
		if dir, err = os.MkdirTemp("", "portalbench"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	bin := cfg.Portal
	if bin == "" {
		logf("building ./cmd/portal")
		if bin, err = buildPortal(ctx, dir); err != nil {
			return err
		}
	}

	logf("starting PostgreSQL")
	srv, err := pgtest.StartServer(serverConf)
	if err != nil {
		return err
	}
	defer func() {
		if serr := srv.Stop(); err == nil && serr != nil {
			err = serr
		}
	}()
	admin, err := openDB(srv, "postgres")
	if err != nil {
		return err
	}
	defer admin.Close()
	if err := createDatabase(ctx, admin, dbTemplate, ""); err != nil {
		return err
	}
	tmpl, err := openDB(srv, dbTemplate)
	if err != nil {
		return err
	}
	_, err = tmpl.ExecContext(ctx, "CREATE EXTENSION pg_stat_statements")
	tmpl.Close()
	if err != nil {
		return err
	}
	env := portalEnv(srv.URL(dbTemplate))
	for _, args := range [][]string{
		{"migrate"},
		{"biller", "add", "--id", billerID.String(), "--name", "Régie des eaux de Banc-d'Essai", "--numcli", "123456", "--email", "regie@exemple.fr"},
		{"biller", "hosts", "--biller", billerID.String(), billerHost},
	} {
		if _, _, _, err := portalCommand(ctx, bin, env, args...); err != nil {
			return err
		}
	}
	for _, name := range []string{dbBench, dbImport, dbCopy} {
		if err := createDatabase(ctx, admin, name, dbTemplate); err != nil {
			return err
		}
	}
	db, err := openDB(srv, dbBench)
	if err != nil {
		return err
	}
	defer db.Close()

	logf("filling %d payers (each with an account) and %d invoices", cfg.Payers, cfg.Invoices)
	now := time.Now()
	start := time.Now()
	if err := fill(ctx, db, cfg.Payers, cfg.Invoices, now); err != nil {
		return fmt.Errorf("fill: %w", err)
	}
	rep.fill = time.Since(start)
	logf("filled in %s", rep.fill.Round(time.Millisecond))
	if cfg.FillOnly {
		var size string
		if err := db.QueryRowContext(ctx, "SELECT pg_size_pretty(pg_database_size(current_database()))").Scan(&size); err != nil {
			return err
		}
		fmt.Fprintf(out, "fill of %d payers (each with an account) and %d invoices: %s, database %s; %s\n",
			cfg.Payers, cfg.Invoices, rep.fill.Round(time.Millisecond), size, machine())
		return nil
	}

	if err := measureServe(ctx, srv, db, bin, rep, logf); err != nil {
		return err
	}

	if cfg.SkipImport {
		rep.impNote = "skipped (-skip-import)"
	} else {
		logf("import: %d invoices and %d payers, `portal import` then COPY", cfg.ImportInvoices, cfg.ImportPayers)
		if rep.imp, err = benchImport(ctx, srv, bin, dir, cfg.ImportPayers, cfg.ImportInvoices, now); err != nil {
			return err
		}
	}
	printReport(out, rep)
	return nil
}

// measureServe runs `portal serve` with the simulator beside it and
// measures the page and the payments.
func measureServe(ctx context.Context, srv *pgtest.Server, db *sql.DB, bin string, rep *report, logf func(string, ...any)) error {
	cfg := rep.cfg
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	simBase, stopSim, err := startSimulator(addr)
	if err != nil {
		return err
	}
	defer stopSim()
	env := portalEnv(srv.URL(dbBench),
		"PORTAL_DATABASE_MIGRATE=false",
		// The biller claims the host 127.0.0.1, the portal's address; it is
		// also the default one, which payment.saisie applies to.
		"PORTAL_BILLER_ID="+billerID.String(),
		"PORTAL_PAYMENT_MODE=payfip",
		// A test payment (saisie T, the default of a new biller) settles
		// nothing: production, against the simulator.
		"PORTAL_PAYMENT_SAISIE=W",
		"PORTAL_PAYMENT_SOAP_URL="+simBase+"/tpa/services/securite",
		"PORTAL_PAYMENT_PAGE_URL="+simBase+"/tpa/paiementws.web",
		// Every simulated citizen has an address of its own.
		"PORTAL_HTTP_CLIENT_IP_HEADER=X-Forwarded-For",
		// The highest the setting allows; the notifications and return
		// pages come from rotating addresses (rotatingAddress, session.ip).
		"PORTAL_HTTP_PAYMENT_CALLBACKS_PER_MINUTE=10000",
		// No background job during the timed runs.
		"PORTAL_PAYMENT_RECONCILE_INTERVAL=1000h",
		"PORTAL_TREASURY_INTERVAL=1000h",
		// The logins before the runs are not measured: on a loaded
		// machine a login may wait longer than the default 2 s for a
		// hash slot, and a 503 would end the run.
		"PORTAL_PASSWORD_HASH_WAIT=60s",
	)
	logf("starting portal serve")
	serve, err := startServe(ctx, bin, addr, env)
	if err != nil {
		return err
	}
	defer serve.stop()
	c := newHTTPClient(max(cfg.Clients, cfg.PayersPaying))

	pageN := min(cfg.Sessions, cfg.Payers)
	payN := 0
	if !cfg.SkipPayments {
		payN = min(cfg.PayersPaying*cfg.PaySessions, cfg.Payers-pageN)
	}
	payers := spread(cfg.Payers, pageN+payN)
	logf("logging %d payers in through /connexion", pageN)
	sessions, err := loginAll(ctx, c, serve.base, payers[:pageN])
	if err != nil {
		return err
	}

	// Warm-up: the connection pools and the server's caches.
	if _, err := drive(ctx, cfg.Clients, min(3*time.Second, cfg.Duration/4+time.Second), pageStep(c, serve.base, sessions, cfg.Clients)); err != nil {
		return err
	}
	commits0, err := resetStatistics(ctx, db, cfg.StatsWait)
	if err != nil {
		return err
	}
	logf("« Mes factures »: %d clients for %s", cfg.Clients, cfg.Duration)
	if rep.page, err = drive(ctx, cfg.Clients, cfg.Duration, pageStep(c, serve.base, sessions, cfg.Clients)); err != nil {
		return err
	}
	if rep.pageStatements, err = statements(ctx, db); err != nil {
		return err
	}
	commits1, err := settledCommits(ctx, db, cfg.StatsWait)
	if err != nil {
		return err
	}
	rep.stmtsPerPage, rep.controlPerPage, rep.fkPerPage = perRequest(rep.pageStatements, rep.page.N)
	rep.txPage = float64(commits1-commits0) / float64(rep.page.N)

	logf("« Mes factures »: one client for %s", max(2*time.Second, cfg.Duration/3))
	if rep.oneClient, err = drive(ctx, 1, max(2*time.Second, cfg.Duration/3), pageStep(c, serve.base, sessions, 1)); err != nil {
		return err
	}

	logf("anchor: one page's statements, sampled from the server log, run by pgbench")
	sample, err := samplePages(ctx, srv, db, c, serve.base, sessions[:1])
	if err != nil {
		return err
	}
	rep.sampleStatements = len(sample[0])
	scripts := filepath.Join(os.TempDir(), fmt.Sprintf("portalbench-scripts-%d", os.Getpid()))
	if err := os.MkdirAll(scripts, 0o755); err != nil {
		return err
	}
	defer os.RemoveAll(scripts)
	if rep.anchorPrep, err = pgbench(ctx, srv, scripts, "prepared", sample, cfg.Clients, cfg.Duration); err != nil {
		return err
	}
	if rep.anchorSimp, err = pgbench(ctx, srv, scripts, "simple", sample, cfg.Clients, cfg.Duration); err != nil {
		return err
	}

	switch {
	case cfg.SkipPayments:
		rep.payNote = "skipped (-skip-payments)"
	case payN < cfg.PayersPaying:
		rep.payNote = fmt.Sprintf("skipped: %d payers left for %d paying citizens (raise -payers)", payN, cfg.PayersPaying)
	default:
		if err := measurePayments(ctx, db, c, serve.base, payers[pageN:], rep, logf); err != nil {
			return err
		}
	}
	rep.serveRSS = serve.peakRSS()
	return nil
}

// measurePayments logs the paying citizens in and has each pay its
// payers' unpaid invoices one by one, for the run's duration or until
// they are all paid.
func measurePayments(ctx context.Context, db *sql.DB, c *http.Client, base string, payers []int, rep *report, logf func(string, ...any)) error {
	cfg := rep.cfg
	logf("payments: logging %d payers in", len(payers))
	sessions, err := loginAll(ctx, c, base, payers)
	if err != nil {
		return err
	}
	queues := make([]*payerQueue, cfg.PayersPaying)
	for i := range queues {
		queues[i] = &payerQueue{}
	}
	total := 0
	for i, s := range sessions {
		ids, err := unpaidInvoices(ctx, db, s)
		if err != nil {
			return err
		}
		q := queues[i%len(queues)]
		for _, id := range ids {
			q.items = append(q.items, payItem{s: s, invoice: id})
		}
		total += len(ids)
	}
	commits0, err := resetStatistics(ctx, db, cfg.StatsWait)
	if err != nil {
		return err
	}
	logf("payments: %d citizens for %s (or until their %d unpaid invoices are paid)", cfg.PayersPaying, cfg.Duration, total)
	paid := &paidSet{}
	if rep.pay, err = drive(ctx, cfg.PayersPaying, cfg.Duration, payStep(c, base, queues, paid)); err != nil {
		return err
	}
	if rep.payStatements, err = statements(ctx, db); err != nil {
		return err
	}
	commits1, err := settledCommits(ctx, db, cfg.StatsWait)
	if err != nil {
		return err
	}
	if rep.pay.N == 0 {
		return fmt.Errorf("payments: none settled")
	}
	rep.payStmts, rep.payControl, rep.payFK = perRequest(rep.payStatements, rep.pay.N)
	rep.payTx = float64(commits1-commits0) / float64(rep.pay.N)
	return checkPaidOnce(ctx, db, paid.ids)
}

// perRequest divides the calls by n: the statements the portal sent that
// read or write, and apart BEGIN/COMMIT/ROLLBACK and the foreign-key
// checks PostgreSQL runs at commit.
func perRequest(sts []statement, n int) (work, control, fk float64) {
	if n == 0 {
		return 0, 0, 0
	}
	var w, c, f int64
	for _, s := range sts {
		switch {
		case isTransactionControl(s.Query):
			c += s.Calls
		case isForeignKeyCheck(s.Query):
			f += s.Calls
		default:
			w += s.Calls
		}
	}
	return float64(w) / float64(n), float64(c) / float64(n), float64(f) / float64(n)
}

// spread returns n distinct payer numbers evenly spread over 1..payers.
func spread(payers, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = 1 + int(int64(i)*int64(payers)/int64(n))
	}
	return out
}

// machine describes the CPU the run used.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%d CPUs (%s), %s/%s, %s", runtime.NumCPU(), model, runtime.GOOS, runtime.GOARCH, runtime.Version())
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

func mb(b int64) string { return fmt.Sprintf("%d MB", b>>20) }

// printReport prints the table, in Markdown, then the statements.
func printReport(out io.Writer, r *report) {
	cfg := r.cfg
	p := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	p("")
	p("portalbench: %d payers, %d invoices; %s; load generator, portal, simulator and PostgreSQL on the same machine", cfg.Payers, cfg.Invoices, machine())
	p("fill (INSERT … SELECT, indexes rebuilt, VACUUM ANALYZE): %s", r.fill.Round(time.Millisecond))
	p("")
	p("| Measure | Portal | Anchor in the same run | Ratio |")
	p("|---|---|---|---|")
	p("| « Mes factures », %d clients, %s | %.0f pages/s, p50 %s, p99 %s | the page's own %d statements (one page sampled with its parameters), `pgbench -M prepared`, %d clients: %.0f tx/s | **%.2f** |",
		cfg.Clients, cfg.Duration, r.page.rate(), ms(r.page.P50), ms(r.page.P99), r.sampleStatements, cfg.Clients, r.anchorPrep, r.page.rate()/r.anchorPrep)
	p("| | | the same, `pgbench -M simple`: %.0f tx/s | %.2f |", r.anchorSimp, r.page.rate()/r.anchorSimp)
	p("| « Mes factures », one client | p50 %s, p99 %s (%.0f pages/s) | — | — |", ms(r.oneClient.P50), ms(r.oneClient.P99), r.oneClient.rate())
	p("| Statements per page (pg_stat_statements) | %.2f (+ %.2f BEGIN/COMMIT, %.2f foreign-key checks); %.2f transactions (xact_commit) | — | — |", r.stmtsPerPage, r.controlPerPage, r.fkPerPage, r.txPage)
	if r.payNote != "" {
		p("| Settled payments/s | %s | — | — |", r.payNote)
	} else {
		p("| Settled payments/s (POST /paiement → simulator « Payer » → notification → return page), %d citizens | %.0f/s, p50 %s, p99 %s; per payment %.1f statements (+ %.1f BEGIN/COMMIT, %.1f foreign-key checks), %.1f transactions; each invoice paid once (checked in SQL) | — | — |",
			cfg.PayersPaying, r.pay.rate(), ms(r.pay.P50), ms(r.pay.P99), r.payStmts, r.payControl, r.payFK, r.payTx)
	}
	if r.impNote != "" {
		p("| `portal import` | %s | — | — |", r.impNote)
	} else {
		p("| `portal import`, %d invoices + %d payers (%.1f MB CSV) | %.2f s, peak RSS %s | `COPY` of the same rows into the same tables (psql, one transaction): %.2f s | **%.2f** |",
			cfg.ImportInvoices, cfg.ImportPayers, float64(r.imp.Bytes)/1e6, r.imp.Import.Seconds(), mb(r.imp.ImportRSS), r.imp.Copy.Seconds(), r.imp.Copy.Seconds()/r.imp.Import.Seconds())
	}
	p("| `portal serve` peak RSS (VmHWM) at the end | %s | — | — |", mb(r.serveRSS))
	p("")
	p("Statements of « Mes factures » (calls per page):")
	for _, s := range r.pageStatements {
		if f := float64(s.Calls) / float64(r.page.N); f >= 0.01 {
			p("  %5.2f  %s", f, oneLine(s.Query, 150))
		}
	}
	if r.payNote == "" {
		p("Statements of a settled payment (calls per payment):")
		for _, s := range r.payStatements {
			if f := float64(s.Calls) / float64(r.pay.N); f >= 0.01 {
				p("  %5.2f  %s", f, oneLine(s.Query, 150))
			}
		}
	}
	if r.impNote == "" {
		p("portal import said: %s", oneLine(r.imp.ImportedRows, 300))
	}
}

func oneLine(q string, n int) string {
	q = strings.Join(strings.Fields(q), " ")
	if len(q) > n {
		q = q[:n] + "…"
	}
	return q
}
