package ports

import (
	"encoding/csv"
	"io"
)

// newExportCSV starts a back-office CSV export on w: a UTF-8 byte order
// mark and semicolons, so that a spreadsheet set up in French opens it
// with its accents and its columns, CRLF line ends, and the header line.
func newExportCSV(w io.Writer, columns []string) (*csv.Writer, error) {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	if err := cw.Write(columns); err != nil {
		return nil, err
	}
	return cw, nil
}
