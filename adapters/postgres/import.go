package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/portail-factures/portail/domain"
)

// The bulk path of ports.Portal.Import (ports.ImportTx). The rules stay
// in domain.PlanImport; this file only moves rows in and out fast:
//
//   - ImportLookup loads, in three queries, what the biller already has
//     that the batch names (payers by reference, invoices by number, the
//     owners of its addresses), instead of three queries per line;
//   - ApplyImport copies the new payers and invoices straight into their
//     tables with COPY, and the updated ones into temporary tables with
//     COPY, then replaces the rows with one UPDATE … FROM each.
//
// No lock is held while the plan is made: the lookup notes the version
// (xmin) of each row it read, and an update applies only to a row still
// at that version. A row changed meanwhile (a payment locked or settled
// an invoice) makes the whole import fail with a Conflict, all or
// nothing, rather than overwrite the change; a record created meanwhile
// with the same reference or number fails it with the unique index.

// errImportRaced is the Conflict of an import that raced another change.
var errImportRaced = domain.Errorf(domain.Conflict,
	"Des données ont changé pendant l'import (un paiement en cours, par exemple) : rien n'a été importé, relancez l'import.")

// importLookup answers domain.PlanImport from what ImportLookup loaded.
// Its keys are normalised as PlanImport normalises what it asks.
type importLookup struct {
	payers   map[string]domain.Payer   // by external reference
	invoices map[string]domain.Invoice // by number
	owners   map[string]uuid.UUID      // normalised email -> payer
}

func (l *importLookup) PayerByRef(ref string) (domain.Payer, bool) {
	p, ok := l.payers[ref]
	return p, ok
}

func (l *importLookup) InvoiceByNumber(number string) (domain.Invoice, bool) {
	inv, ok := l.invoices[number]
	return inv, ok
}

func (l *importLookup) EmailOwner(email string) (uuid.UUID, bool) {
	id, ok := l.owners[email]
	return id, ok
}

// What ImportLookup reads of a payer and of an invoice: what the rules of
// an import check or change (domain.PlanImport), and the version of the
// row. An import that re-reads a million unchanged invoices reads these
// columns and nothing else: no timestamps to decode, no payment. The
// dates come as text (the driver's DateStyle is ISO, YYYY-MM-DD) and the
// amount as its digits.
const (
	importPayerSelect = `SELECT id, external_ref, name, email, xmin::text FROM payers
WHERE biller_id = $1 AND external_ref = ANY($2::text[])`
	importInvoiceColumns = `SELECT id, payer_id, number, issue_date::text, due_date::text, amount, object, pdf, state,
	locked_by, locked_until, xmin::text FROM invoices`
	importInvoiceSelect = importInvoiceColumns + ` WHERE biller_id = $1 AND number = ANY($2::text[])`
	// importInvoiceRange reads the invoices from a number to another, in
	// the order of the (biller_id, number) index, up to a count. The
	// numbers are compared byte by byte (the column's collation is C),
	// as Go compares strings.
	importInvoiceRange = importInvoiceColumns + ` WHERE biller_id = $1 AND number >= $2 AND number <= $3
ORDER BY number LIMIT $4`
)

