package main

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests feed the rules graphs and files that break them, so that
// TestDependencyRule passing means something.

func TestDependencyRuleReportsViolations(t *testing.T) {
	const m = "example.com/m"
	graph := []listedPackage{
		{ImportPath: m + "/domain", Imports: []string{"fmt", "github.com/google/uuid", m + "/domain/internal/clock"}},
		{ImportPath: m + "/domain/internal/clock", Imports: []string{"time", "github.com/spf13/viper"}},
		{ImportPath: m + "/domain/money", Imports: []string{"github.com/shopspring/decimal", m + "/ports"}},
		{ImportPath: m + "/ports", Imports: []string{m + "/domain", "golang.org/x/crypto/bcrypt", "github.com/stretchr/testify/assert"}},
		{ImportPath: m + "/ports/portstest", Imports: []string{m + "/domain", "github.com/stretchr/testify/assert"}},
		{ImportPath: m + "/ports/hash", Imports: []string{"golang.org/x/crypto/bcrypt", m + "/ports/portstest"}},
		{ImportPath: m + "/adapters/memory", Imports: []string{m + "/ports", m + "/adapters/memory/internal/rows"}},
		{ImportPath: m + "/adapters/memory/internal/rows", Imports: []string{m + "/domain"}},
		{ImportPath: m + "/adapters/http", Imports: []string{m + "/ports", m + "/adapters/postgres"}},
		{ImportPath: m + "/adapters/postgres", Imports: []string{m + "/ports", "github.com/jackc/pgx/v5"}},
		{ImportPath: m + "/adapters/smtp", Imports: []string{"example.org/settings"}},
		{ImportPath: "example.org/settings", Imports: []string{"github.com/spf13/viper"}},
		{ImportPath: m + "/cmd/portal", Imports: []string{"github.com/spf13/viper", m + "/adapters/http", m + "/adapters/memory"}},
		{ImportPath: "golang.org/x/crypto/bcrypt", Imports: []string{"golang.org/x/sys/cpu"}},
		{ImportPath: "github.com/stretchr/testify/assert", Imports: []string{"github.com/davecgh/go-spew/spew"}},
		{ImportPath: "github.com/spf13/viper", Imports: []string{"github.com/spf13/viper/internal/encoding"}},
	}

	type edge struct{ pkg, dep string }
	var got []edge
	for _, v := range checkImports(m, graph) {
		got = append(got, edge{v.pkg, v.dep})
	}
	assert.ElementsMatch(t, []edge{
		{m + "/domain/internal/clock", "github.com/spf13/viper"},  // once, blamed on the importer, not on domain
		{m + "/domain/money", m + "/ports"},                       // domain must not know ports
		{m + "/ports", "github.com/stretchr/testify/assert"},      // testify is for portstest only…
		{m + "/ports/hash", "github.com/stretchr/testify/assert"}, // …even through portstest
		{m + "/adapters/http", m + "/adapters/postgres"},          // adapters stay apart
		{m + "/adapters/smtp", "github.com/spf13/viper"},          // through a library
	}, got)

	var msgs []string
	for _, v := range checkImports(m, graph) {
		msgs = append(msgs, v.String())
	}
	assert.Contains(t, msgs, "example.com/m/ports/hash imports github.com/stretchr/testify/assert "+
		"(example.com/m/ports/hash → example.com/m/ports/portstest → github.com/stretchr/testify/assert): "+
		"ports may import only the standard library, domain/..., ports/..., uuid, decimal, golang.org/x/crypto/... and golang.org/x/time/...")
}

func TestTechnologyImportsAreReported(t *testing.T) {
	const m = "example.com/m"
	graph := []listedPackage{
		{ImportPath: m + "/domain", Imports: []string{"net/url", "net/mail", "crypto/sha256", "io", "github.com/shopspring/decimal"}},
		{ImportPath: m + "/domain/money", Imports: []string{"database/sql/driver"}},
		{ImportPath: m + "/ports", Imports: []string{"net/http", "os/exec", m + "/domain"}},
		{ImportPath: m + "/ports/importfile", Imports: []string{"github.com/jmoiron/sqlx", "github.com/lib/pq"}},
		{ImportPath: m + "/ports/mail", Imports: []string{"net/smtp", "net/http/httptest"}},
		{ImportPath: m + "/adapters/http", Imports: []string{"net/http", "database/sql"}}, // adapters may
		{ImportPath: "github.com/shopspring/decimal", Imports: []string{"database/sql/driver"}},
	}
	type edge struct{ pkg, dep string }
	var got []edge
	for _, v := range technologyImports(m, graph) {
		got = append(got, edge{v.pkg, v.dep})
	}
	assert.ElementsMatch(t, []edge{
		{m + "/domain/money", "database/sql/driver"},
		{m + "/ports", "net/http"},
		{m + "/ports", "os/exec"},
		{m + "/ports/importfile", "github.com/jmoiron/sqlx"},
		{m + "/ports/importfile", "github.com/lib/pq"},
		{m + "/ports/mail", "net/smtp"},
		{m + "/ports/mail", "net/http/httptest"},
	}, got)
}

func TestEnvReadsAreFound(t *testing.T) {
	const src = `package p

import (
	env "os"
	"syscall"
)

func f() string {
	_ = env.Getpid()
	if v, ok := env.LookupEnv("A"); ok {
		return v
	}
	return env.Getenv("B") + syscall.Getenv("C")
}
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	require.NoError(t, err)
	assert.Equal(t, []string{"p.go:10:14: os.LookupEnv", "p.go:13:9: os.Getenv", "p.go:13:27: syscall.Getenv"}, envReads(fset, f))
}

func TestEnvReadsAreAllowedInCmdAndTests(t *testing.T) {
	const m = "example.com/m"
	dir := t.TempDir()
	write := func(name, src string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600))
	}
	reads := "package p\n\nimport \"os\"\n\nvar V = os.Getenv(\"X\")\n"
	write("adapters/smtp/smtp.go", reads)
	write("adapters/smtp/smtp_test.go", reads)
	write("cmd/tool/main.go", reads)

	found, err := checkEnvReads(m, []listedPackage{
		{ImportPath: m + "/adapters/smtp", Dir: filepath.Join(dir, "adapters/smtp"), GoFiles: []string{"smtp.go"}, IgnoredGoFiles: []string{"smtp_test.go"}},
		{ImportPath: m + "/cmd/tool", Dir: filepath.Join(dir, "cmd/tool"), GoFiles: []string{"main.go"}},
	})
	require.NoError(t, err)
	assert.Equal(t, []string{
		filepath.Join(dir, "adapters/smtp/smtp.go") + ":5:9: os.Getenv reads the environment; only cmd/ may, pass the value through Config",
	}, found)
}
