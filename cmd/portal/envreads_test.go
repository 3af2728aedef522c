package main

// The environment rule of HOUSE-STYLE.md: no os.Getenv outside cmd/.

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// envFuncs are the calls that read the environment.
var envFuncs = map[string][]string{
	"os":      {"Getenv", "LookupEnv", "Environ", "ExpandEnv"},
	"syscall": {"Getenv", "Environ"},
}

// envReads returns the calls in f that read the environment, as
// "file:line:col: os.Getenv".
func envReads(fset *token.FileSet, f *ast.File) []string {
	names := make(map[string]string) // local name → "os" or "syscall"
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		if _, ok := envFuncs[path]; !ok {
			continue
		}
		name := path
		if imp.Name != nil {
			name = imp.Name.Name
		}
		names[name] = path
	}
	var found []string
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if x, ok := sel.X.(*ast.Ident); ok && slices.Contains(envFuncs[names[x.Name]], sel.Sel.Name) {
			found = append(found, fmt.Sprintf("%s: %s.%s", fset.Position(sel.Pos()), names[x.Name], sel.Sel.Name))
		}
		return true
	})
	return found
}

// checkEnvReads parses the non-test Go files of every module package
// outside cmd/ (build-tag variants included) and reports the environment
// reads: configuration comes from cmd/portal, through Config.
func checkEnvReads(module string, pkgs []listedPackage) ([]string, error) {
	var found []string
	for _, p := range pkgs {
		if !under(p.ImportPath, module) || under(p.ImportPath, module+"/cmd") {
			continue
		}
		for _, name := range slices.Concat(p.GoFiles, p.CgoFiles, p.IgnoredGoFiles) {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, parser.SkipObjectResolution)
			if err != nil {
				return nil, err
			}
			for _, call := range envReads(fset, f) {
				found = append(found, call+" reads the environment; only cmd/ may, pass the value through Config")
			}
		}
	}
	return found, nil
}
