package main

// The dependency rule of HOUSE-STYLE.md, checked on what `go list` finds:
//
//	domain  <-  ports  <-  adapters/{memory,http,postgres,smtp,tipi}  <-  cmd/portal
//
// plus "domain and ports import no package of technology (net/http,
// database/sql, drivers…)", "only cmd/portal uses viper" and, in envreads_test.go, "only cmd/
// reads the environment". Packages that do not exist yet are simply not
// checked.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// listedPackage is what the rules read from `go list -json`.
type listedPackage struct {
	ImportPath                        string
	Dir                               string
	Imports                           []string
	GoFiles, CgoFiles, IgnoredGoFiles []string
	Error                             *struct{ Err string }
}

// importRule restricts what a package may import, directly or through
// other packages of the module.
type importRule struct {
	name    string                 // says the rule in the failure message
	expand  func(path string) bool // whose imports are followed
	allowed func(path string) bool // what may be imported
}

// violation is one forbidden import, with the chain that leads to it.
type violation struct {
	pkg, dep string
	chain    []string
	rule     string
}

func (v violation) String() string {
	return fmt.Sprintf("%s imports %s (%s): %s", v.pkg, v.dep, strings.Join(v.chain, " → "), v.rule)
}

// under tells whether path is prefix or below it.
func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// isStandard uses the go command's own test: a standard package's path has
// no dot in its first element ("C" and "unsafe" included).
func isStandard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// rulesFor returns the import rules of the module package path.
func rulesFor(module, path string) []importRule {
	in := func(rel string) string { return module + "/" + rel }
	inModule := func(p string) bool { return under(p, module) }
	anything := func(string) bool { return true }
	var rules []importRule
	switch rel := strings.TrimPrefix(path, module+"/"); {
	case under(rel, "domain"):
		rules = append(rules, importRule{
			name:   "domain may import only the standard library, domain/..., github.com/google/uuid and github.com/shopspring/decimal",
			expand: inModule,
			allowed: func(p string) bool {
				return under(p, in("domain")) || under(p, "github.com/google/uuid") || under(p, "github.com/shopspring/decimal")
			},
		})
	case under(rel, "ports"):
		testify := under(rel, "ports/portstest")
		name := "ports may import only the standard library, domain/..., ports/..., uuid, decimal, golang.org/x/crypto/... and golang.org/x/time/..."
		if testify {
			name += ", and ports/portstest also github.com/stretchr/testify/..."
		}
		rules = append(rules, importRule{
			name:   name,
			expand: inModule,
			allowed: func(p string) bool {
				return under(p, in("domain")) || under(p, in("ports")) ||
					under(p, "github.com/google/uuid") || under(p, "github.com/shopspring/decimal") ||
					under(p, "golang.org/x/crypto") || under(p, "golang.org/x/time") ||
					(testify && under(p, "github.com/stretchr/testify"))
			},
		})
	case under(rel, "adapters"):
		parts := strings.Split(rel, "/")
		own := in("adapters")
		if len(parts) > 1 {
			own = in("adapters/" + parts[1])
		}
		// adapters/http/webtest (and webtest/full), the web packages' test environment (for
		// tests only), serves the portal over the memory store: the one
		// exception, wanted by issue #13 (see ARCHITECTURE.md).
		webtest := under(rel, "adapters/http/webtest")
		rules = append(rules, importRule{
			name:   "an adapter never imports another adapter; share through ports instead (adapters/http/webtest may import adapters/memory)",
			expand: inModule,
			allowed: func(p string) bool {
				return !under(p, in("adapters")) || under(p, own) || (webtest && under(p, in("adapters/memory")))
			},
		})
	}
	if path != in("cmd/portal") {
		rules = append(rules, importRule{
			name:    "only cmd/portal reads configuration with viper",
			expand:  anything,
			allowed: func(p string) bool { return !under(p, "github.com/spf13/viper") },
		})
	}
	return rules
}

// checkImports applies every rule to every package of module in pkgs, an
// import graph such as `go list -deps` prints. Standard packages are never
// checked; non-module packages reached through an allowed import are not
// followed (their own dependencies are theirs).
func checkImports(module string, pkgs []listedPackage) []violation {
	imports := make(map[string][]string, len(pkgs))
	for _, p := range pkgs {
		imports[p.ImportPath] = p.Imports
	}
	type edge struct{ pkg, dep string }
	var all []violation
	seen := make(map[edge]bool)
	for _, p := range pkgs {
		if !under(p.ImportPath, module) {
			continue
		}
		for _, r := range rulesFor(module, p.ImportPath) {
			for _, v := range walk(p.ImportPath, imports, r) {
				if e := (edge{v.pkg, v.dep}); !seen[e] { // one message per forbidden import
					seen[e] = true
					all = append(all, v)
				}
			}
		}
	}
	// Blame the package that writes the import: drop a violation whose
	// importer is another module package already reported for the same
	// dependency, so one bad import is one message, not one per dependent.
	var found []violation
	for _, v := range all {
		importer := v.chain[len(v.chain)-2]
		if importer == v.pkg || !under(importer, module) || !seen[edge{importer, v.dep}] {
			found = append(found, v)
		}
	}
	return found
}

