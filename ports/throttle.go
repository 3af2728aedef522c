package ports

import (
	"context"
	"time"
)

// Throttle counts events per key in fixed windows of time: failed logins
// per address, mails per address, requests per IP. A store shared by
// several portal instances makes every instance count together, so that
// a limit holds behind a load balancer.
type Throttle interface {
	// Hit records one event for key in the window of length per that holds
	// now, and returns the number of events in that window so far, this
	// one included, and when the window ends.
	Hit(ctx context.Context, key string, now time.Time, per time.Duration) (count int, ends time.Time, err error)
	// Count returns the events of key in the window that holds now,
	// without recording one.
	Count(ctx context.Context, key string, now time.Time, per time.Duration) (count int, ends time.Time, err error)
}

// ThrottleWindow returns the window of length per that holds now: windows
// are aligned on the Unix epoch, so that every instance agrees.
func ThrottleWindow(now time.Time, per time.Duration) (start, end time.Time) {
	start = now.Truncate(per)
	return start, start.Add(per)
}
