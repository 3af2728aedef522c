package memory

import (
	"context"
	"sync"
	"time"

	"github.com/portail-factures/portail/ports"
)

var _ ports.Mailer = (*Mailbox)(nil)

// DefaultMailboxSize is how many mails a Mailbox keeps unless told
// otherwise.
const DefaultMailboxSize = 200

// Sent is a mail a Mailbox received, with the instant it was sent and
// its number: the mailbox's first mail is 1, the next 2, and so on.
type Sent struct {
	ports.Mail
	At  time.Time
	Seq uint64
}

// Mailbox is the demo's ports.Mailer: it sends nothing and keeps the last
// mails for the demo's mail page, so that activation and reset links can
// be followed without a mail server. It is safe for concurrent use.
type Mailbox struct {
	clock ports.Clock
	mu    sync.Mutex
	ring  []Sent // a ring buffer of cap size
	next  int    // where the next mail goes once the ring is full
	seq   uint64 // the number of the last mail received
}

// NewMailbox returns a mailbox that keeps the last size mails
// (DefaultMailboxSize if size <= 0), dated by clock.
func NewMailbox(clock ports.Clock, size int) *Mailbox {
	if size <= 0 {
		size = DefaultMailboxSize
	}
	return &Mailbox{clock: clock, ring: make([]Sent, 0, size)}
}

// Send keeps m, forgetting the oldest mail when the mailbox is full.
func (b *Mailbox) Send(_ context.Context, m ports.Mail) error {
	s := Sent{Mail: m, At: b.clock.Now()}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seq++
	s.Seq = b.seq
	if len(b.ring) < cap(b.ring) {
		b.ring = append(b.ring, s)
		return nil
	}
	b.ring[b.next] = s
	b.next = (b.next + 1) % len(b.ring)
	return nil
}

// Mails returns the mails kept, newest first.
func (b *Mailbox) Mails() []Sent {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := len(b.ring)
	out := make([]Sent, n)
	// The newest mail is just before next (the end of the slice while the
	// ring is filling up, when next is 0).
	for i := range n {
		out[i] = b.ring[(b.next-1-i+2*n)%n]
	}
	return out
}
