package ports

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// Readiness is what a store may say about whether it can serve now: its
// database answers and its schema is the one this build expects. A store
// that does not implement it is taken as always ready.
type Readiness interface {
	Ready(ctx context.Context) error
}

// ErrSchemaNotCurrent is wrapped by a store's Ready when the database's
// migrations are not exactly those the build embeds: one is missing, or
// one applied is unknown to this build (a newer version migrated it).
var ErrSchemaNotCurrent = errors.New("database migrations not current")

// senderStaleAfter is how many of its intervals the mail sender may miss
// before the portal stops being ready.
const senderStaleAfter = 3

// NotReady is why the portal cannot take traffic: Reason is short and
// safe to show on /readyz (no address, no driver message); Err is the
// detail, for the logs.
type NotReady struct {
	Reason string
	Err    error
}

func (e *NotReady) Error() string {
	if e.Err == nil {
		return e.Reason
	}
	return e.Reason + ": " + e.Err.Error()
}

func (e *NotReady) Unwrap() error { return e.Err }

// heartbeat is the mail sender's sign of life: the time of its last run.
type heartbeat struct {
	every time.Duration
	last  atomic.Int64 // Unix nanoseconds
}

// senderWatch holds the heartbeat, nil until WatchMailSender.
type senderWatch struct{ atomic.Pointer[heartbeat] }

// WatchMailSender tells the portal that a loop calls DeliverMails every
// interval: from now on Ready fails when it has not run for three
// intervals (it died, or hangs). A portal without a sender (no SMTP
// server, or mails sent inline) does not call it.
func (p *Portal) WatchMailSender(interval time.Duration) {
	h := &heartbeat{every: interval}
	h.last.Store(p.clock.Now().UnixNano())
	p.sender.Store(h)
}

// beatSender records that the mail sender is running.
func (p *Portal) beatSender() {
	if h := p.sender.Load(); h != nil {
		h.last.Store(p.clock.Now().UnixNano())
	}
}

// Ready says whether this instance can take traffic: the store answers
// and its migrations are current, and the mail sender, when one runs,
// ran recently. It returns nil or a *NotReady. It is for /readyz; a
// process that serves at all is alive (/healthz) whatever Ready says.
func (p *Portal) Ready(ctx context.Context) error {
	if r, ok := p.store.(Readiness); ok {
		if err := r.Ready(ctx); err != nil {
			if errors.Is(err, ErrSchemaNotCurrent) {
				return &NotReady{Reason: "database migrations not current", Err: err}
			}
			return &NotReady{Reason: "database unreachable", Err: err}
		}
	}
	if h := p.sender.Load(); h != nil {
		last := time.Unix(0, h.last.Load())
		if idle := p.clock.Now().Sub(last); idle > senderStaleAfter*h.every {
			return &NotReady{Reason: "mail sender stalled", Err: errors.New("the mail sender has not run since " + last.UTC().Format(time.RFC3339))}
		}
	}
	return nil
}
