package ports

import (
	"context"
	"time"
)

// Throttle counts events per key in fixed windows of time: failed logins
// per address, mails per address, requests per IP. A store shared by
// several portal instances makes every instance count together, so that
// a limit holds behind a load balancer.
//
// Hit is atomic: of many callers at once, each gets its own count, so a
// caller that reserves an attempt with Hit before doing the work (a
// password check) and stops above the limit lets at most the limit
// through, on every instance together.
type Throttle interface {
	// Hit records one event for key in the window of length per that holds
	// now, and returns the number of events in that window so far, this
	// one included, and when the window ends.
	Hit(ctx context.Context, key string, now time.Time, per time.Duration) (count int, ends time.Time, err error)
	// Count returns the events of key in the window that holds now,
	// without recording one.
	Count(ctx context.Context, key string, now time.Time, per time.Duration) (count int, ends time.Time, err error)
	// Undo takes back one event of key in the window of length per that
	// holds now: an attempt reserved with Hit before a password check,
	// given back when the password was right. The count never goes
	// below zero.
	Undo(ctx context.Context, key string, now time.Time, per time.Duration) error
}

// ThrottleWindow returns the window of length per that holds now: windows
// are aligned on the Unix epoch, so that every instance agrees.
func ThrottleWindow(now time.Time, per time.Duration) (start, end time.Time) {
	start = now.Truncate(per)
	return start, start.Add(per)
}