// ImportLookup loads what the biller already has that batch names. The
// keys are those domain.PlanImport asks for: references and numbers
// trimmed, emails normalised.
func (t *txn) ImportLookup(ctx context.Context, billerID uuid.UUID, batch domain.ImportBatch) (lookup domain.ImportLookup, err error) {
	refs := make(map[string]bool, len(batch.Payers))
	numbers := make(map[string]bool, len(batch.Invoices))
	emails := make(map[string]bool, len(batch.Payers))
	for _, p := range batch.Payers {
		refs[strings.TrimSpace(p.ExternalRef)] = true
		if e := domain.NormalizeEmail(p.Email); e != "" {
			emails[e] = true
		}
	}
	for _, inv := range batch.Invoices {
		refs[strings.TrimSpace(inv.PayerRef)] = true
		numbers[strings.TrimSpace(inv.Number)] = true
	}
	l := &importLookup{
		payers:   make(map[string]domain.Payer, len(refs)),
		invoices: make(map[string]domain.Invoice, len(numbers)),
		owners:   make(map[string]uuid.UUID),
	}
	t.seenBefore, t.seen = t.seen, make(map[uuid.UUID]string, len(refs)+len(numbers))
	// Thousands of keys are a few percent of a large table: PostgreSQL
	// then plans a sequential scan, for each part of a streamed import
	// (a re-import of a million invoices took minutes). The lookups go
	// through the unique indexes, key by key, whatever the table's size.
	restore, err := t.avoidSeqScans(ctx)
	if err != nil {
		return nil, err
	}
	defer func() {
		if rerr := restore(); rerr != nil && err == nil {
			lookup, err = nil, rerr
		}
	}()

	if len(refs) > 0 {
		err := t.scanRows(ctx, "import: payers", importPayerSelect, func(rows *sql.Rows) error {
			p := domain.Payer{BillerID: billerID}
			var version string
			if err := rows.Scan(&p.ID, &p.ExternalRef, &p.Name, &p.Email, &version); err != nil {
				return err
			}
			l.payers[p.ExternalRef] = p
			t.seen[p.ID] = version
			return nil
		}, billerID, keys(refs))
		if err != nil {
			return nil, err
		}
	}
	if len(numbers) > 0 {
		var (
			issue, due date
			amount     sql.RawBytes
			lockedBy   uuid.NullUUID
			lockedTill sql.NullTime
			state      string
			version    string
		)
		read := 0
		each := func(rows *sql.Rows) error {
			read++
			inv := domain.Invoice{BillerID: billerID}
			if err := rows.Scan(&inv.ID, &inv.PayerID, &inv.Number, &issue, &due, &amount, &inv.Object, &inv.PDF,
				&state, &lockedBy, &lockedTill, &version); err != nil {
				return err
			}
			if !numbers[inv.Number] {
				return nil // between two of the part's numbers, not one of them
			}
			inv.State = domain.InvoiceState(state)
			var err error
			if inv.Amount, err = parseNumeric(amount); err != nil {
				return err
			}
			inv.IssueDate, inv.DueDate = domain.Date(issue), domain.Date(due)
			inv.LockedBy, inv.LockedUntil = idOf(lockedBy), timeOf(lockedTill)
			l.invoices[inv.Number] = inv
			t.seen[inv.ID] = version
			return nil
		}
		// A part's numbers usually follow each other (a billing software
		// numbers its invoices in order): the invoices from its first
		// number to its last, read in one stretch of the index, are then
		// few more than it names, and cost a third of finding each number
		// on its own. When they are too many (a part's numbers scattered
		// among the biller's others), each number is looked up.
		first, last := bounds(numbers)
		most := 2*len(numbers) + 100
		err := t.scanRows(ctx, "import: invoices", importInvoiceRange, each, billerID, first, last, most)
		if err == nil && read == most {
			clear(l.invoices)
			err = t.scanRows(ctx, "import: invoices", importInvoiceSelect, each, billerID, keys(numbers))
		}
		if err != nil {
			return nil, err
		}
	}
	if len(emails) > 0 {
		// An address is taken by a payer's record or by an account's
		// login (of an account not closed); the payer's record wins, as
		// in ports' own lookup.
		for _, from := range []string{"payer_id AS owner FROM accounts WHERE state <> 'closed' AND", "id AS owner FROM payers WHERE"} {
			err := t.scan(ctx, "import: owners of emails", `SELECT lower(email) AS email, `+from+`
biller_id = $1 AND email <> '' AND lower(email) = ANY($2::text[])`, func(rows *sqlx.Rows) error {
				var r struct {
					Email string    `db:"email"`
					Owner uuid.UUID `db:"owner"`
				}
				if err := rows.StructScan(&r); err != nil {
					return err
				}
				l.owners[r.Email] = r.Owner
				return nil
			}, billerID, keys(emails))
			if err != nil {
				return nil, err
			}
		}
	}
	return l, nil
}

// ReadOnly forbids the transaction any write from now on (ports.ReadOnlyTx):
// a dry run of an import reads and nothing else.
func (t *txn) ReadOnly(ctx context.Context) error {
	_, err := t.tx.ExecContext(ctx, "SET TRANSACTION READ ONLY")
	return mapErr(err, "read only")
}

// avoidSeqScans turns enable_seqscan off for the transaction and returns
// what sets it back as it was.
func (t *txn) avoidSeqScans(ctx context.Context) (restore func() error, err error) {
	var was string
	if err := t.tx.QueryRowxContext(ctx, "SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)").Scan(&was, new(string)); err != nil {
		return nil, mapErr(err, "import: enable_seqscan")
	}
	return func() error {
		_, err := t.tx.ExecContext(ctx, "SELECT set_config('enable_seqscan', $1, true)", was)
		return mapErr(err, "import: enable_seqscan")
	}, nil
}

// scan runs query and calls each for every row, without holding the
// result in memory.
func (t *txn) scan(ctx context.Context, what, query string, each func(*sqlx.Rows) error, args ...any) error {
	rows, err := t.tx.QueryxContext(ctx, query, args...)
	if err != nil {
		return mapErr(err, what)
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return mapErr(err, what)
		}
	}
	return mapErr(rows.Err(), what)
}

