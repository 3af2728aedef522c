package main

// Comments cite the repository's own documentation, never notes kept
// outside it: the PayFiP facts are in docs/payfip.md, whose sections they
// name ("docs/payfip.md §3.9", "§4.2.3" for item 3 of §4.2).

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var citation = regexp.MustCompile(`docs/payfip\.md((?:[,\s/]*(?:and )?§[0-9]+(?:\.[0-9]+)*)+)`)
var section = regexp.MustCompile(`§([0-9]+(?:\.[0-9]+)*)`)

func TestCommentsCiteDocsThatExist(t *testing.T) {
	root := filepath.Join("..", "..")
	doc, err := os.ReadFile(filepath.Join(root, "docs", "payfip.md"))
	if err != nil {
		t.Fatal(err)
	}
	known := payfipSections(string(doc))
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := string(src)
		if strings.HasSuffix(path, "docs_test.go") {
			return nil
		}
		for _, outside := range []string{"PROTOCOL" + ".md", "README-API" + ".md"} {
			if strings.Contains(text, outside) {
				t.Errorf("%s cites %s, which is not in the repository (the PayFiP facts are in docs/payfip.md, the API in README.md)", path, outside)
			}
		}
		for _, m := range citation.FindAllStringSubmatch(text, -1) {
			for _, s := range section.FindAllStringSubmatch(m[1], -1) {
				if !known[s[1]] {
					t.Errorf("%s cites docs/payfip.md §%s, which has no such section", path, s[1])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// payfipSections lists the sections of docs/payfip.md: its numbered
// headings ("## 3.", "### 3.9") and the numbered items of a section
// ("3. …" under "### 4.2" is §4.2.3).
func payfipSections(doc string) map[string]bool {
	known := map[string]bool{}
	heading := regexp.MustCompile(`^#{2,4} ([0-9]+(?:\.[0-9]+)*)\.? `)
	item := regexp.MustCompile(`^([0-9]+)\. `)
	current := ""
	for _, line := range strings.Split(doc, "\n") {
		if m := heading.FindStringSubmatch(line); m != nil {
			current = m[1]
			known[current] = true
			continue
		}
		if m := item.FindStringSubmatch(line); m != nil && current != "" {
			known[current+"."+m[1]] = true
		}
	}
	return known
}
