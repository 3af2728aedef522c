package http

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"text/template/parse"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// timeFieldNames are the names of the struct fields of type time.Time
// declared in dirs' Go files (tests excluded).
func timeFieldNames(t *testing.T, dirs ...string) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	fset := token.NewFileSet()
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		require.NoError(t, err)
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			require.NoError(t, err)
			ast.Inspect(f, func(n ast.Node) bool {
				field, ok := n.(*ast.Field)
				if !ok {
					return true
				}
				if sel, ok := field.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Time" {
					if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "time" {
						for _, id := range field.Names {
							names[id.Name] = true
						}
					}
				}
				return true
			})
		}
	}
	return names
}

// TestNoTemplateTestsATimeForTruth: a zero time.Time is a struct, which
// {{if}} and {{with}} always find true, so a template must ask .IsZero.
// Every {{if}}, {{else if}} and {{with}} whose condition names a
// time.Time field (by the name of one declared in domain, ports or the
// web packages) as its last element fails this test. It reads the
// templates of every web package (this one's and its sub-packages').
func TestNoTemplateTestsATimeForTruth(t *testing.T) {
	dirs := []string{"../../domain", "../../ports", "."}
	entries, err := os.ReadDir(".")
	require.NoError(t, err)
	for _, d := range entries {
		if d.IsDir() && d.Name() != "templates" {
			dirs = append(dirs, d.Name())
		}
	}
	times := timeFieldNames(t, dirs...)
	require.True(t, times["LastLoginAt"], "the field names were read")
	var files []string
	for _, pattern := range []string{"templates/*.html", "*/templates/*.html", "../../ports/mail/*.txt", "../tipi/simulator/*.html"} {
		m, err := filepath.Glob(pattern)
		require.NoError(t, err)
		files = append(files, m...)
	}
	require.NotEmpty(t, files)
	for _, path := range files {
		text, err := os.ReadFile(path)
		require.NoError(t, err)
		tree := parse.New(path)
		tree.Mode = parse.SkipFuncCheck
		trees := map[string]*parse.Tree{}
		_, err = tree.Parse(string(text), "{{", "}}", trees)
		require.NoError(t, err, path)
		for _, tr := range trees {
			walkConditions(tr.Root, func(pipe *parse.PipeNode) {
				for _, name := range lastIdents(pipe) {
					assert.False(t, times[name], "%s: {{%s}} tests the time.Time .%s for truth; use .IsZero", path, pipe, name)
				}
			})
		}
	}
}

// walkConditions calls f with the condition of every if and with in n.
func walkConditions(n parse.Node, f func(*parse.PipeNode)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walkConditions(c, f)
		}
	case *parse.IfNode:
		f(n.Pipe)
		walkConditions(n.List, f)
		walkConditions(n.ElseList, f)
	case *parse.WithNode:
		f(n.Pipe)
		walkConditions(n.List, f)
		walkConditions(n.ElseList, f)
	case *parse.RangeNode:
		walkConditions(n.List, f)
		walkConditions(n.ElseList, f)
	}
}

// lastIdents are the last names of the fields a condition reads as a
// value: the pipeline's own, and the arguments of not, and and or.
func lastIdents(pipe *parse.PipeNode) []string {
	var out []string
	var arg func(parse.Node)
	arg = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.FieldNode:
			out = append(out, n.Ident[len(n.Ident)-1])
		case *parse.VariableNode:
			if len(n.Ident) > 1 {
				out = append(out, n.Ident[len(n.Ident)-1])
			}
		case *parse.ChainNode:
			if len(n.Field) > 0 {
				out = append(out, n.Field[len(n.Field)-1])
			}
		case *parse.PipeNode:
			for _, c := range n.Cmds {
				cmd(c, arg)
			}
		}
	}
	for _, c := range pipe.Cmds {
		cmd(c, arg)
	}
	return out
}

// cmd feeds arg the values a command of a condition yields as truth: its
// single operand, or the operands of not, and and or.
func cmd(c *parse.CommandNode, arg func(parse.Node)) {
	if len(c.Args) == 0 {
		return
	}
	if id, ok := c.Args[0].(*parse.IdentifierNode); ok {
		switch id.Ident {
		case "not", "and", "or":
			for _, a := range c.Args[1:] {
				arg(a)
			}
		}
		return
	}
	if len(c.Args) == 1 {
		arg(c.Args[0])
	}
}
