package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/portail-factures/portail/adapters/postgres/pgtest"
)

// The anchor is the page's own statements, with the parameters a real
// page sent, run by pgbench: the sampled page becomes a pgbench script (a
// "transaction" of pgbench is one page's statements) that every client
// runs. One script, not one per sampled page: with 32 scripts (one per
// client's page) `pgbench -M prepared` ran 4 times slower than -M simple
// at 32 clients for 5 s on this machine, while with one it runs about
// twice as fast, as expected; the rows of one payer are as cached as
// those of 32.

// loggedStatement is one statement a page ran, as the server logged it.
type loggedStatement struct {
	SQL    string
	Params []*string // $1, $2…; nil is NULL
}

// samplePages requests « Mes factures » once for each session, one at a
// time, with log_statement = 'all', and returns the statements each page
// ran, in order. After each page this program runs a marker statement:
// the portal answered, so every statement of the page is logged before it.
func samplePages(ctx context.Context, srv *pgtest.Server, db *sql.DB, c *http.Client, base string, sessions []*session) ([][]loggedStatement, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var pid string
	if err := conn.QueryRowContext(ctx, "SELECT pg_backend_pid()::text").Scan(&pid); err != nil {
		return nil, err
	}
	setLog := func(v string) error {
		if _, err := conn.ExecContext(ctx, "ALTER SYSTEM SET log_statement = '"+v+"'"); err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, "SELECT pg_reload_conf()"); err != nil {
			return err
		}
		time.Sleep(500 * time.Millisecond) // the backends read the file at their next command
		return nil
	}
	if err := setLog("all"); err != nil {
		return nil, err
	}
	const mark = "portalbench-mark"
	_, _ = conn.ExecContext(ctx, "SELECT '"+mark+"'")
	for _, s := range sessions {
		status, _, _, err := s.request(ctx, c, http.MethodGet, base+"/factures", nil)
		if err != nil || status != http.StatusOK {
			_ = setLog("none")
			return nil, fmt.Errorf("GET /factures: %d %v", status, err)
		}
		if _, err := conn.ExecContext(ctx, "SELECT '"+mark+"'"); err != nil {
			return nil, err
		}
	}
	if err := setLog("none"); err != nil {
		return nil, err
	}
	// The collector writes what the backends send it: wait for the last
	// marker to reach the file.
	var groups [][]loggedStatement
	for try := 0; ; try++ {
		groups, err = readSample(filepath.Join(srv.DataDir(), "log", "portalbench.csv"), pid, mark)
		if err != nil {
			return nil, err
		}
		if len(groups) >= len(sessions) || try == 20 {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if len(groups) < len(sessions) {
		return nil, fmt.Errorf("the server log holds %d sampled pages of %d", len(groups), len(sessions))
	}
	return groups[len(groups)-len(sessions):], nil
}

var paramRE = regexp.MustCompile(`\$(\d+) = (NULL|'(?:[^']|'')*')`)

// readSample reads the CSV log: the statements of the portal's backends
// (not of pid, this program's) between two markers form one page.
func readSample(path, pid, mark string) ([][]loggedStatement, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	var groups [][]loggedStatement
	var cur []loggedStatement
	started := false
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(rec) < 15 || rec[2] != dbBench {
			continue
		}
		msg, detail := rec[13], rec[14]
		if rec[3] == pid {
			if strings.Contains(msg, mark) {
				if started {
					groups = append(groups, cur)
				}
				started, cur = true, nil
			}
			continue
		}
		var text string
		switch {
		case strings.HasPrefix(msg, "statement: "):
			text = strings.TrimPrefix(msg, "statement: ")
		case strings.HasPrefix(msg, "execute ") && !strings.HasPrefix(msg, "execute fetch from"):
			_, text, _ = strings.Cut(msg, ": ")
		default:
			continue
		}
		st := loggedStatement{SQL: strings.TrimRight(strings.TrimSpace(text), ";")}
		for _, m := range paramRE.FindAllStringSubmatch(strings.TrimPrefix(detail, "parameters: "), -1) {
			n, _ := strconv.Atoi(m[1])
			for len(st.Params) < n {
				st.Params = append(st.Params, nil)
			}
			if m[2] != "NULL" {
				v := strings.ReplaceAll(m[2][1:len(m[2])-1], "''", "'")
				st.Params[n-1] = &v
			}
		}
		cur = append(cur, st)
	}
	return groups, nil
}

// writeScripts writes one pgbench script per sampled page into dir, for
// mode prepared (parameters as pgbench variables, sent as parameters,
// named p<page>_<statement>_<n> and defined with -D) or simple (literals in the text).
// It returns the scripts' paths and the -D arguments.
func writeScripts(dir, mode string, pages [][]loggedStatement) (files, defines []string, err error) {
	for k, page := range pages {
		var b strings.Builder
		for i, st := range page {
			q := st.SQL
			for n := len(st.Params); n >= 1; n-- { // $12 before $1
				var repl string
				switch v := st.Params[n-1]; {
				case v == nil:
					repl = "NULL"
				case mode == "prepared":
					name := fmt.Sprintf("p%d_%d_%d", k, i, n)
					defines = append(defines, "-D", name+"="+*v)
					repl = ":" + name
				default:
					repl = "'" + strings.ReplaceAll(*v, "'", "''") + "'"
				}
				q = strings.ReplaceAll(q, "$"+strconv.Itoa(n), repl)
			}
			b.WriteString(q)
			b.WriteString(";\n")
		}
		path := filepath.Join(dir, fmt.Sprintf("page-%s-%d.sql", mode, k))
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			return nil, nil, err
		}
		files = append(files, "-f", path)
	}
	return files, defines, nil
}

var tpsRE = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)

// pgbench runs the scripts with clients for d in mode, and returns the
// transactions (pages) per second.
func pgbench(ctx context.Context, srv *pgtest.Server, dir, mode string, pages [][]loggedStatement, clients int, d time.Duration) (float64, error) {
	files, defines, err := writeScripts(dir, mode, pages)
	if err != nil {
		return 0, err
	}
	threads := min(clients, 2)
	args := []string{"-n", "-M", mode, "-c", strconv.Itoa(clients), "-j", strconv.Itoa(threads),
		"-T", strconv.Itoa(max(1, int(d.Seconds()))), "-h", srv.SocketDir(), "-p", srv.Port(), "-U", "postgres"}
	args = append(args, files...)
	args = append(args, defines...)
	args = append(args, dbBench)
	cmd := exec.CommandContext(ctx, filepath.Join(srv.Bin(), "pgbench"), args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("pgbench -M %s: %w\n%s", mode, err, tail(string(out), 3000))
	}
	m := tpsRE.FindStringSubmatch(string(out))
	if m == nil {
		return 0, errors.New("pgbench printed no tps:\n" + tail(string(out), 3000))
	}
	return strconv.ParseFloat(m[1], 64)
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
