package postgres

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

var (
	paymentColumns = cols("id", "biller_id", "payer_id", "account_id", "refdet", "numcli", "year", "total",
		"email", "object", "state", "operation_id", "authorization_code", "transaction_at", "method",
		"confirmed", "abandon_reported_at", "anomaly", "last_code", "created_at", "updated_at", "finished_at",
		"saisie", "reported_saisie", "locked_until")

	// paymentSelect reads a payment with its invoices, in order.
	paymentSelect = "SELECT " + paymentColumns.names() + `,
	ARRAY(SELECT invoice_id::text FROM payment_invoices pi WHERE pi.payment_id = payments.id ORDER BY ord) AS invoice_ids,
	ARRAY(SELECT invoice_number FROM payment_invoices pi WHERE pi.payment_id = payments.id ORDER BY ord) AS invoice_numbers
FROM payments`

	// paymentSave writes a payment and its invoices in one statement, so
	// that it needs no transaction of its own. The invoices' rows are
	// rewritten only where they changed: an attempt's invoices never
	// change after it began, and a payment is saved at each step.
	paymentSave = "WITH " + paymentSaveParts + "\n" + paymentLinksSave
	// paymentSaveParts are paymentSave's common table expressions, which
	// paymentStepSQL writes along with others.
	paymentSaveParts = `saved AS (` + paymentColumns.upsert("payments") + `),
gone AS (
	DELETE FROM payment_invoices WHERE payment_id = $1 AND ord > cardinality($` + strconv.Itoa(len(paymentColumns)+1) + `::uuid[])
),
links AS (
	SELECT $1::uuid AS payment_id, u.ord, u.invoice_id, u.invoice_number
	FROM unnest($` + strconv.Itoa(len(paymentColumns)+1) + `::uuid[], $` + strconv.Itoa(len(paymentColumns)+2) + `::text[])
		WITH ORDINALITY AS u(invoice_id, invoice_number, ord)
)`
	// paymentLinksSave writes the payment's invoices (links), rewriting
	// a row only where it changed.
	paymentLinksSave = `INSERT INTO payment_invoices (payment_id, ord, invoice_id, invoice_number) SELECT * FROM links
ON CONFLICT (payment_id, ord) DO UPDATE
	SET invoice_id = EXCLUDED.invoice_id, invoice_number = EXCLUDED.invoice_number
	WHERE (payment_invoices.invoice_id, payment_invoices.invoice_number)
		IS DISTINCT FROM (EXCLUDED.invoice_id, EXCLUDED.invoice_number)`

	livePaymentsSQL = paymentSelect + `
WHERE state IN ('created', 'in_progress')
ORDER BY created_at, id
LIMIT $1`

	// heldPaymentsSQL and endedUnpaidPaymentsSQL read the partial indexes
	// payments_held_idx and payments_ended_unpaid_idx: their WHERE
	// clauses repeat the indexes' predicates.
	heldPaymentsSQL = paymentSelect + `
WHERE state IN ('abandoned', 'expired') AND operation_id <> '' AND saisie <> 'T'
	AND locked_until > $1
ORDER BY locked_until, id
LIMIT $2`
	endedUnpaidPaymentsSQL = paymentSelect + `
WHERE state IN ('refused', 'abandoned', 'expired') AND operation_id <> '' AND saisie <> 'T'
	AND finished_at >= $1
ORDER BY finished_at, id
LIMIT $2`
)

type paymentRow struct {
	ID                uuid.UUID       `db:"id"`
	BillerID          uuid.UUID       `db:"biller_id"`
	PayerID           uuid.UUID       `db:"payer_id"`
	AccountID         uuid.UUID       `db:"account_id"`
	Refdet            string          `db:"refdet"`
	Numcli            string          `db:"numcli"`
	Year              int             `db:"year"`
	Total             decimal.Decimal `db:"total"`
	Email             string          `db:"email"`
	Object            string          `db:"object"`
	State             string          `db:"state"`
	OperationID       string          `db:"operation_id"`
	Authorization     string          `db:"authorization_code"`
	TransactionAt     sql.NullTime    `db:"transaction_at"`
	Method            string          `db:"method"`
	Confirmed         bool            `db:"confirmed"`
	AbandonReportedAt sql.NullTime    `db:"abandon_reported_at"`
	Anomaly           string          `db:"anomaly"`
	LastCode          string          `db:"last_code"`
	CreatedAt         time.Time       `db:"created_at"`
	UpdatedAt         time.Time       `db:"updated_at"`
	FinishedAt        sql.NullTime    `db:"finished_at"`
	Saisie            string          `db:"saisie"`
	ReportedSaisie    string          `db:"reported_saisie"`
	LockedUntil       sql.NullTime    `db:"locked_until"`
	InvoiceIDs        pq.StringArray  `db:"invoice_ids"`
	InvoiceNumbers    pq.StringArray  `db:"invoice_numbers"`
}

