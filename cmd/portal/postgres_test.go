package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/postgres"
	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports/demo"
)

// TestMain gives the tests that need it a throwaway PostgreSQL (or the
// server of PORTAL_TEST_DATABASE_URL), removed afterwards.
func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(m, pgtest.Config{
		URL:     os.Getenv(pgtest.EnvURL),
		Require: os.Getenv(pgtest.EnvRequire) == "1",
	}))
}

// runCommand runs `portal args…` like main does and returns its exit
// status, stdout and stderr.
func runCommand(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runCommandWithInput(t, "", args...)
}

// runCommandWithInput is runCommand with stdin reading input.
func runCommandWithInput(t *testing.T, input string, args ...string) (int, string, string) {
	t.Helper()
	clearEnv(t)
	var stdout, stderr bytes.Buffer
	m := NewMain()
	m.Stdout, m.Stderr, m.Stdin = &stdout, &stderr, strings.NewReader(input)
	err := m.ParseArgs(args)
	if err == nil {
		err = m.Run(context.Background())
	}
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	return m.report(err), stdout.String(), stderr.String()
}

func TestMigrateCommand(t *testing.T) {
	url := pgtest.NewEmptyURL(t)
	code, out, errOut := runCommand(t, "migrate", "--database-url", url)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "applied 0001_init.sql")
	assert.Contains(t, out, "the database schema is now at version")

	code, out, _ = runCommand(t, "migrate", "--database-url", url)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "the database schema is up to date")
}

func TestDatabaseCommandsNeedADatabase(t *testing.T) {
	for _, args := range [][]string{{"migrate"}, {"demo-seed"}, {"import", "--biller", demo.BillerID.String(), "f.csv"}} {
		code, _, errOut := runCommand(t, args...)
		assert.Equal(t, 1, code, "%v", args)
		if args[0] != "import" {
			assert.Contains(t, errOut, "no database: set database.url", "%v", args)
		}
	}
	code, _, errOut := runCommand(t, "migrate", "--database-url", "postgres://portal:s3cret@127.0.0.1:1/portal?sslmode=disable")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "cannot open the database")
	assert.NotContains(t, errOut, "s3cret")
	code, _, errOut = runCommand(t, "migrate", "extra")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "migrate takes no arguments")
}

func TestDemoSeedCommand(t *testing.T) {
	url := pgtest.NewEmptyURL(t) // demo-seed migrates first, as serve does
	code, out, errOut := runCommand(t, "demo-seed", "--database-url", url)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "demo data written: biller "+demo.BillerID.String())
	assert.Contains(t, out, demo.Email)

	code, out, _ = runCommand(t, "demo-seed", "--database-url", url)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "already in the database: nothing changed")
}

