// Package memory keeps the portal's data in memory: a complete,
// concurrency-safe ports.Store and ports.SessionStore for the demo and for
// tests of the core without infrastructure. Its data is lost at exit.
//
// One RWMutex guards the records. Reads outside a transaction share it;
// Atomic holds it exclusively for the whole of fn, which makes every
// transaction serialisable and every record read in it locked, as
// InvoicesForUpdate and PaymentForUpdate promise. Inside Atomic writes go
// straight to the maps and each is journaled with what it replaced, so
// that an error (or a panic) undoes them all in reverse order; a reader
// outside never sees them before the commit because it waits for the
// lock. Secondary indexes back every uniqueness rule and lookup.
//
// Sessions have their own lock: a page view reading its session never
// waits for a transaction.
package memory

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

var (
	_ ports.Store        = (*Store)(nil)
	_ ports.SessionStore = (*Store)(nil)
)

// Store is an in-memory ports.Store and ports.SessionStore. Use New; the
// zero value is not ready.
//
// Every method of ports.Tx is written once, on tx; Store embeds its own tx
// (store set), whose methods take the lock themselves: a read runs under
// mu.RLock, a write as a transaction of its own, as if in Atomic.
type Store struct {
	*tx
	mu     sync.RWMutex
	tables tables
	// reader is the tx a read of the Store's own runs on, under mu.RLock.
	reader *tx

	sessions sessions
	watch    ports.BillerWatches
}

// New returns an empty store.
func New() *Store {
	s := &Store{}
	s.tables.init()
	s.sessions.init()
	s.reader = &tx{t: &s.tables}
	s.tx = &tx{t: &s.tables, store: s}
	return s
}

// Atomic runs fn in a transaction: it holds the store exclusively until fn
// returns, then keeps fn's writes if fn returned nil and undoes them all
// otherwise, panics included. fn's error is returned unchanged. fn is
// called once. fn must use only tx: calling the Store itself from fn
// deadlocks, and tx must not be kept after fn returns.
func (s *Store) Atomic(ctx context.Context, fn func(tx ports.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return domain.WrapUnavailable(err)
	}
	t := &tx{t: &s.tables, writable: true}
	if err := s.atomic(t, fn); err != nil {
		return err
	}
	// Told once the writes are in and the lock is released.
	s.watch.Tell(t.billersChanged...)
	return nil
}

