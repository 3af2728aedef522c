package postgres_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/postgres"
	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

// fillBackOffice saves billers billers, then with SQL (the store's path
// would take minutes) 2 000 payers with an account per biller, n
// payments of one invoice each spread over the accounts, and n audit
// events spread over the billers. References are not checked meanwhile
// (session_replication_role): the payments' invoices do not exist. One
// payment in 500 is paid and not confirmed, one in 1 000 has an
// anomaly; n/10 messages spread over the accounts. It returns the
// billers' ids.
func fillBackOffice(t testing.TB, db *postgres.DB, billers, n int) []uuid.UUID {
	t.Helper()
	ctx := t.Context()
	ids := make([]uuid.UUID, billers)
	list := make([]string, billers)
	for i := range ids {
		b := portstest.NewBiller(t)
		portstest.MustSaveBiller(t, db, b)
		ids[i], list[i] = b.ID, "'"+b.ID.String()+"'"
	}
	// One statement string without parameters: the simple protocol runs
	// it on one connection, SET included.
	require.NoError(t, db.Exec(ctx, fmt.Sprintf(`SET session_replication_role = replica;
INSERT INTO payers (id, biller_id, external_ref, name, email, paperless, created_at, updated_at)
SELECT gen_random_uuid(), b, 'P' || i, 'Redevable ' || i, 'p' || i || '@exemple.fr', false, now(), now()
FROM unnest(ARRAY[%[1]s]::uuid[]) AS b, generate_series(1, 2000) AS i;
INSERT INTO accounts (id, biller_id, payer_id, email, password_hash, state, created_at, updated_at)
SELECT gen_random_uuid(), biller_id, id, email, '', 'active', now(), now() FROM payers;
WITH acc AS (SELECT array_agg(id ORDER BY id) AS ids, array_agg(biller_id ORDER BY id) AS billers,
	array_agg(payer_id ORDER BY id) AS payers, count(*) AS n FROM accounts)
INSERT INTO payments (id, biller_id, payer_id, account_id, refdet, numcli, year,
	total, email, object, state, operation_id, authorization_code, method, confirmed, anomaly, last_code,
	created_at, updated_at)
SELECT gen_random_uuid(), a.billers[1 + i %% a.n], a.payers[1 + i %% a.n], a.ids[1 + i %% a.n], 'R' || i,
	'004200', 2025, 10, 'redevable@exemple.fr', 'Eau',
	CASE WHEN i %% 500 = 0 THEN 'paid' WHEN i %% 3 = 0 THEN 'abandoned' ELSE 'paid' END,
	'op' || i, '', 'card', i %% 500 <> 0, CASE WHEN i %% 1000 = 7 THEN 'Montant différent' ELSE '' END, '',
	timestamptz '2025-01-01' + i * interval '1 minute', timestamptz '2025-01-01' + i * interval '1 minute'
FROM generate_series(1, %[2]d) AS i, acc a;
INSERT INTO payment_invoices (payment_id, ord, invoice_id, invoice_number)
SELECT id, 1, gen_random_uuid(), 'F-' || refdet FROM payments;
WITH acc AS (SELECT array_agg(id ORDER BY id) AS ids, array_agg(biller_id ORDER BY id) AS billers,
	array_agg(payer_id ORDER BY id) AS payers, array_agg(email ORDER BY id) AS emails, count(*) AS n FROM accounts)
INSERT INTO messages (id, biller_id, payer_id, account_id, kind, from_email, subject, body, state, created_at, handled_at)
SELECT gen_random_uuid(), a.billers[1 + i %% a.n], a.payers[1 + i %% a.n], a.ids[1 + i %% a.n], 'contact',
	a.emails[1 + i %% a.n], 'Question ' || i, 'Bonjour', CASE WHEN i %% 10 = 0 THEN 'new' ELSE 'handled' END,
	timestamptz '2025-01-01' + i * interval '10 minutes', NULL
FROM generate_series(1, %[4]d) AS i, acc a;
INSERT INTO audit_events (id, biller_id, at, actor, actor_id, actor_label, action, target, detail, ip)
SELECT gen_random_uuid(), (ARRAY[%[1]s]::uuid[])[1 + i %% %[3]d], timestamptz '2025-01-01' + i * interval '1 minute',
	CASE WHEN i %% 4 = 0 THEN 'staff' ELSE 'citizen' END, NULL, 'redevable' || (i %% 5000) || '@exemple.fr',
	CASE WHEN i %% 4 = 0 THEN 'staff.login' ELSE 'citizen.login' END, 'F' || i, 'Connexion.', '192.0.2.1'
FROM generate_series(1, %[2]d) AS i;
RESET session_replication_role`, strings.Join(list, ", "), n, billers, max(n/10, 1))))
	require.NoError(t, db.Exec(ctx, "VACUUM ANALYZE"))
	return ids
}

