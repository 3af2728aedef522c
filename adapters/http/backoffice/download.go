package backoffice

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"strconv"
)

// The payments' CSV export (payments.go) is sent only once the whole
// file is written.

// spoolMemory is how much of a download is held in memory before the
// rest goes to a temporary file; a variable for the tests.
var spoolMemory = 4 << 20

// sendFile answers a download that write makes, only once write has
// succeeded: a failure half-way (the database gone during an export) is
// the error page, never 200 with an empty or truncated file. The file is
// held in memory up to spoolMemory, beyond in a temporary file removed
// afterwards. disposition is the Content-Disposition header.
func (s *BackOffice) sendFile(w http.ResponseWriter, r *http.Request, contentType, disposition string, write func(io.Writer) error) error {
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
		s.site.Log.WarnContext(r.Context(), "download interrupted", "path", r.URL.Path, "err", err)
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
