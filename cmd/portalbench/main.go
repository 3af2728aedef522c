// Command portalbench measures the portal from outside, as issue #14 asks:
// on a throwaway PostgreSQL it runs the built `portal serve` as a
// separate process, drives « Mes factures » and the payment flow with
// its own HTTP load generator, runs the page's own statements with
// pgbench in the same run (the anchor), times `portal import` against a
// raw COPY of the same rows, and prints one table of ratios.
//
//	go run ./cmd/portalbench [-payers N] [-invoices N] [-clients N] [-duration D] …
//
// It needs the PostgreSQL 15 server programs (initdb, pg_ctl, pgbench,
// psql) and the pg_stat_statements extension (Debian: postgresql-15 and
// postgresql-contrib-15). Everything runs on this machine: figures are
// those of the load generator and the server sharing its cores.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// config is the command line.
type config struct {
	Payers         int           // payers (each with an active account) in the database
	Invoices       int           // invoices spread over them
	Clients        int           // concurrent clients of the page and of pgbench
	Duration       time.Duration // of each timed run
	Sessions       int           // payers logged in for the page run
	PayersPaying   int           // concurrent citizens of the payment run
	PaySessions    int           // payers logged in per paying citizen
	ImportInvoices int           // invoices of the import file
	ImportPayers   int           // payers of the import file
	Portal         string        // a built portal binary; empty: build ./cmd/portal
	SkipPayments   bool
	SkipImport     bool
	FillOnly       bool   // stop after the fill: how long the sizes take to load
	Work           string // directory for the binary and the files; empty: a temporary one

	// StatsWait is how long the transaction counters are left to settle
	// before they are read (settledCommits); the smoke test shortens it.
	StatsWait time.Duration
}

func defaultConfig() config {
	return config{Payers: 10_000, Invoices: 100_000, Clients: 32, Duration: 15 * time.Second,
		PayersPaying: 32, PaySessions: 8, ImportInvoices: 100_000, ImportPayers: 10_000, StatsWait: 11 * time.Second}
}

func parseFlags(args []string, out io.Writer) (config, error) {
	c := defaultConfig()
	fs := flag.NewFlagSet("portalbench", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.IntVar(&c.Payers, "payers", c.Payers, "payers in the database, each with an active account")
	fs.IntVar(&c.Invoices, "invoices", c.Invoices, "invoices in the database, spread evenly over the payers")
	fs.IntVar(&c.Clients, "clients", c.Clients, "concurrent clients of « Mes factures » and of pgbench")
	fs.DurationVar(&c.Duration, "duration", c.Duration, "length of each timed run (page, pgbench, payments)")
	fs.IntVar(&c.Sessions, "sessions", c.Sessions, "payers logged in for the page run (default 4 × clients)")
	fs.IntVar(&c.PayersPaying, "payers-paying", c.PayersPaying, "concurrent citizens paying")
	fs.IntVar(&c.PaySessions, "pay-sessions", c.PaySessions, "payers logged in per paying citizen (each pays its unpaid invoices one by one)")
	fs.IntVar(&c.ImportInvoices, "import-invoices", c.ImportInvoices, "invoices in the import file")
	fs.IntVar(&c.ImportPayers, "import-payers", c.ImportPayers, "payers in the import file")
	fs.StringVar(&c.Portal, "portal", "", "portal binary to run (default: go build ./cmd/portal of this module)")
	fs.BoolVar(&c.SkipPayments, "skip-payments", false, "skip the payment run")
	fs.BoolVar(&c.SkipImport, "skip-import", false, "skip the import run")
	fs.BoolVar(&c.FillOnly, "fill-only", false, "stop after filling the database, printing how long it took")
	fs.StringVar(&c.Work, "work", "", "directory for the portal binary and the generated files (default: a temporary one, removed)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if c.Sessions == 0 {
		c.Sessions = 4 * c.Clients
	}
	switch {
	case c.Payers < 1 || c.Invoices < c.Payers:
		return c, fmt.Errorf("-payers must be at least 1 and -invoices at least -payers")
	case c.Clients < 1 || c.PayersPaying < 1 || c.PaySessions < 1 || c.Sessions < 1:
		return c, fmt.Errorf("-clients, -sessions, -payers-paying and -pay-sessions must be at least 1")
	case c.Duration < time.Second:
		return c, fmt.Errorf("-duration must be at least 1s")
	case c.ImportPayers < 1 || c.ImportInvoices < 1:
		return c, fmt.Errorf("-import-payers and -import-invoices must be at least 1")
	}
	return c, nil
}

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if err == flag.ErrHelp {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "portalbench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err = run(ctx, cfg, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "portalbench:", err)
		os.Exit(1)
	}
}