func (r paymentRow) payment() (domain.Payment, error) {
	p := domain.Payment{
		ID: r.ID, BillerID: r.BillerID, PayerID: r.PayerID, AccountID: r.AccountID,
		Refdet: r.Refdet, Numcli: r.Numcli, Year: r.Year, Total: r.Total, Email: r.Email, Object: r.Object,
		State: domain.PaymentState(r.State), OperationID: r.OperationID, Authorization: r.Authorization,
		TransactionAt: timeOf(r.TransactionAt), Method: domain.PaymentMethod(r.Method), Confirmed: r.Confirmed,
		AbandonReportedAt: timeOf(r.AbandonReportedAt), Anomaly: r.Anomaly, LastCode: r.LastCode,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, FinishedAt: timeOf(r.FinishedAt),
		Saisie: domain.Saisie(r.Saisie), ReportedSaisie: domain.Saisie(r.ReportedSaisie), LockedUntil: timeOf(r.LockedUntil),
	}
	if len(r.InvoiceIDs) > 0 {
		p.InvoiceIDs = make([]uuid.UUID, len(r.InvoiceIDs))
		for i, s := range r.InvoiceIDs {
			id, err := uuid.Parse(s)
			if err != nil {
				return domain.Payment{}, mapErr(err, "payment invoice id")
			}
			p.InvoiceIDs[i] = id
		}
	}
	if len(r.InvoiceNumbers) > 0 {
		p.InvoiceNumbers = []string(r.InvoiceNumbers)
	}
	return p, nil
}

func paymentArgs(p domain.Payment) []any {
	return []any{p.ID, p.BillerID, p.PayerID, p.AccountID, p.Refdet, p.Numcli, p.Year, amountArg(p.Total),
		p.Email, p.Object, string(p.State), p.OperationID, p.Authorization, nullTime(p.TransactionAt),
		string(p.Method), p.Confirmed, nullTime(p.AbandonReportedAt), p.Anomaly, p.LastCode,
		p.CreatedAt, p.UpdatedAt, nullTime(p.FinishedAt),
		string(p.Saisie), string(p.ReportedSaisie), nullTime(p.LockedUntil),
		idArray(p.InvoiceIDs), pq.StringArray(p.InvoiceNumbers)}
}

func (s *queries) payment(ctx context.Context, what, where string, args ...any) (domain.Payment, error) {
	var r paymentRow
	if err := s.get(ctx, &r, what, paymentSelect+" WHERE "+where, args...); err != nil {
		return domain.Payment{}, err
	}
	return r.payment()
}

// Payment returns the payment with id.
func (s *queries) Payment(ctx context.Context, id uuid.UUID) (domain.Payment, error) {
	return s.payment(ctx, "payment "+id.String(), "id = $1", id)
}

// PaymentForUpdate returns the payment with id, locked until the
// transaction ends. Outside Atomic it is a plain read.
func (s *queries) PaymentForUpdate(ctx context.Context, id uuid.UUID) (domain.Payment, error) {
	return s.payment(ctx, "payment "+id.String(), "id = $1 FOR UPDATE OF payments", id)
}

// PaymentByRefdet returns the payment with the debt reference refdet.
func (s *queries) PaymentByRefdet(ctx context.Context, refdet string) (domain.Payment, error) {
	return s.payment(ctx, "payment by refdet", "refdet = $1", refdet)
}

// PaymentByOperation returns the payment with the gateway's operation id.
func (s *queries) PaymentByOperation(ctx context.Context, operationID string) (domain.Payment, error) {
	if operationID == "" {
		return domain.Payment{}, notFound("payment with an empty operation id")
	}
	return s.payment(ctx, "payment by operation", "operation_id = $1", operationID)
}

// LivePayments returns up to limit created or in-progress payments,
// oldest first.
func (s *queries) LivePayments(ctx context.Context, limit int) ([]domain.Payment, error) {
	return s.payments(ctx, "live payments", livePaymentsSQL, limitOf(limit))
}