// atomic runs fn on t holding the store exclusively, and undoes t's
// writes unless fn returns nil.
func (s *Store) atomic(t *tx, fn func(tx ports.Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	committed := false
	defer func() {
		t.ended.Store(true)
		if !committed {
			t.rollback()
		}
	}()
	if err := fn(t); err != nil {
		return err
	}
	committed = true
	return nil
}

// tx is the ports.Tx of the store: inside Atomic, the store's reader, or
// the store itself (store set).
type tx struct {
	t *tables
	// store is set on the Store's own tx only: each of its methods locks
	// the store for itself (see reading and writing).
	store    *Store
	writable bool
	ended    atomic.Bool
	undo     []func()
	// billersChanged are the billers saved, told to the watches
	// (BillerChanges) once the writes are in.
	billersChanged []uuid.UUID
}

var _ ports.Tx = (*tx)(nil)

// errEnded refuses the use of a transaction after Atomic returned, which
// would touch the maps without holding the lock.
var errEnded = &domain.Error{Code: domain.Internal, Message: "Une erreur inattendue s'est produite. Veuillez réessayer plus tard.",
	Err: fmt.Errorf("memory: transaction used after Atomic returned")}

// live returns errEnded once the transaction is over.
func (t *tx) live() error {
	if t.ended.Load() {
		return errEnded
	}
	return nil
}

// reading prepares t for one read and returns the tx to read on and what
// to call when done. On the Store's own tx it takes the shared lock and
// returns the reader; on a transaction it checks that it is live.
func (t *tx) reading() (*tx, func(), error) {
	if s := t.store; s != nil {
		s.mu.RLock()
		return s.reader, s.mu.RUnlock, nil
	}
	if err := t.live(); err != nil {
		return nil, nil, err
	}
	return t, func() {}, nil
}

// writing prepares t for one write and returns the tx to write on and what
// to defer with the write's error. On the Store's own tx the write is a
// transaction of its own: the store is held exclusively, and the write is
// undone if it fails or panics. Otherwise t must be a live transaction.
func (t *tx) writing(ctx context.Context) (*tx, func(*error), error) {
	if s := t.store; s != nil {
		if err := ctx.Err(); err != nil {
			return nil, nil, domain.WrapUnavailable(err)
		}
		s.mu.Lock()
		w := &tx{t: &s.tables, writable: true}
		return w, func(err *error) {
			unlocked := false
			defer func() {
				if !unlocked {
					s.mu.Unlock()
				}
			}()
			w.ended.Store(true)
			if r := recover(); r != nil {
				w.rollback()
				panic(r)
			}
			if *err != nil {
				w.rollback()
				return
			}
			s.mu.Unlock()
			unlocked = true
			s.watch.Tell(w.billersChanged...)
		}, nil
	}
	if err := t.live(); err != nil {
		return nil, nil, err
	}
	if !t.writable {
		return nil, nil, &domain.Error{Code: domain.Internal, Message: errEnded.Message, Err: fmt.Errorf("memory: write outside a transaction")}
	}
	return t, func(*error) {}, nil
}

// journal records how to undo one write.
func (t *tx) journal(undo func()) { t.undo = append(t.undo, undo) }

// rollback undoes every write, newest first.
func (t *tx) rollback() {
	for i := len(t.undo) - 1; i >= 0; i-- {
		t.undo[i]()
	}
	t.undo = nil
}

// notFound is the error of a missing record: the citizen's ErrNotFound,
// with what was looked for in Err for the logs.
func notFound(format string, args ...any) error {
	return &domain.Error{Code: domain.NotFound, Message: domain.ErrNotFound.Message,
		Err: fmt.Errorf("memory: "+format+" not found", args...)}
}

// conflict is the error of a broken uniqueness rule.
func conflict(field, message, format string, args ...any) error {
	return &domain.Error{Code: domain.Conflict, Field: field, Message: message,
		Err: fmt.Errorf("memory: "+format, args...)}
}

// emailTaken is domain.ErrEmailTaken with the detail of the record
// holding the address.
func emailTaken(format string, args ...any) error {
	return conflict(domain.ErrEmailTaken.Field, domain.ErrEmailTaken.Message, format, args...)
}

// scoped is a key unique within one biller.
type scoped struct {
	biller uuid.UUID
	key    string
}

// set is a set of keys.
type set[K comparable] map[K]struct{}

// addTo adds k to the set of group in m.
func addTo[G, K comparable](m map[G]set[K], group G, k K) {
	s := m[group]
	if s == nil {
		s = make(set[K])
		m[group] = s
	}
	s[k] = struct{}{}
}

// removeFrom removes k from the set of group in m, and the set once empty.
func removeFrom[G, K comparable](m map[G]set[K], group G, k K) {
	if s := m[group]; s != nil {
		delete(s, k)
		if len(s) == 0 {
			delete(m, group)
		}
	}
}

// table holds one kind of record with the hooks that keep its secondary
// indexes in step.
type table[K comparable, V any] struct {
	rows   map[K]V
	link   func(V) // adds v to the indexes
	unlink func(V) // removes v from the indexes
}

func newTable[K comparable, V any](link, unlink func(V)) table[K, V] {
	return table[K, V]{rows: make(map[K]V), link: link, unlink: unlink}
}

// put inserts or replaces the record at k and returns how to undo it.
// The caller has checked the uniqueness rules.
func (tb *table[K, V]) put(k K, v V) (undo func()) {
	old, had := tb.rows[k]
	if had {
		tb.unlink(old)
	}
	tb.rows[k] = v
	tb.link(v)
	return func() {
		tb.unlink(v)
		if had {
			tb.rows[k] = old
			tb.link(old)
		} else {
			delete(tb.rows, k)
		}
	}
}

var _ ports.Readiness = (*Store)(nil)

// Ready is ports.Readiness: memory is always there and has no schema.
func (s *Store) Ready(context.Context) error { return nil }

// remove deletes the record at k, if any, and returns how to undo it.
func (tb *table[K, V]) remove(k K) (undo func()) {
	old, had := tb.rows[k]
	if !had {
		return func() {}
	}
	tb.unlink(old)
	delete(tb.rows, k)
	return func() {
		tb.rows[k] = old
		tb.link(old)
	}
}