// TestBackOfficeListsAreIndexScans shows that the back office's lists of
// payments and of the audit log (and the payers' search) read one biller's range of an index in
// the list's order, not the whole table, and that their filters on few
// rows (payments to confirm, anomalies, a prefix of actions) keep to an
// index too.
func TestBackOfficeListsAreIndexScans(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := t.Context()
	const billers, n = 10, 100_000
	start := time.Now()
	ids := fillBackOffice(t, db, billers, n)
	t.Logf("%d payments and %d audit events of %d billers inserted in %s", n, n, billers, time.Since(start).Round(time.Millisecond))
	b := ids[0]
	payers, err := db.QueryStrings(ctx, "SELECT payer_id::text FROM payments WHERE biller_id = $1 LIMIT 1", b)
	require.NoError(t, err)
	payer := uuid.MustParse(payers[0])

	for _, c := range []struct {
		name  string
		q     any
		index string
		// selective: the count reads few rows (those of a selective
		// filter, or up to CountUpTo), through an index; the others count
		// every row of the biller that matches.
		selective bool
	}{
		{"payments", ports.PaymentQuery{BillerID: b, Limit: 20}, "payments_biller_created_idx", false},
		{"payments, counted up to 10 000", ports.PaymentQuery{BillerID: b, Limit: 20, CountUpTo: 10_000}, "payments_biller_created_idx", true},
		{"payments, page 50", ports.PaymentQuery{BillerID: b, Offset: 1000, Limit: 20, CountUpTo: 10_000}, "payments_biller_created_idx", true},
		{"payments of a period", ports.PaymentQuery{BillerID: b, From: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC),
			Until: time.Date(2025, 3, 8, 0, 0, 0, 0, time.UTC), Limit: 20}, "payments_biller_created_idx", true},
		{"payments to confirm", ports.PaymentQuery{BillerID: b, Unconfirmed: true, Limit: 20}, "payments_unconfirmed_idx", true},
		{"anomalies", ports.PaymentQuery{BillerID: b, Anomaly: true, Limit: 20}, "payments_anomaly_idx", true},
		{"a payer's payments", ports.PaymentQuery{BillerID: b, PayerID: payer, Limit: 20}, "payments_payer_created_idx", true},
		{"audit log", ports.AuditQuery{BillerID: b, Limit: 50}, "audit_events_biller_at_idx", false},
		{"audit log, counted up to 10 000", ports.AuditQuery{BillerID: b, Limit: 50, CountUpTo: 10_000}, "audit_events_biller_at_idx", true},
		{"payers by the start of a name", ports.PayerSearch{BillerID: b, Text: "redevable 12", Limit: 20}, "payers_biller_", true},
		{"audit log of a period", ports.AuditQuery{BillerID: b, From: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC),
			Until: time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC), Limit: 50}, "audit_events_biller_at_idx", true},
		{"audit log of staff actions", ports.AuditQuery{BillerID: b, Action: "staff.", Limit: 50, CountUpTo: 10_000}, "audit_events_biller_at_idx", true},
		{"audit log by text", ports.AuditQuery{BillerID: b, Text: "redevable42@", Limit: 50}, "audit_events_biller_at_idx", false},
		{"messages", ports.MessageSearch{BillerID: b, Limit: 20}, "messages_biller_idx", false},
		{"a payer's messages", ports.MessageSearch{BillerID: b, PayerID: payer, Limit: 20}, "messages_payer_idx", true},
	} {
		page, pageArgs, count, countArgs := postgres.SearchSQL(c.q)
		plan, err := db.Explain(ctx, page, pageArgs...)
		require.NoError(t, err)
		t.Logf("EXPLAIN of the %s:\n%s", c.name, plan)
		assert.Contains(t, plan, c.index, c.name)
		assert.NotContains(t, plan, "Seq Scan", c.name)
		top := strings.SplitN(plan, "\n", 3)
		assert.NotContains(t, strings.Join(top[:2], "\n"), "Sort", "%s: the index gives the order", c.name)
		plan, err = db.Explain(ctx, count, countArgs...)
		require.NoError(t, err)
		t.Logf("EXPLAIN of the count of the %s:\n%s", c.name, plan)
		if c.selective {
			assert.NotContains(t, plan, "Seq Scan", "count of the %s", c.name)
		}
	}

	for _, c := range []struct {
		name string
		q    any
	}{
		{"payments", ports.PaymentQuery{BillerID: b, Limit: 20}},
		{"audit log", ports.AuditQuery{BillerID: b, Action: "citizen.", Limit: 50}},
	} {
		start := time.Now()
		var total int
		switch q := c.q.(type) {
		case ports.PaymentQuery:
			list, n, err := db.Payments(ctx, q)
			require.NoError(t, err)
			require.Len(t, list, 20)
			total = n
		case ports.AuditQuery:
			list, n, err := db.AuditEvents(ctx, q)
			require.NoError(t, err)
			require.Len(t, list, 50)
			total = n
		}
		t.Logf("first page of the %s with its count (%d): %s", c.name, total, time.Since(start).Round(time.Microsecond))
	}
}