// HeldPayments returns up to limit attempts that ended unpaid but still
// hold their invoices at at, with an operation id, by end of hold then id.
func (s *queries) HeldPayments(ctx context.Context, at time.Time, limit int) ([]domain.Payment, error) {
	return s.payments(ctx, "held payments", heldPaymentsSQL, at, limitOf(limit))
}

// EndedUnpaidPayments returns up to limit attempts with an operation id,
// outside the test environment, that ended refused, abandoned or expired
// at or after since, by end then id.
func (s *queries) EndedUnpaidPayments(ctx context.Context, since time.Time, limit int) ([]domain.Payment, error) {
	return s.payments(ctx, "ended unpaid payments", endedUnpaidPaymentsSQL, since, limitOf(limit))
}

func (s *queries) payments(ctx context.Context, what, query string, args ...any) ([]domain.Payment, error) {
	var rows []paymentRow
	if err := s.list(ctx, &rows, what, query, args...); err != nil {
		return nil, err
	}
	out := make([]domain.Payment, len(rows))
	for i, r := range rows {
		p, err := r.payment()
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

// paymentStepTexts holds the texts of paymentStepSQL, by invoice count
// and event.
var paymentStepTexts sync.Map // paymentStepKey -> string

type paymentStepKey struct {
	invoices, mails int
	event, was      bool
}

// paymentStepSQL is SavePaymentStep's one statement for n invoices, with
// or without an event: paymentSave, each invoice's upsert and the
// event's append (paymentEventAppend) as common table expressions. Its
// parameters: the payment's ($1…), the event's, then each invoice's.
func paymentStepSQL(n, mails int, event, was bool) string {
	key := paymentStepKey{n, mails, event, was}
	if q, ok := paymentStepTexts.Load(key); ok {
		return q.(string)
	}
	next := len(paymentColumns) + 3
	param := func() string {
		p := "$" + strconv.Itoa(next)
		next++
		return p
	}
	parts := paymentSaveParts
	cond := ""
	if was {
		// The payment is written only if it is still as it was read; the
		// rest only if it was written.
		state, updated := param(), param()
		parts = mustReplace(parts, "),\ngone AS (", " WHERE payments.state = "+state+"::text AND payments.updated_at = "+updated+"::timestamptz RETURNING 1),\ngone AS (")
		parts = mustReplace(parts, "::uuid[])\n),", "::uuid[]) AND EXISTS (SELECT FROM saved)\n),")
		parts = mustReplace(parts, "u(invoice_id, invoice_number, ord)\n)", "u(invoice_id, invoice_number, ord)\n\tWHERE EXISTS (SELECT FROM saved)\n)")
		cond = "EXISTS (SELECT FROM saved) AND "
	}
	var b strings.Builder
	b.WriteString("WITH " + parts + ",\nlinked AS (" + paymentLinksSave + ")")
	if event {
		id, biller, at, state, code, detail := param(), param(), param(), param(), param(), param()
		b.WriteString(`,
last AS (
	SELECT at, state, code, detail FROM payment_events WHERE payment_id = $1 ORDER BY at DESC, id DESC LIMIT 1
),
event AS (
	INSERT INTO payment_events (id, payment_id, biller_id, at, state, code, detail)
	SELECT ` + id + `::uuid, $1::uuid, ` + biller + `::uuid, GREATEST(` + at + `::timestamptz, (SELECT at + interval '1 microsecond' FROM last)), ` +
			state + `::text, ` + code + `::text, ` + detail + `::text
	WHERE ` + cond + `NOT EXISTS (SELECT FROM last WHERE state = ` + state + ` AND code = ` + code + ` AND detail = ` + detail + `)
	RETURNING 1
)`)
	}
	for i := range n {
		values := make([]string, len(invoiceColumns))
		for j := range values {
			values[j] = param()
		}
		b.WriteString(",\ninvoice" + strconv.Itoa(i) + " AS (INSERT INTO invoices (" + invoiceColumns.names() + ") VALUES (" +
			strings.Join(values, ", ") + ") ON CONFLICT (id) DO UPDATE SET " + invoiceSet + ")")
	}
	for i := range mails {
		values := make([]string, outboxColumnCount)
		for j := range values {
			values[j] = param()
		}
		b.WriteString(",\nmail" + strconv.Itoa(i) + " AS (INSERT INTO outbox (" + outboxColumns + ") VALUES (" + strings.Join(values, ", ") + "))")
	}
	saved, added := "true", "false"
	if was {
		saved = "EXISTS (SELECT FROM saved)"
	}
	if event {
		added = "EXISTS (SELECT FROM event)"
	}
	b.WriteString("\nSELECT " + saved + " AS saved, " + added + " AS added")
	q, _ := paymentStepTexts.LoadOrStore(key, b.String())
	return q.(string)
}

// mustReplace replaces old in s once, and panics if s has no old: a
// statement text built from another must follow its changes.
func mustReplace(s, old, new string) string {
	if !strings.Contains(s, old) {
		panic("postgres: statement text without " + strconv.Quote(old))
	}
	return strings.Replace(s, old, new, 1)
}

// SavePaymentStep writes a payment, the invoices its step changed and
// the step's event in one statement (paymentStepSQL), so that a step
// needs one round trip and no transaction of its own.
func (s *queries) SavePaymentStep(ctx context.Context, st ports.PaymentStep) (bool, error) {
	args := paymentArgs(st.Payment)
	if was := st.Was; was != nil {
		if len(st.Invoices) > 0 || len(st.Mails) > 0 {
			return false, domain.WrapInternal(errors.New("postgres: a payment step with Was carries no invoices or mails"))
		}
		args = append(args, string(was.State), was.UpdatedAt)
	}
	if e := st.Event; e != nil {
		args = append(args, e.ID, e.BillerID, e.At, string(e.State), e.Code, e.Detail)
	}
	for _, inv := range st.Invoices {
		args = append(args, invoiceArgs(inv)...)
	}
	for _, m := range st.Mails {
		margs, err := outboxArgs(m)
		if err != nil {
			return false, domain.WrapInternal(err)
		}
		args = append(args, margs...)
	}
	var r struct {
		Saved bool `db:"saved"`
		Added bool `db:"added"`
	}
	q := paymentStepSQL(len(st.Invoices), len(st.Mails), st.Event != nil, st.Was != nil)
	if err := s.get(ctx, &r, "save payment step", q, args...); err != nil {
		return false, err
	}
	if !r.Saved {
		return false, ports.ErrPaymentChanged
	}
	return r.Added, nil
}

// SavePayment inserts or replaces p with its invoices; Conflict when
// another payment has its refdet or operation id.
func (s *queries) SavePayment(ctx context.Context, p domain.Payment) error {
	_, err := s.exec(ctx, "save payment", paymentSave, paymentArgs(p)...)
	return err
}

var (
	messageColumns = cols("id", "biller_id", "payer_id", "account_id", "kind", "from_email", "subject",
		"body", "state", "created_at", "handled_at")
	messageUpsert = messageColumns.upsert("messages")
	messageSelect = "SELECT " + messageColumns.names() + " FROM messages"
	messagesSQL   = messageSelect + `
WHERE biller_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`
)

type messageRow struct {
	ID        uuid.UUID    `db:"id"`
	BillerID  uuid.UUID    `db:"biller_id"`
	PayerID   uuid.UUID    `db:"payer_id"`
	AccountID uuid.UUID    `db:"account_id"`
	Kind      string       `db:"kind"`
	FromEmail string       `db:"from_email"`
	Subject   string       `db:"subject"`
	Body      string       `db:"body"`
	State     string       `db:"state"`
	CreatedAt time.Time    `db:"created_at"`
	HandledAt sql.NullTime `db:"handled_at"`
}

// SaveMessage inserts or replaces m.
func (s *queries) SaveMessage(ctx context.Context, m domain.Message) error {
	_, err := s.exec(ctx, "save message", messageUpsert, m.ID, m.BillerID, m.PayerID, m.AccountID,
		string(m.Kind), m.FromEmail, m.Subject, m.Body, string(m.State), m.CreatedAt, nullTime(m.HandledAt))
	return err
}

// Messages returns up to limit of the biller's messages, newest first.
func (s *queries) Messages(ctx context.Context, billerID uuid.UUID, limit int) ([]domain.Message, error) {
	var rows []messageRow
	if err := s.list(ctx, &rows, "messages", messagesSQL, billerID, limitOf(limit)); err != nil {
		return nil, err
	}
	out := make([]domain.Message, len(rows))
	for i, r := range rows {
		out[i] = r.message()
	}
	return out, nil
}

func (r messageRow) message() domain.Message {
	return domain.Message{
		ID: r.ID, BillerID: r.BillerID, PayerID: r.PayerID, AccountID: r.AccountID,
		Kind: domain.MessageKind(r.Kind), FromEmail: r.FromEmail, Subject: r.Subject, Body: r.Body,
		State: domain.MessageState(r.State), CreatedAt: r.CreatedAt, HandledAt: timeOf(r.HandledAt),
	}
}
