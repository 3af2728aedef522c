package portstest

import (
	"context"
	"strings"
	"sync"

	"github.com/portail-factures/portail/ports"
)

var _ ports.Mailer = (*Mailbox)(nil)

// Mailbox is a ports.Mailer that records every mail it is given. It is
// safe for concurrent use; its zero value is ready.
type Mailbox struct {
	mu      sync.Mutex
	mails   []ports.Mail
	failN   int
	failErr error
}

// Send records m, or fails as FailNext asked. A failed mail is not
// recorded: it was not sent.
func (b *Mailbox) Send(_ context.Context, m ports.Mail) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failN > 0 {
		b.failN--
		return b.failErr
	}
	b.mails = append(b.mails, m)
	return nil
}

// FailNext makes the next n sends return err, for tests of a mail server
// that is down (use an error with code domain.Unavailable for a
// temporary failure).
func (b *Mailbox) FailNext(n int, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failN, b.failErr = n, err
}

// Mails returns a copy of the mails sent, oldest first.
func (b *Mailbox) Mails() []ports.Mail {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]ports.Mail(nil), b.mails...)
}

// Last returns the mail sent last, if any.
func (b *Mailbox) Last() (ports.Mail, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.mails) == 0 {
		return ports.Mail{}, false
	}
	return b.mails[len(b.mails)-1], true
}

// To returns the mails sent to addr, oldest first. Addresses compare
// without regard to case or surrounding spaces.
func (b *Mailbox) To(addr string) []ports.Mail {
	addr = strings.TrimSpace(addr)
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []ports.Mail
	for _, m := range b.mails {
		if strings.EqualFold(strings.TrimSpace(m.To), addr) {
			out = append(out, m)
		}
	}
	return out
}

// Reset forgets the mails sent and any failure still planned.
func (b *Mailbox) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.mails, b.failN, b.failErr = nil, 0, nil
}
