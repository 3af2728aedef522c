package http

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"

	"github.com/portail-factures/portail/adapters/http/kit"
)

//go:embed templates/*.html
var templateFiles embed.FS

// parsePages parses the back office's pages (every
// templates/gestion_*.html but its layout) over
// templates/gestion_layout.html.
func (s *Server) parsePages() error {
	staff, err := fs.Glob(templateFiles, "templates/gestion_*.html")
	if err != nil {
		return fmt.Errorf("http: back-office pages: %w", err)
	}
	staff = slices.DeleteFunc(staff, func(f string) bool { return f == "templates/gestion_layout.html" })
	s.staffPages, err = s.site.ParsePages(kit.Layout{FS: templateFiles, File: "templates/gestion_layout.html"}, templateFiles, staff, nil)
	return err
}
