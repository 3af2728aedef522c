package kit

import (
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/portail-factures/portail/domain"
)

// ServePDF sends a stored PDF as an attachment named name.pdf: never
// displayed within the portal's origin, never kept by a cache (it is
// personal), its type never sniffed.
func ServePDF(w http.ResponseWriter, r *http.Request, doc domain.Document, name string) {
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": SafeFileName(name) + ".pdf"}))
	h.Set("Content-Length", strconv.Itoa(len(doc.Data)))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if doc.SHA256 != "" {
		h.Set("ETag", `"`+doc.SHA256+`"`)
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(doc.Data)
	}
}

// SafeFileName keeps letters, digits, "-", "_" and "." of name (an
// invoice number may hold "/" or spaces), at most 100 of them, so that
// the file name can neither break the header nor name a path.
func SafeFileName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case b.Len() >= 100:
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == '.' && b.Len() > 0:
			b.WriteRune(r)
		default:
			b.WriteRune('-')
		}
	}
	if b.Len() == 0 {
		return "facture"
	}
	return b.String()
}
