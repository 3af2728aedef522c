package postgres

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/jmoiron/sqlx"
)

// maxStatements bounds the statement texts a store prepares. The store's
// statements are a few hundred fixed texts (the searches combine their
// filters in a bounded number of ways); past the bound, a new text runs
// unprepared rather than growing every connection's server memory.
const maxStatements = 1000

// statements holds a store's prepared statements, one *sqlx.Stmt per SQL
// text, shared by the pool and its transactions. database/sql prepares
// each again on every connection the first time it runs there, and drops
// it with the connection.
type statements struct {
	pool   *sqlx.DB
	byText sync.Map // SQL text -> *sqlx.Stmt
	count  atomic.Int64
	// pending holds the texts prepared in the background (see get).
	pending sync.Map
	ctx     context.Context // done at close
	cancel  context.CancelFunc
	mu      sync.Mutex // guards closed and wg.Add against close
	closed  bool
	wg      sync.WaitGroup
}

func newStatements(pool *sqlx.DB) *statements {
	ctx, cancel := context.WithCancel(context.Background())
	return &statements{pool: pool, ctx: ctx, cancel: cancel}
}

// get returns the prepared statement of query, preparing it on the pool
// if it is new and wait is set; nil means run it unprepared this time.
//
// A transaction passes wait false: preparing on the pool needs another
// connection, and transactions holding every connection of the pool while
// each waits for one more would wait for ever. Its new statement runs
// unprepared and is prepared in the background, for the next calls.
func (ss *statements) get(ctx context.Context, query string, wait bool) *sqlx.Stmt {
	if st, ok := ss.byText.Load(query); ok {
		return st.(*sqlx.Stmt)
	}
	if ss.count.Load() >= maxStatements {
		return nil
	}
	if !wait {
		if _, busy := ss.pending.LoadOrStore(query, struct{}{}); !busy {
			ss.mu.Lock()
			defer ss.mu.Unlock()
			if ss.closed {
				return nil
			}
			ss.wg.Add(1)
			go func() {
				defer ss.wg.Done()
				defer ss.pending.Delete(query)
				_ = ss.prepare(ss.ctx, query)
			}()
		}
		return nil
	}
	return ss.prepare(ctx, query)
}

// prepare prepares query on the pool and keeps it; nil when it fails (the
// unprepared run that follows reports the error).
func (ss *statements) prepare(ctx context.Context, query string) *sqlx.Stmt {
	st, err := ss.pool.PreparexContext(ctx, query)
	if err != nil {
		return nil
	}
	if kept, loaded := ss.byText.LoadOrStore(query, st); loaded {
		_ = st.Close() // another call prepared it meanwhile
		return kept.(*sqlx.Stmt)
	}
	ss.count.Add(1)
	return st
}

// close stops the background preparations and closes every statement.
func (ss *statements) close() {
	ss.mu.Lock()
	ss.closed = true
	ss.mu.Unlock()
	ss.cancel()
	ss.wg.Wait()
	ss.byText.Range(func(_, st any) bool {
		_ = st.(*sqlx.Stmt).Close()
		return true
	})
}
