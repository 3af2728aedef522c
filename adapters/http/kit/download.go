package kit

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/portail-factures/portail/domain"
)

// spoolMemory is how much of a download is held in memory before the
// rest goes to a temporary file; a variable for the tests.
var spoolMemory = 4 << 20

// SendFile answers a download that write makes, only once write has
// succeeded: a failure half-way (the database gone during an export) is
// the error page, never 200 with an empty or truncated file. The file is
// held in memory up to spoolMemory, beyond in a temporary file removed
// afterwards. disposition is the Content-Disposition header.
func (s *Site) SendFile(w http.ResponseWriter, r *http.Request, contentType, disposition string, write func(io.Writer) error) error {
	sp := &spool{}
	defer sp.close()
	if err := write(sp); err != nil {
		return err
	}
	body, err := sp.reader()
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", disposition)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.FormatInt(sp.size, 10))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil
	}
	if _, err := io.Copy(w, body); err != nil {
		// The client went away: the status is sent, nothing more to say.
		s.Log.WarnContext(r.Context(), "download interrupted", "path", r.URL.Path, "err", err)
	}
	return nil
}

// spool keeps what is written to it, in memory then in a temporary file.
type spool struct {
	buf  bytes.Buffer
	file *os.File
	size int64
}

func (sp *spool) Write(p []byte) (int, error) {
	if sp.file == nil && sp.buf.Len()+len(p) > spoolMemory {
		f, err := os.CreateTemp("", "portail-download-*")
		if err != nil {
			return 0, err
		}
		sp.file = f
		if _, err := sp.buf.WriteTo(f); err != nil {
			return 0, err
		}
	}
	var (
		n   int
		err error
	)
	if sp.file != nil {
		n, err = sp.file.Write(p)
	} else {
		n, err = sp.buf.Write(p)
	}
	sp.size += int64(n)
	return n, err
}

// reader returns what was written, from its start.
func (sp *spool) reader() (io.Reader, error) {
	if sp.file == nil {
		return &sp.buf, nil
	}
	_, err := sp.file.Seek(0, io.SeekStart)
	return sp.file, err
}

// close removes the temporary file, if any.
func (sp *spool) close() {
	if sp.file != nil {
		_ = sp.file.Close()
		_ = os.Remove(sp.file.Name())
	}
}

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
