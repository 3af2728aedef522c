package main

// ARCHITECTURE.md's map (each step of the manual, back-office screen, API
// route, job and command → its entry → its use case → its domain rules →
// its template) is checked against the code, so that it cannot drift: a
// file it names must exist, a function, method or type it names must be
// declared in the package its column says.

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// mapHeading starts the section of ARCHITECTURE.md that holds the map.
const mapHeading = "## The map:"

// mapRow is one row of the map: its first cell, to name it in failures,
// and every other cell.
type mapRow struct {
	line  int
	name  string
	cells []string // entry, use case, domain rules, template
}

// readMap returns the rows of the first table after mapHeading in the
// Markdown file at path.
func readMap(path string) ([]mapRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows []mapRow
	in, table := false, false
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, mapHeading):
			in = true
		case !in:
		case strings.HasPrefix(line, "## "):
			return rows, nil
		case strings.HasPrefix(line, "|"):
			cells := strings.Split(strings.Trim(line, "|"), "|")
			for i := range cells {
				cells[i] = strings.TrimSpace(cells[i])
			}
			if !table { // the header
				table = true
				if len(cells) != 5 {
					return nil, fmt.Errorf("%s:%d: the map has %d columns, want 5 (step, entry, use case, domain, template)", path, n, len(cells))
				}
				continue
			}
			if strings.HasPrefix(cells[0], "---") {
				continue
			}
			if len(cells) != 5 {
				return nil, fmt.Errorf("%s:%d: a row of the map has %d cells, want 5", path, n, len(cells))
			}
			rows = append(rows, mapRow{line: n, name: cells[0], cells: cells[1:]})
		case table:
			return rows, nil // the table ended
		}
	}
	return rows, sc.Err()
}

var (
	codeSpan   = regexp.MustCompile("`([^`]+)`")
	identifier = regexp.MustCompile(`^[A-Za-z_]\w*(\.[A-Za-z_]\w*)?$`)
)

// mapNames splits a cell's code spans into the files it names (with a
// slash) and the Go names (Func, Type or Type.Method). Anything else in
// backquotes (a route, a command line) is prose.
func mapNames(cell string) (files, names []string) {
	for _, m := range codeSpan.FindAllStringSubmatch(cell, -1) {
		switch s := m[1]; {
		case strings.Contains(s, "/") && !strings.ContainsAny(s, " {"):
			files = append(files, s)
		case identifier.MatchString(s):
			names = append(names, s)
		}
	}
	return files, names
}

// declared returns the names declared by the production files of the
// package in dir: functions, types, constants and variables by name,
// methods, struct fields and interface methods as Type.Name.
func declared(dir string) (map[string]bool, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	names := make(map[string]bool)
	fset := token.NewFileSet()
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil || len(d.Recv.List) == 0 {
					names[d.Name.Name] = true
					continue
				}
				names[receiverType(d.Recv.List[0].Type)+"."+d.Name.Name] = true
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch spec := spec.(type) {
					case *ast.TypeSpec:
						names[spec.Name.Name] = true
						addMembers(names, spec.Name.Name, spec.Type)
					case *ast.ValueSpec:
						for _, n := range spec.Names {
							names[n.Name] = true
						}
					}
				}
			}
		}
	}
	return names, nil
}

// receiverType is the name of a method's receiver type: T of T, *T, T[P].
func receiverType(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.StarExpr:
		return receiverType(e.X)
	case *ast.IndexExpr:
		return receiverType(e.X)
	case *ast.IndexListExpr:
		return receiverType(e.X)
	case *ast.Ident:
		return e.Name
	}
	return ""
}

// addMembers records a struct's fields and an interface's methods as
// typ.Name.
func addMembers(names map[string]bool, typ string, e ast.Expr) {
	var fields *ast.FieldList
	switch e := e.(type) {
	case *ast.StructType:
		fields = e.Fields
	case *ast.InterfaceType:
		fields = e.Methods
	default:
		return
	}
	for _, f := range fields.List {
		for _, n := range f.Names {
			names[typ+"."+n.Name] = true
		}
	}
}