// technology names the packages that speak a technology: HTTP, SQL and its
// drivers, SMTP and mail libraries, SOAP, processes, configuration files.
// The core (domain and ports) describes what happens, an adapter says how,
// so no production file of domain/... or ports/... may import them. Pure
// helpers of the standard library (net/url, net/mail, crypto/..., io,
// encoding/...) are not technology and stay allowed.
func technology(p string) bool {
	for _, prefix := range []string{
		"net/http", "database/sql", "net/smtp", "net/rpc", "os/exec", "os/signal", "plugin",
		"github.com/lib/pq", "github.com/jmoiron/sqlx", "github.com/jackc", "github.com/go-sql-driver",
		"github.com/mattn/go-sqlite3", "modernc.org/sqlite", "gorm.io",
		"github.com/wneessen/go-mail", "github.com/emersion", "gopkg.in/gomail.v2", "github.com/jordan-wright/email",
		"github.com/hooklift/gowsdl", "github.com/tiaguinho/gosoap", "github.com/globusdigital/soap",
		"github.com/go-resty", "github.com/gorilla", "github.com/go-chi", "github.com/gin-gonic", "github.com/labstack/echo",
		"github.com/spf13/viper", "github.com/spf13/cobra",
	} {
		if under(p, prefix) {
			return true
		}
	}
	return false
}

// technologyImports reports every technology package that the production
// code of domain/... or ports/... imports directly (go list's Imports
// leaves _test files out). Only direct imports count: an allowed library
// may use what it likes (decimal implements database/sql/driver's Valuer).
func technologyImports(module string, pkgs []listedPackage) []violation {
	var found []violation
	for _, p := range pkgs {
		rel, ok := strings.CutPrefix(p.ImportPath, module+"/")
		if !ok || !(under(rel, "domain") || under(rel, "ports")) {
			continue
		}
		for _, dep := range p.Imports {
			if technology(dep) {
				found = append(found, violation{
					pkg: p.ImportPath, dep: dep, chain: []string{p.ImportPath, dep},
					rule: "domain and ports never speak a technology (HTTP, SQL, SMTP, SOAP, processes, configuration): put it in an adapter behind a port",
				})
			}
		}
	}
	return found
}

// walk follows the imports of root breadth first, so each violation comes
// with a shortest chain, and reports every forbidden package once.
func walk(root string, imports map[string][]string, r importRule) []violation {
	parent := map[string]string{root: ""}
	queue := []string{root}
	var found []violation
	for len(queue) > 0 {
		from := queue[0]
		queue = queue[1:]
		for _, dep := range imports[from] {
			if _, seen := parent[dep]; seen || isStandard(dep) {
				continue
			}
			parent[dep] = from
			if !r.allowed(dep) {
				var chain []string
				for p := dep; p != ""; p = parent[p] {
					chain = append(chain, p)
				}
				slices.Reverse(chain)
				found = append(found, violation{pkg: root, dep: dep, chain: chain, rule: r.name})
				continue
			}
			if r.expand(dep) {
				queue = append(queue, dep)
			}
		}
	}
	return found
}

// goCmd runs the go command in dir and returns its standard output.
func goCmd(t *testing.T, dir string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// listModule returns the module path and its packages with all their
// dependencies, as `go list -deps` sees them from the module root.
func listModule(t *testing.T) (string, []listedPackage) {
	t.Helper()
	gomod := strings.TrimSpace(string(goCmd(t, ".", "env", "GOMOD")))
	if gomod == "" || gomod == "/dev/null" {
		t.Fatal("not inside a Go module")
	}
	root := filepath.Dir(gomod)
	module := strings.TrimSpace(string(goCmd(t, root, "list", "-m")))
	out := goCmd(t, root, "list", "-e", "-deps",
		"-json=ImportPath,Dir,Imports,GoFiles,CgoFiles,IgnoredGoFiles,Error", "./...")
	var pkgs []listedPackage
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decoding go list output: %v", err)
		}
		if p.Error != nil && under(p.ImportPath, module) {
			t.Logf("%s cannot be fully listed, its rules are checked on what go list saw: %s", p.ImportPath, p.Error.Err)
		}
		pkgs = append(pkgs, p)
	}
	return module, pkgs
}

func TestDependencyRule(t *testing.T) {
	module, pkgs := listModule(t)
	require := func(cond bool, msg string) {
		if !cond {
			t.Fatal(msg)
		}
	}
	require(slices.ContainsFunc(pkgs, func(p listedPackage) bool { return p.ImportPath == module+"/cmd/portal" }),
		"go list did not report cmd/portal: the rule would check nothing")

	for _, v := range checkImports(module, pkgs) {
		t.Error(v)
	}
	for _, v := range technologyImports(module, pkgs) {
		t.Error(v)
	}
	reads, err := checkEnvReads(module, pkgs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reads {
		t.Error(r)
	}
}