func writeImport(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func TestImportCommand(t *testing.T) {
	url := pgtest.NewURL(t)
	code, _, errOut := runCommand(t, "demo-seed", "--database-url", url)
	require.Equal(t, 0, code, errOut)
	biller := demo.BillerID.String()
	example := filepath.Join("..", "..", "ports", "importfile", "testdata", "exemple.csv")

	code, out, errOut := runCommand(t, "import", "--database-url", url, "--biller", biller, "--dry-run", example)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "dry run of")
	assert.Contains(t, out, "payers:    2 created, 0 updated")
	assert.Contains(t, out, "invoices:  3 created, 0 updated")

	// Flags may follow the file.
	code, out, errOut = runCommand(t, "import", "--database-url", url, example, "--biller", biller)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "imported ")
	assert.Contains(t, out, "invoices:  3 created, 0 updated")

	json := filepath.Join("..", "..", "ports", "importfile", "testdata", "exemple.json")
	code, out, errOut = runCommand(t, "import", "--database-url", url, "--biller", biller, json)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "unchanged: 5", "the JSON example holds the same data")

	db, err := postgres.Open(t.Context(), url, postgres.Options{})
	require.NoError(t, err)
	defer db.Close()
	inv, err := db.InvoiceByNumber(t.Context(), demo.BillerID, "2026-040-000187")
	require.NoError(t, err)
	assert.Equal(t, "1176.25", inv.Amount.StringFixed(2))

	t.Run("line errors are listed in French, and nothing is imported", func(t *testing.T) {
		bad := writeImport(t, "mauvais.csv", "type;reference;name;email;payer_reference;number;issue_date;due_date;amount\n"+
			"payer;REF900;Nouveau;;;;;;\n"+
			"invoice;;;;REF900;2026-900;2026-01-05;2026-02-05;12,345\n"+
			"invoice;;;;REF404;2026-901;2026-01-05;2026-02-05;1\n")
		code, out, errOut := runCommand(t, "import", "--database-url", url, "--biller", biller, bad)
		assert.Equal(t, 1, code)
		assert.Empty(t, out)
		assert.Contains(t, errOut, "ligne 3, amount : Le montant 12.345 a plus de deux décimales.")
		assert.Contains(t, errOut, "ligne 4, payer : redevable « REF404 » inconnu")
		assert.Contains(t, errOut, "2 line error(s) above, nothing was imported")
		_, err := db.PayerByRef(t.Context(), demo.BillerID, "REF900")
		assert.Equal(t, domain.NotFound, domain.ErrorCode(err))
	})
	t.Run("a NUL character is a line error, not a database failure", func(t *testing.T) {
		bad := writeImport(t, "nul.csv", "type;reference;name\npayer;REF901;Jeanne\x00Durand\n")
		code, out, errOut := runCommand(t, "import", "--database-url", url, "--biller", biller, bad)
		assert.Equal(t, 1, code)
		assert.Empty(t, out)
		assert.Contains(t, errOut, "ligne 2, name : caractère NUL interdit")
		assert.Contains(t, errOut, "1 line error(s) above, nothing was imported")
		_, err := db.PayerByRef(t.Context(), demo.BillerID, "REF901")
		assert.Equal(t, domain.NotFound, domain.ErrorCode(err))
	})
	t.Run("a badly structured file is refused before the database", func(t *testing.T) {
		bad := writeImport(t, "mauvais.csv", "type;ref\npayer;R1\n")
		code, _, errOut := runCommand(t, "import", "--database-url", url, "--biller", biller, bad)
		assert.Equal(t, 1, code)
		assert.Contains(t, errOut, "ligne 1 : colonne « ref » inconnue")
	})
	t.Run("an unknown biller", func(t *testing.T) {
		code, _, errOut := runCommand(t, "import", "--database-url", url, "--biller", "11111111-1111-4111-8111-111111111111", example)
		assert.Equal(t, 1, code)
		assert.Contains(t, errOut, "biller 11111111-1111-4111-8111-111111111111 is not in the database")
	})
	t.Run("usage mistakes", func(t *testing.T) {
		for args, want := range map[string]string{
			"import --biller " + biller:              "import takes one file, got 0",
			"import " + example:                      "import needs --biller ID",
			"import --biller 4200 " + example:        `--biller "4200" is not a biller id`,
			"import --biller " + biller + " a.csv b": "import takes one file, got 2",
		} {
			code, _, errOut := runCommand(t, strings.Fields(args)...)
			assert.Equal(t, 2, code, args)
			assert.Contains(t, errOut, want, args)
		}
	})
}

// TestServeOnPostgreSQLKeepsEverythingAcrossRestarts logs in through one
// portal process and finds the session, the account and the invoices from
// another one on the same database, as behind a load balancer or after a
// restart.
func TestServeOnPostgreSQLKeepsEverythingAcrossRestarts(t *testing.T) {
	url := pgtest.NewEmptyURL(t)
	code, _, errOut := runCommand(t, "demo-seed", "--database-url", url)
	require.Equal(t, 0, code, errOut)

	build := func() *Main {
		clearEnv(t)
		m := NewMain()
		m.Stdout, m.Stderr = io.Discard, io.Discard
		require.NoError(t, m.ParseArgs([]string{"serve", "--database-url", url}))
		m.Logger = slog.New(slog.DiscardHandler)
		h, err := m.buildHandler(context.Background())
		require.NoError(t, err)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, mustRequest(t, "/healthz"))
		assert.Equal(t, http.StatusOK, rec.Code)
		return m
	}
	ctx := context.Background()
	first := build()
	secret, _, err := first.portal.CitizenAccounts().Login(ctx, demo.BillerID, demo.Email, demo.Password, false, "")
	require.NoError(t, err)
	require.NoError(t, first.Close())

	second := build()
	t.Cleanup(func() { assert.NoError(t, second.Close()) })
	_, c, err := second.portal.CitizenAccounts().Authenticate(ctx, secret)
	require.NoError(t, err, "the session lives in the database")
	list, err := second.portal.Citizens().Invoices(ctx, c, domain.TabUnpaid, 1, 20)
	require.NoError(t, err)
	assert.NotEmpty(t, list.Invoices)
}

func mustRequest(t *testing.T, path string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodGet, path, nil)
	require.NoError(t, err)
	return r
}

// TestMigrateCommandThroughPgBouncer runs portal migrate as an instance
// behind PgBouncer in transaction mode is configured: database.url through
// it, database.direct_url to PostgreSQL for the migrations' lock, prepared
// statements off.
func TestMigrateCommandThroughPgBouncer(t *testing.T) {
	b := pgtest.NewBouncer(t)
	config := writeFile(t, "portal.yml", "database:\n  url: "+b.URL+"\n  direct_url: "+b.DirectURL+"\n  prepared_statements: false\n")
	code, out, errOut := runCommand(t, "migrate", "--config", config)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "applied 0001_init.sql")

	code, out, errOut = runCommand(t, "migrate", "--config", config)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "the database schema is up to date")
}
