package portstest

import (
	"fmt"
	"sync"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

var _ ports.PDFWriter = (*FakePDF)(nil)

// FakePDF is a ports.PDFWriter that writes a short text standing for the
// file, with what a test checks (the document's code, total and link), or
// fails as FailNext asked. It counts the documents it laid out. It is
// safe for concurrent use; its zero value is ready.
type FakePDF struct {
	mu      sync.Mutex
	laid    int
	failN   int
	failErr error
}

// Receipt writes "%PDF-fake receipt <code> <total> <link>".
func (f *FakePDF) Receipt(r domain.Receipt, verifyURL string) ([]byte, error) {
	return f.write(fmt.Sprintf("%%PDF-fake receipt %s %s %s\n", r.Code, r.Total.StringFixed(2), verifyURL))
}

// Certificate writes "%PDF-fake certificate <code> <year> <link>".
func (f *FakePDF) Certificate(c domain.Certificate, verifyURL string) ([]byte, error) {
	return f.write(fmt.Sprintf("%%PDF-fake certificate %s %d %s\n", c.Code, c.Year, verifyURL))
}

func (f *FakePDF) write(text string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failN > 0 {
		f.failN--
		return nil, f.failErr
	}
	f.laid++
	return []byte(text), nil
}

// FailNext makes the next n documents fail with err.
func (f *FakePDF) FailNext(n int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failN, f.failErr = n, err
}

// Laid counts the documents written.
func (f *FakePDF) Laid() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.laid
}
