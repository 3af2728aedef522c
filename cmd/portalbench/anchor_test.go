package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSampleBecomesScripts reads a CSV log as PostgreSQL 15 writes it and
// checks the scripts given to pgbench: parameters as variables (prepared)
// or quoted literals (simple), one variable per statement and parameter,
// $10 not mistaken for $1, NULL kept.
func TestSampleBecomesScripts(t *testing.T) {
	dir := t.TempDir()
	row := func(db, pid, msg, detail string) []string {
		r := make([]string, 23)
		r[2], r[3], r[13], r[14] = db, pid, msg, detail
		return r
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	for _, r := range [][]string{
		row(dbBench, "7", "statement: SELECT 'portalbench-mark'", ""),
		row(dbBench, "8", "execute <unnamed>: SELECT * FROM sessions\nWHERE id = $1", "parameters: $1 = 'l''abc'"),
		row("other", "9", "execute <unnamed>: SELECT 1", ""),
		row(dbBench, "8", "statement: BEGIN", ""),
		row(dbBench, "8", "execute S_1: SELECT $1, $10, $2", "parameters: $1 = 'a', $2 = NULL, $3 = 'c', $4 = 'd', $5 = 'e', $6 = 'f', $7 = 'g', $8 = 'h', $9 = 'i', $10 = 'j'"),
		row(dbBench, "7", "statement: SELECT 'portalbench-mark'", ""),
		row(dbBench, "8", "execute <unnamed>: SELECT 'after the last mark'", ""),
	} {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	log := filepath.Join(dir, "log.csv")
	if err := os.WriteFile(log, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	pages, err := readSample(log, "7", "portalbench-mark")
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 1 || len(pages[0]) != 3 {
		t.Fatalf("pages: %+v", pages)
	}
	files, defines, err := writeScripts(dir, "prepared", pages)
	if err != nil {
		t.Fatal(err)
	}
	script, _ := os.ReadFile(files[1])
	want := "SELECT * FROM sessions\nWHERE id = :p0_0_1;\nBEGIN;\nSELECT :p0_2_1, :p0_2_10, NULL;\n"
	if string(script) != want {
		t.Errorf("prepared script:\n%s\nwant:\n%s", script, want)
	}
	if got := strings.Join(defines, " "); !strings.Contains(got, "-D p0_0_1=l'abc") || !strings.Contains(got, "-D p0_2_1=a") || !strings.Contains(got, "-D p0_2_10=j") {
		t.Errorf("defines: %s", got)
	}
	files, _, err = writeScripts(dir, "simple", pages)
	if err != nil {
		t.Fatal(err)
	}
	script, _ = os.ReadFile(files[1])
	want = "SELECT * FROM sessions\nWHERE id = 'l''abc';\nBEGIN;\nSELECT 'a', 'j', NULL;\n"
	if string(script) != want {
		t.Errorf("simple script:\n%s\nwant:\n%s", script, want)
	}
}
