// Package postgres keeps the portal's data in PostgreSQL: the production
// ports.Store and ports.SessionStore, shared by every portal instance in
// front of one database.
//
// Open connects a pool; Migrate applies the embedded, numbered migrations
// (migrations/*.sql), each in its own transaction, under an advisory lock
// so that instances starting together are safe. A released migration is
// never edited: see migrations/README.md.
//
// Transactions run at PostgreSQL's default isolation, READ COMMITTED:
// InvoicesForUpdate and PaymentForUpdate take row locks (SELECT … FOR
// UPDATE, in id order so that two transactions cannot deadlock on them), and
// a locked row read again after a concurrent commit is read as committed.
// This gives what the use cases need — of two starts on one invoice,
// exactly one sees it free — without the retries SERIALIZABLE would cost.
// Atomic still retries a transaction that fails with a serialization
// failure or a deadlock (SQLSTATE 40001, 40P01) a few times, running fn
// again, as ports.Store allows.
//
// Errors are translated by SQLSTATE, never by message: a unique violation
// is a domain Conflict with a French message (domain.ErrEmailTaken for
// emails), a missing row domain.ErrNotFound, a connection failure
// Unavailable, anything else Internal. Business rules stay in the domain:
// the schema holds references, uniqueness and the sets of states, and the
// invoice's tab is a column written from domain.Invoice.Tab at every save.
//
// Large imports go through ports.ImportTx: lookups by arrays of keys,
// new records copied with COPY, updated ones copied into temporary tables
// and applied with one UPDATE … FROM.
//
// Each statement text is prepared once per store and, by database/sql,
// once per connection (statements.go), so that PostgreSQL plans it once
// rather than at every call. Options.NoPreparedStatements turns that off
// for a pooler in transaction mode such as PgBouncer, where consecutive
// transactions may run on different server connections; what needs a
// session of its own, Migrate's advisory lock, then goes through
// Options.DirectURL. README's « Several instances behind PgBouncer » has
// the set-up.
//
// The package pgtest starts a throwaway server for tests, and a PgBouncer
// in transaction mode in front of it.
package postgres