// scanRows is scan with database/sql's Scan, for the lookups that read a
// row per line of an import: sqlx's StructScan finds its fields by
// reflection, row after row.
func (t *txn) scanRows(ctx context.Context, what, query string, each func(*sql.Rows) error, args ...any) error {
	rows, err := t.tx.QueryContext(ctx, query, args...)
	if err != nil {
		return mapErr(err, what)
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return mapErr(err, what)
		}
	}
	return mapErr(rows.Err(), what)
}

// parseNumeric reads a NUMERIC's text, such as 243.11: as an integer and
// a scale when it has 18 digits at most, decimal's own parsing otherwise.
func parseNumeric(b []byte) (decimal.Decimal, error) {
	var n int64
	scale, digits, dot := 0, 0, false
	for i, c := range b {
		switch {
		case c >= '0' && c <= '9' && digits < 18:
			n = n*10 + int64(c-'0')
			digits++
			if dot {
				scale++
			}
		case c == '.' && !dot && i > 0:
			dot = true
		default:
			return decimal.NewFromString(string(b))
		}
	}
	if digits == 0 {
		return decimal.NewFromString(string(b))
	}
	return decimal.New(n, int32(-scale)), nil
}

// bounds returns the least and the greatest key of a set that is not
// empty, as Go compares strings.
func bounds(set map[string]bool) (first, last string) {
	started := false
	for k := range set {
		if !started || k < first {
			first = k
		}
		if !started || k > last {
			last = k
		}
		started = true
	}
	return first, last
}

