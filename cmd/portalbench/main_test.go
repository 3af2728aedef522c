package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSmoke runs the whole benchmark at tiny sizes and checks that it
// prints its table: the figures are not looked at (no timed assertion).
// It skips when PostgreSQL's programs are missing, unless
// PORTAL_REQUIRE_POSTGRES=1.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the smoke run takes about a minute")
	}
	if _, err := exec.LookPath("pgbench"); err != nil {
		if found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pgbench"); len(found) == 0 {
			if os.Getenv("PORTAL_REQUIRE_POSTGRES") == "1" {
				t.Fatal("PostgreSQL's programs (initdb, pg_ctl, pgbench) are missing and PORTAL_REQUIRE_POSTGRES=1")
			}
			t.Skip("PostgreSQL is not installed (Debian: apt-get install -y postgresql)")
		}
	}
	cfg, err := parseFlags([]string{"-payers", "300", "-invoices", "3000", "-clients", "4", "-duration", "1s",
		"-payers-paying", "2", "-pay-sessions", "2", "-import-payers", "50", "-import-invoices", "500",
		"-work", t.TempDir()}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.StatsWait = time.Second
	var out bytes.Buffer
	if err := run(t.Context(), cfg, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	t.Log(out.String())
	for _, want := range []string{
		"| Measure | Portal | Anchor in the same run | Ratio |",
		"« Mes factures », 4 clients", "`pgbench -M prepared`", "`pgbench -M simple`",
		"Statements per page", "Settled payments/s", "each invoice paid once (checked in SQL)",
		"`portal import`, 500 invoices + 50 payers", "`COPY` of the same rows", "`portal serve` peak RSS",
		"CPUs (",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}

func TestParseFlagsRejectsNonsense(t *testing.T) {
	for _, args := range [][]string{
		{"-payers", "0"}, {"-invoices", "5", "-payers", "10"}, {"-clients", "0"}, {"-duration", "10ms"},
		{"-import-invoices", "0"}, {"extra"},
	} {
		if _, err := parseFlags(args, &bytes.Buffer{}); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
	cfg, err := parseFlags(nil, &bytes.Buffer{})
	if err != nil || cfg.Sessions != 4*cfg.Clients || cfg.Clients != 32 {
		t.Errorf("defaults: %+v, %v", cfg, err)
	}
}