// TestInvoiceSearchIsAnIndexScan shows that the back office's invoice
// search reads the start of one biller's range of an index in the list's
// order, whatever the state filter, and that its count bounded by
// CountUpTo stops early on an index, even when the biller's invoices are
// the last rows of the table.
func TestInvoiceSearchIsAnIndexScan(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := t.Context()
	start := time.Now()
	fillInvoices(t, db, 600, 60_000)
	b, ps := fillInvoices(t, db, 600, 60_000)
	require.NoError(t, db.Exec(ctx, "VACUUM ANALYZE invoices"))
	t.Logf("2 × 60 000 invoices of 2 billers copied in %s", time.Since(start).Round(time.Millisecond))
	const upTo = 10_000
	for _, c := range []struct {
		name  string
		q     ports.InvoiceSearch
		index string
		// sorts: the page sorts a few rows (one payer's, one number's).
		sorts bool
	}{
		{"invoices", ports.InvoiceSearch{BillerID: b.ID, Limit: 50, CountUpTo: upTo}, "invoices_biller_issue_idx", false},
		{"invoices, page 100", ports.InvoiceSearch{BillerID: b.ID, Offset: 4950, Limit: 50, CountUpTo: upTo}, "invoices_biller_issue_idx", false},
		{"paid invoices", ports.InvoiceSearch{BillerID: b.ID, States: []domain.InvoiceState{domain.InvoicePaid}, Limit: 50, CountUpTo: upTo}, "invoices_biller_issue_idx", false},
		{"unpaid or in treasury", ports.InvoiceSearch{BillerID: b.ID, States: []domain.InvoiceState{domain.InvoiceUnpaid, domain.InvoiceTreasury}, Limit: 50, CountUpTo: upTo}, "invoices_biller_issue_idx", false},
		{"an invoice by number", ports.InvoiceSearch{BillerID: b.ID, Number: "F000001234", Limit: 50, CountUpTo: upTo}, "invoices_biller_number_key", true},
		{"declared paid", ports.InvoiceSearch{BillerID: b.ID, Declared: true, Limit: 50, CountUpTo: upTo}, "invoices_declared_idx", false},
		{"a payer's invoices", ports.InvoiceSearch{BillerID: b.ID, PayerID: ps[42].ID, Limit: 20}, "invoices_payer_tab_idx", true},
	} {
		page, pageArgs, count, countArgs := postgres.SearchSQL(c.q)
		plan, err := db.Explain(ctx, page, pageArgs...)
		require.NoError(t, err)
		t.Logf("EXPLAIN of the %s:\n%s", c.name, plan)
		assert.Contains(t, plan, c.index, c.name)
		assert.NotContains(t, plan, "Seq Scan", c.name)
		if !c.sorts {
			top := strings.SplitN(plan, "\n", 3)
			assert.NotContains(t, strings.Join(top[:2], "\n"), "Sort", "%s: the index gives the order", c.name)
		}
		plan, err = db.Explain(ctx, count, countArgs...)
		require.NoError(t, err)
		t.Logf("EXPLAIN of the count of the %s:\n%s", c.name, plan)
		assert.NotContains(t, plan, "Seq Scan", "count of the %s", c.name)
	}
	list, total, err := db.SearchInvoices(ctx, ports.InvoiceSearch{BillerID: b.ID, Limit: 50, CountUpTo: upTo})
	require.NoError(t, err)
	assert.Len(t, list, 50)
	assert.Equal(t, upTo, total, "the count stops at CountUpTo")
}