// checkMap returns what the map names that the code under root does not
// have.
func checkMap(root string, rows []mapRow) ([]string, error) {
	cache := make(map[string]map[string]bool)
	lookup := func(dir string) (map[string]bool, error) {
		if names, ok := cache[dir]; ok {
			return names, nil
		}
		names, err := declared(filepath.Join(root, dir))
		cache[dir] = names
		return names, err
	}
	var problems []string
	for _, r := range rows {
		at := fmt.Sprintf("ARCHITECTURE.md:%d (%s)", r.line, r.name)
		for col, cell := range r.cells {
			files, names := mapNames(cell)
			for _, f := range files {
				matches, err := filepath.Glob(filepath.Join(root, f))
				if err != nil || len(matches) == 0 {
					problems = append(problems, fmt.Sprintf("%s: file %s does not exist", at, f))
				}
			}
			// Where the names of this column are declared.
			var dirs []string
			switch col {
			case 0: // the entry: the package of the files named beside
				for _, f := range files {
					if strings.HasSuffix(f, ".go") && !slices.Contains(dirs, filepath.Dir(f)) {
						dirs = append(dirs, filepath.Dir(f))
					}
				}
			case 1:
				dirs = []string{"ports"}
			case 2:
				dirs = []string{"domain"}
			}
			for _, n := range names {
				n = strings.TrimPrefix(strings.TrimPrefix(n, "ports."), "domain.")
				found := false
				for _, d := range dirs {
					decl, err := lookup(d)
					if err != nil {
						return nil, err
					}
					found = found || decl[n]
				}
				if !found {
					problems = append(problems, fmt.Sprintf("%s: %s is not declared in %s", at, n, strings.Join(dirs, " or ")))
				}
			}
		}
	}
	return problems, nil
}

func TestArchitectureMapMatchesTheCode(t *testing.T) {
	root := "../.."
	rows, err := readMap(filepath.Join(root, "ARCHITECTURE.md"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(rows), 30, "ARCHITECTURE.md's map was not found or lost rows")
	problems, err := checkMap(root, rows)
	require.NoError(t, err)
	for _, p := range problems {
		t.Error(p)
	}
}

func TestArchitectureMapReportsDrift(t *testing.T) {
	root := t.TempDir()
	write := func(name, src string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(root, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(root, name), []byte(src), 0o600))
	}
	write("adapters/http/pay.go", "package http\n\ntype Server struct{}\n\nfunc (s *Server) pay() {}\n")
	write("ports/pay.go", "package ports\n\ntype Portal struct{}\n\nfunc (p *Portal) Pay() {}\n")
	write("domain/pay.go", "package domain\n\ntype Invoice struct{ Amount int }\n\nfunc Check() {}\n\nfunc (i Invoice) Payable() {}\n")
	write("ARCHITECTURE.md", "# A\n\n"+mapHeading+" x\n\n| Step | Entry | Use case | Domain | Template |\n| --- | --- | --- | --- | --- |\n"+
		"| Pay (`POST /pay/{id}`) | `adapters/http/pay.go` `Server.pay` | `Portal.Pay` | `domain.Check`, `Invoice.Payable`, `Invoice.Amount` | — |\n"+
		"| Gone | `adapters/http/gone.go` `Server.pay`, `Server.gone` | `Portal.Gone` | `Invoice.Gone`, `Nope` | `adapters/http/templates/*.html` |\n\n## Next\n")
	rows, err := readMap(filepath.Join(root, "ARCHITECTURE.md"))
	require.NoError(t, err)
	require.Len(t, rows, 2)
	problems, err := checkMap(root, rows)
	require.NoError(t, err)
	require.Equal(t, []string{
		"ARCHITECTURE.md:8 (Gone): file adapters/http/gone.go does not exist",
		"ARCHITECTURE.md:8 (Gone): Server.gone is not declared in adapters/http",
		"ARCHITECTURE.md:8 (Gone): Portal.Gone is not declared in ports",
		"ARCHITECTURE.md:8 (Gone): Invoice.Gone is not declared in domain",
		"ARCHITECTURE.md:8 (Gone): Nope is not declared in domain",
		"ARCHITECTURE.md:8 (Gone): file adapters/http/templates/*.html does not exist",
	}, problems)
}