func keys(set map[string]bool) pq.StringArray {
	out := make(pq.StringArray, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	return out
}

// What ApplyImport writes of an updated payer or invoice: what an import
// changes (domain.PlanImport), and nothing else. ImportLookup read only
// those columns, and the update applies only to a row still at the
// version it read, so the other columns are as they were.
var (
	importPayerUpdate   = cols("id", "name", "email", "updated_at")
	importInvoiceUpdate = cols("id", "issue_date", "due_date", "amount", "object", "pdf", "updated_at")
)

func importPayerArgs(p domain.Payer) []any {
	return []any{idArg(p.ID), p.Name, p.Email, p.UpdatedAt}
}

func importInvoiceArgs(inv domain.Invoice) []any {
	return []any{idArg(inv.ID), dateArg(inv.IssueDate), dateArg(inv.DueDate), amountArg(inv.Amount), inv.Object, inv.PDF, inv.UpdatedAt}
}

// ApplyImport saves a checked plan: the updated payers, the new payers,
// the updated invoices, then the new invoices, in that order so that a
// new invoice finds its payer.
func (t *txn) ApplyImport(ctx context.Context, plan domain.ImportPlan) error {
	steps := []struct {
		table   string
		columns columns
		n       int
		args    func(i int) []any
		update  func(i int) uuid.UUID // the id of an updated row, nil for new rows
	}{
		{"payers", importPayerUpdate, len(plan.UpdatedPayers),
			func(i int) []any { return importPayerArgs(plan.UpdatedPayers[i]) },
			func(i int) uuid.UUID { return plan.UpdatedPayers[i].ID }},
		{"payers", payerColumns, len(plan.NewPayers),
			func(i int) []any { return payerArgs(plan.NewPayers[i]) }, nil},
		{"invoices", importInvoiceUpdate, len(plan.UpdatedInvoices),
			func(i int) []any { return importInvoiceArgs(plan.UpdatedInvoices[i]) },
			func(i int) uuid.UUID { return plan.UpdatedInvoices[i].ID }},
		{"invoices", invoiceColumns, len(plan.NewInvoices),
			func(i int) []any { return invoiceArgs(plan.NewInvoices[i]) }, nil},
	}
	for i, s := range steps {
		if i == 2 && len(plan.NewInvoices)+len(plan.UpdatedInvoices) > 0 {
			// The invoices' foreign key is checked against payers row by
			// row, with a plan made from payers' statistics: refresh them
			// first if they are stale (after a large copy of payers, or
			// an analyze that ran before those rows were committed).
			if err := t.refreshStats(ctx, "payers", len(plan.NewInvoices)); err != nil {
				return err
			}
		}
		if s.n == 0 {
			continue
		}
		if s.update == nil {
			if err := t.copyRows(ctx, s.table, s.columns.names(), s.n, s.args); err != nil {
				return err
			}
			continue
		}
		if err := t.replaceRows(ctx, s.table, s.columns, s.n, s.args, s.update); err != nil {
			return err
		}
	}
	return nil
}

// ImportApplied refreshes the invoices' statistics after a large load
// (ports.ImportTx), for the queries that follow the commit (the invoice
// list, the back office's searches), before autovacuum gets to them.
func (t *txn) ImportApplied(ctx context.Context, invoicesCreated int) error {
	return t.refreshStats(ctx, "invoices", invoicesCreated)
}

// analyzeFrom is the number of rows a step of an import must check or
// add for the import to look after a table's statistics: below it, a
// plan made from stale statistics costs little.
const analyzeFrom = 1000

// refreshStats looks after table's statistics before an import checks
// rows rows against it (or after it added them). It locks them first:
// SHARE UPDATE EXCLUSIVE keeps autovacuum from analyzing the table until
// the import commits (an analyze then would not see the import's rows
// and would say the table is nearly empty, as it once did) and lets reads
// and writes go on; two large imports take turns here. It then runs
// ANALYZE, in the transaction, which counts the rows the transaction
// itself added, when the statistics are stale: never gathered, or fewer
// rows than the table holds by 20 % — the rows committed as the
// cumulative statistics count them plus those this transaction inserted,
// or PostgreSQL's own estimate from the table's size and the statistics'
// row density. The check reads counters, never the table.
func (t *txn) refreshStats(ctx context.Context, table string, rows int) error {
	if rows < analyzeFrom {
		return nil
	}
	what := "import: statistics of " + table
	if _, err := t.tx.ExecContext(ctx, "LOCK TABLE "+table+" IN SHARE UPDATE EXCLUSIVE MODE"); err != nil {
		return mapErr(err, what)
	}
	var stale bool
	err := t.tx.QueryRowxContext(ctx, `SELECT c.reltuples < 0 OR c.relpages = 0
	OR c.reltuples * 1.2 < pg_stat_get_live_tuples(c.oid) + pg_stat_get_xact_tuples_inserted(c.oid) - pg_stat_get_xact_tuples_deleted(c.oid)
	OR c.reltuples * 1.2 < c.reltuples / c.relpages * (pg_relation_size(c.oid) / current_setting('block_size')::int)
FROM pg_class c WHERE c.oid = $1::regclass`, table).Scan(&stale)
	if err != nil {
		return mapErr(err, what)
	}
	if !stale {
		return nil
	}
	_, err = t.tx.ExecContext(ctx, "ANALYZE "+table)
	return mapErr(err, what)
}

// copyRows copies n rows into table with COPY … FROM STDIN.
func (t *txn) copyRows(ctx context.Context, table, names string, n int, args func(i int) []any) error {
	what := "import: copy into " + table
	stmt, err := t.tx.PrepareContext(ctx, "COPY "+table+" ("+names+") FROM STDIN")
	if err != nil {
		return mapErr(err, what)
	}
	defer stmt.Close()
	for i := range n {
		if _, err := stmt.ExecContext(ctx, args(i)...); err != nil {
			return mapErr(err, what)
		}
	}
	// The empty Exec ends the copy and reports the server's errors.
	if _, err := stmt.ExecContext(ctx); err != nil {
		return mapErr(err, what)
	}
	return nil
}

// replaceRows replaces the columns cs of n rows of table: it copies them, with the version
// ImportLookup saw, into a temporary table and updates the rows still at
// that version. If any row changed meanwhile, the import fails.
func (t *txn) replaceRows(ctx context.Context, table string, cs columns, n int, args func(i int) []any, id func(i int) uuid.UUID) error {
	tmp := "import_" + table
	what := "import: update " + table
	for _, q := range []string{
		"DROP TABLE IF EXISTS pg_temp." + tmp,
		"CREATE TEMP TABLE " + tmp + " ON COMMIT DROP AS SELECT " + cs.names() + ", xmin::text AS row_version FROM " + table + " WITH NO DATA",
	} {
		if _, err := t.tx.ExecContext(ctx, q); err != nil {
			return mapErr(err, what)
		}
	}
	err := t.copyRows(ctx, tmp, cs.names()+", row_version", n, func(i int) []any {
		v, ok := t.seen[id(i)]
		if !ok {
			v, ok = t.seenBefore[id(i)]
		}
		if !ok {
			return append(args(i), nil) // never read: matches no row, so the import fails
		}
		return append(args(i), v)
	})
	if err != nil {
		return err
	}
	if _, err := t.tx.ExecContext(ctx, "ANALYZE "+tmp); err != nil {
		return mapErr(err, what)
	}
	res, err := t.tx.ExecContext(ctx, cs.updateFrom(table, tmp)+" AND t.xmin::text = s.row_version")
	if err != nil {
		return mapErr(err, what)
	}
	done, err := res.RowsAffected()
	if err != nil {
		return mapErr(err, what)
	}
	if done != int64(n) {
		return &domain.Error{Code: errImportRaced.Code, Message: errImportRaced.Message,
			Err: fmt.Errorf("postgres: import: %d of %d %s changed since they were read", int64(n)-done, n, table)}
	}
	return nil
}
