package postgres

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"

	"github.com/portail-factures/portail/ports"
)

var _ ports.BillerChanges = (*DB)(nil)

// Every change of a biller is told on a channel (migration
// 0010_biller_notify), which a connection of its own listens to, on
// Options.DirectURL when set: LISTEN needs a session of its own, which a
// pooler in transaction mode does not give. lib/pq's Listener makes the
// connection again when it is lost; the store tells its watches uuid.Nil
// then (any biller may have changed meanwhile), and reports
// BillersWatched false until it listens again. The store's own changes
// are also told to its watches as soon as their transaction commits, so
// that the instance that made a change never serves the biller before it.

const (
	billersChannel = "portal_billers"
	// listenerName names the listening session in pg_stat_activity.
	listenerName = "portal-billers-listener"
	// listenerPing is how often the listening connection is checked, so
	// that a connection silently gone is noticed within it.
	listenerPing = 5 * time.Second
)

// billerWatch is the store's listener and its watches.
type billerWatch struct {
	start   sync.Once
	watched atomic.Bool
	// losses counts the connections lost: one lost while a new one is
	// being checked keeps the changes unheard.
	losses atomic.Int64
	stop   chan struct{}
	done   chan struct{}

	watches ports.BillerWatches
}

// WatchBillers calls changed with the id of each biller changed, by any
// instance, once committed; with uuid.Nil once listening (at once if the
// store listens already) and whenever the connection is lost or made
// again. The first watch starts the listening connection, which ends with
// Close.
func (db *DB) WatchBillers(ctx context.Context, changed func(id uuid.UUID)) {
	w := &db.watch
	w.watches.Add(ctx, changed, w.watched.Load)
	w.start.Do(func() {
		w.stop, w.done = make(chan struct{}), make(chan struct{})
		go w.listen(db.listenURL())
	})
}

// BillersWatched reports whether the store listens to the billers'
// changes now.
func (db *DB) BillersWatched() bool { return db.watch.watched.Load() }

// listenURL is the URL of the listening connection, named in
// pg_stat_activity.
func (db *DB) listenURL() string {
	u := db.url
	if db.opts.DirectURL != "" {
		u = db.opts.DirectURL
	}
	if strings.Contains(u, "://") {
		if pu, err := url.Parse(u); err == nil {
			q := pu.Query()
			q.Set("application_name", listenerName)
			pu.RawQuery = q.Encode()
			return pu.String()
		}
		return u
	}
	return u + " application_name=" + listenerName
}

// lost marks the changes unheard and tells every watch.
func (w *billerWatch) lost() {
	w.losses.Add(1)
	w.watched.Store(false)
	w.watches.Tell(uuid.Nil)
}

// listening marks the changes heard, then tells every watch that any
// biller may have changed: whatever the cache kept before, or fills from
// a read begun before, is dropped.
func (w *billerWatch) listening(l *pq.Listener) {
	losses := w.losses.Load()
	if l.Ping() != nil {
		return // lost again meanwhile: the next connection tells
	}
	if w.losses.Load() == losses {
		w.watched.Store(true)
	}
	w.watches.Tell(uuid.Nil)
}

// listen runs the listening connection until close.
func (w *billerWatch) listen(dsn string) {
	defer close(w.done)
	l := pq.NewListener(dsn, 100*time.Millisecond, 2*time.Second, func(ev pq.ListenerEventType, _ error) {
		if ev == pq.ListenerEventDisconnected || ev == pq.ListenerEventConnectionAttemptFailed {
			w.lost()
		}
	})
	defer func() { _ = l.Close() }()
	first := make(chan struct{})
	go func() {
		defer close(first)
		// Listen blocks until connected; it may return an error for a
		// first connection it waited for, whose LISTEN still ran (the
		// channel is registered): the ping says whether it listens.
		_ = l.Listen(billersChannel)
	}()
	select {
	case <-first:
		w.listening(l)
	case <-w.stop:
		return
	}
	ping := time.NewTicker(listenerPing)
	defer ping.Stop()
	for {
		select {
		case n, ok := <-l.Notify:
			switch {
			case !ok:
				return
			case n == nil: // connected again, listening
				w.listening(l)
			default:
				id, err := uuid.Parse(n.Extra)
				if err != nil {
					id = uuid.Nil // a TRUNCATE: every biller
				}
				w.watches.Tell(id)
			}
		case <-ping.C:
			if l.Ping() != nil && w.watched.Load() {
				w.lost()
			}
		case <-w.stop:
			return
		}
	}
}

// close stops the listening connection, if any, and waits for it.
func (w *billerWatch) close() {
	w.start.Do(func() {}) // no listener starts after Close
	if w.stop == nil {
		return
	}
	close(w.stop)
	<-w.done
}
