package memory

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The back office's records: few, or read by biller, so lookups scan a
// biller's rows where no index is kept.
type backOffice struct {
	staff         table[uuid.UUID, domain.Staff]
	staffTokens   table[string, domain.Token]
	tokensByStaff map[uuid.UUID]set[string]
	apiKeys       table[uuid.UUID, domain.APIKey]
	audit         table[uuid.UUID, domain.AuditEvent]
	auditByBiller map[uuid.UUID]set[uuid.UUID]
	documents     table[scoped, domain.Document]
	paymentEvents table[uuid.UUID, domain.PaymentEvent]
	eventsByPay   map[uuid.UUID]set[uuid.UUID]
	runs          table[string, time.Time]
}

func (b *backOffice) init() {
	b.staff = newTable[uuid.UUID](func(domain.Staff) {}, func(domain.Staff) {})
	b.tokensByStaff = make(map[uuid.UUID]set[string])
	b.staffTokens = newTable[string](
		func(tok domain.Token) { addTo(b.tokensByStaff, tok.AccountID, tok.Hash) },
		func(tok domain.Token) { removeFrom(b.tokensByStaff, tok.AccountID, tok.Hash) })
	b.apiKeys = newTable[uuid.UUID](func(domain.APIKey) {}, func(domain.APIKey) {})
	b.auditByBiller = make(map[uuid.UUID]set[uuid.UUID])
	b.audit = newTable[uuid.UUID](
		func(e domain.AuditEvent) { addTo(b.auditByBiller, e.BillerID, e.ID) },
		func(e domain.AuditEvent) { removeFrom(b.auditByBiller, e.BillerID, e.ID) })
	b.documents = newTable[scoped](func(domain.Document) {}, func(domain.Document) {})
	b.eventsByPay = make(map[uuid.UUID]set[uuid.UUID])
	b.paymentEvents = newTable[uuid.UUID](
		func(e domain.PaymentEvent) { addTo(b.eventsByPay, e.PaymentID, e.ID) },
		func(e domain.PaymentEvent) { removeFrom(b.eventsByPay, e.PaymentID, e.ID) })
	b.runs = newTable[string](func(time.Time) {}, func(time.Time) {})
}

// BillerByHost returns the biller serving host.
func (t *tx) BillerByHost(_ context.Context, host string) (domain.Biller, error) {
	t, done, err := t.reading()
	if err != nil {
		return domain.Biller{}, err
	}
	defer done()
	if host != "" {
		for _, b := range t.t.billers.rows {
			if slices.Contains(b.Hosts, host) {
				return cloneBiller(b), nil
			}
		}
	}
	return domain.Biller{}, notFound("biller of host %q", host)
}

// cloneBiller copies the slices of b (see TestCloneCoversEveryReferenceField).
func cloneBiller(b domain.Biller) domain.Biller {
	b.Hosts = slices.Clone(b.Hosts)
	return b
}

// hostTaken returns the id of another biller with one of b's hosts.
func (t *tx) hostTaken(b domain.Biller) (string, bool) {
	for _, other := range t.t.billers.rows {
		if other.ID == b.ID {
			continue
		}
		for _, h := range b.Hosts {
			if slices.Contains(other.Hosts, h) {
				return h, true
			}
		}
	}
	return "", false
}

// Staff returns the staff member with id.
func (t *tx) Staff(_ context.Context, id uuid.UUID) (domain.Staff, error) {
	t, done, err := t.reading()
	if err != nil {
		return domain.Staff{}, err
	}
	defer done()
	s, ok := t.t.bo.staff.rows[id]
	if !ok {
		return s, notFound("staff %s", id)
	}
	return s, nil
}

// StaffByEmail returns the biller's staff member with the address email.
func (t *tx) StaffByEmail(_ context.Context, billerID uuid.UUID, email string) (domain.Staff, error) {
	t, done, err := t.reading()
	if err != nil {
		return domain.Staff{}, err
	}
	defer done()
	key := emailKey(email)
	for _, s := range t.t.bo.staff.rows {
		if s.BillerID == billerID && s.Email == key && key != "" {
			return s, nil
		}
	}
	return domain.Staff{}, notFound("staff with this email in biller %s", billerID)
}

// StaffMembers lists the biller's staff by email.
func (t *tx) StaffMembers(_ context.Context, billerID uuid.UUID) ([]domain.Staff, error) {
	t, done, err := t.reading()
	if err != nil {
		return nil, err
	}
	defer done()
	out := []domain.Staff{}
	for _, s := range t.t.bo.staff.rows {
		if s.BillerID == billerID {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b domain.Staff) int { return cmp.Or(cmp.Compare(a.Email, b.Email), compareIDs(a.ID, b.ID)) })
	return out, nil
}

// SaveStaff inserts or replaces st.
func (t *tx) SaveStaff(ctx context.Context, s domain.Staff) (err error) {
	t, done, err := t.writing(ctx)
	if err != nil {
		return err
	}
	defer done(&err)
	for _, other := range t.t.bo.staff.rows {
		if other.ID != s.ID && other.BillerID == s.BillerID && other.Email == emailKey(s.Email) {
			return conflict("email", "Un autre agent de ce service a déjà l'adresse "+s.Email+".", "staff %s has this email", other.ID)
		}
	}
	t.journal(t.t.bo.staff.put(s.ID, s))
	return nil
}

// APIKeyByHash returns the key whose secret has this hash.
func (t *tx) APIKeyByHash(_ context.Context, hash string) (domain.APIKey, error) {
	t, done, err := t.reading()
	if err != nil {
		return domain.APIKey{}, err
	}
	defer done()
	for _, k := range t.t.bo.apiKeys.rows {
		if k.Hash == hash && hash != "" {
			return k, nil
		}
	}
	return domain.APIKey{}, notFound("API key")
}

// APIKeyByNonce returns the biller's key made by the form whose nonce
// has this hash.
func (t *tx) APIKeyByNonce(_ context.Context, billerID uuid.UUID, nonceHash string) (domain.APIKey, error) {
	t, done, err := t.reading()
	if err != nil {
		return domain.APIKey{}, err
	}
	defer done()
	for _, k := range t.t.bo.apiKeys.rows {
		if k.BillerID == billerID && k.NonceHash == nonceHash && nonceHash != "" {
			return k, nil
		}
	}
	return domain.APIKey{}, notFound("API key by nonce")
}

// APIKey returns the key with id.
func (t *tx) APIKey(_ context.Context, id uuid.UUID) (domain.APIKey, error) {
	t, done, err := t.reading()
	if err != nil {
		return domain.APIKey{}, err
	}
	defer done()
	k, ok := t.t.bo.apiKeys.rows[id]
	if !ok {
		return k, notFound("API key %s", id)
	}
	return k, nil
}

// APIKeys lists the biller's keys, oldest first.
func (t *tx) APIKeys(_ context.Context, billerID uuid.UUID) ([]domain.APIKey, error) {
	t, done, err := t.reading()
	if err != nil {
		return nil, err
	}
	defer done()
	out := []domain.APIKey{}
	for _, k := range t.t.bo.apiKeys.rows {
		if k.BillerID == billerID {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b domain.APIKey) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), compareIDs(a.ID, b.ID))
	})
	return out, nil
}

// SaveAPIKey inserts or replaces k.
func (t *tx) SaveAPIKey(ctx context.Context, k domain.APIKey) (err error) {
	t, done, err := t.writing(ctx)
	if err != nil {
		return err
	}
	defer done(&err)
	for _, other := range t.t.bo.apiKeys.rows {
		if other.ID != k.ID && other.Hash == k.Hash {
			return conflict("", errEnded.Message, "API key %s has this hash", other.ID)
		}
		if other.ID != k.ID && other.BillerID == k.BillerID && other.NonceHash == k.NonceHash && k.NonceHash != "" {
			return conflict("", domain.ErrAPIKeyAlreadyCreated.Message, "API key %s has this nonce", other.ID)
		}
	}
	t.journal(t.t.bo.apiKeys.put(k.ID, k))
	return nil
}

// AppendAudit adds e to the audit log.
func (t *tx) AppendAudit(ctx context.Context, e domain.AuditEvent) (err error) {
	t, done, err := t.writing(ctx)
	if err != nil {
		return err
	}
	defer done(&err)
	if _, ok := t.t.bo.audit.rows[e.ID]; ok {
		return conflict("", errEnded.Message, "audit event %s exists", e.ID)
	}
	t.journal(t.t.bo.audit.put(e.ID, e))
	return nil
}

// AuditEvents returns one page of the audit log.
func (t *tx) AuditEvents(_ context.Context, q ports.AuditQuery) ([]domain.AuditEvent, int, error) {
	t, done, err := t.reading()
	if err != nil {
		return nil, 0, err
	}
	defer done()
	text := strings.ToLower(q.Text)
	out := []domain.AuditEvent{}
	for id := range t.t.bo.auditByBiller[q.BillerID] {
		e := t.t.bo.audit.rows[id]
		switch {
		case q.Actor != "" && e.Actor != q.Actor,
			q.ActorID != uuid.Nil && e.ActorID != q.ActorID,
			q.Action != "" && !matchAction(e.Action, q.Action),
			!q.From.IsZero() && e.At.Before(q.From),
			!q.Until.IsZero() && !e.At.Before(q.Until),
			text != "" && !strings.Contains(strings.ToLower(e.ActorLabel), text) && !strings.Contains(strings.ToLower(e.Target), text):
			continue
		}
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b domain.AuditEvent) int { return cmp.Or(b.At.Compare(a.At), compareIDs(b.ID, a.ID)) })
	return page(out, q.Offset, q.Limit), upTo(len(out), q.CountUpTo), nil
}

// upTo is a count n bounded by bound when bound is positive
// (AuditQuery.CountUpTo).
func upTo(n, bound int) int {
	if bound > 0 {
		return min(n, bound)
	}
	return n
}

// matchAction matches an action exactly, or under a prefix ending in ".".
func matchAction(a, want domain.AuditAction) bool {
	if strings.HasSuffix(string(want), ".") {
		return strings.HasPrefix(string(a), string(want))
	}
	return a == want
}

// Document returns a biller's document by name.
func (t *tx) Document(_ context.Context, billerID uuid.UUID, name string) (domain.Document, error) {
	t, done, err := t.reading()
	if err != nil {
		return domain.Document{}, err
	}
	defer done()
	d, ok := t.t.bo.documents.rows[scoped{billerID, name}]
	if !ok {
		return d, notFound("document %q of biller %s", name, billerID)
	}
	d.Data = slices.Clone(d.Data)
	return d, nil
}

// DocumentInfo describes a biller's document by name.
func (t *tx) DocumentInfo(_ context.Context, billerID uuid.UUID, name string) (ports.DocumentInfo, error) {
	t, done, err := t.reading()
	if err != nil {
		return ports.DocumentInfo{}, err
	}
	defer done()
	d, ok := t.t.bo.documents.rows[scoped{billerID, name}]
	if !ok {
		return ports.DocumentInfo{}, notFound("document %q of biller %s", name, billerID)
	}
	return ports.DocumentInfo{Name: d.Name, SHA256: d.SHA256, Size: len(d.Data), CreatedAt: d.CreatedAt}, nil
}

// SaveDocument inserts or replaces d.
func (t *tx) SaveDocument(ctx context.Context, d domain.Document) (err error) {
	t, done, err := t.writing(ctx)
	if err != nil {
		return err
	}
	defer done(&err)
	d.Data = slices.Clone(d.Data)
	t.journal(t.t.bo.documents.put(scoped{d.BillerID, d.Name}, d))
	return nil
}

// SavePaymentEvent appends e to its payment's timeline.
func (t *tx) SavePaymentEvent(ctx context.Context, e domain.PaymentEvent) (err error) {
	t, done, err := t.writing(ctx)
	if err != nil {
		return err
	}
	defer done(&err)
	t.journal(t.t.bo.paymentEvents.put(e.ID, e))
	return nil
}

// AppendPaymentEvent appends e unless it repeats the timeline's last
// step, after that step.
func (t *tx) AppendPaymentEvent(ctx context.Context, e domain.PaymentEvent) (added bool, err error) {
	t, done, err := t.writing(ctx)
	if err != nil {
		return false, err
	}
	defer done(&err)
	var last domain.PaymentEvent
	found := false
	for id := range t.t.bo.eventsByPay[e.PaymentID] {
		ev := t.t.bo.paymentEvents.rows[id]
		if !found || cmp.Or(ev.At.Compare(last.At), compareIDs(ev.ID, last.ID)) > 0 {
			last, found = ev, true
		}
	}
	if found {
		if last.State == e.State && last.Code == e.Code && last.Detail == e.Detail {
			return false, nil
		}
		if !e.At.After(last.At) {
			e.At = last.At.Add(time.Microsecond)
		}
	}
	t.journal(t.t.bo.paymentEvents.put(e.ID, e))
	return true, nil
}

// PaymentEvents returns a payment's timeline.
func (t *tx) PaymentEvents(_ context.Context, paymentID uuid.UUID) ([]domain.PaymentEvent, error) {
	t, done, err := t.reading()
	if err != nil {
		return nil, err
	}
	defer done()
	out := []domain.PaymentEvent{}
	for id := range t.t.bo.eventsByPay[paymentID] {
		out = append(out, t.t.bo.paymentEvents.rows[id])
	}
	slices.SortFunc(out, func(a, b domain.PaymentEvent) int { return cmp.Or(a.At.Compare(b.At), compareIDs(a.ID, b.ID)) })
	return out, nil
}

// Payments returns one page of a biller's payments.
func (t *tx) Payments(_ context.Context, q ports.PaymentQuery) ([]domain.Payment, int, error) {
	t, done, err := t.reading()
	if err != nil {
		return nil, 0, err
	}
	defer done()
	out := []domain.Payment{}
	for _, p := range t.t.payments.rows {
		if paymentMatches(p, q) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b domain.Payment) int { return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), compareIDs(b.ID, a.ID)) })
	total := len(out)
	out = page(out, q.Offset, q.Limit)
	for i := range out {
		out[i] = clonePayment(out[i])
	}
	return out, upTo(total, q.CountUpTo), nil
}

// paymentMatches reports whether p is one of the payments q selects.
func paymentMatches(p domain.Payment, q ports.PaymentQuery) bool {
	switch {
	case p.BillerID != q.BillerID,
		!q.From.IsZero() && p.CreatedAt.Before(q.From),
		!q.Until.IsZero() && !p.CreatedAt.Before(q.Until),
		len(q.States) > 0 && !slices.Contains(q.States, p.State),
		q.PayerID != uuid.Nil && p.PayerID != q.PayerID,
		q.Refdet != "" && p.Refdet != q.Refdet,
		q.Unconfirmed && (p.State != domain.PaymentPaid || p.Confirmed),
		q.Confirmed && !p.Confirmed,
		q.Anomaly && p.Anomaly == "":
		return false
	}
	return true
}

// SearchInvoices returns one page of a biller's invoices.
func (t *tx) SearchInvoices(_ context.Context, q ports.InvoiceSearch) ([]domain.Invoice, int, error) {
	t, done, err := t.reading()
	if err != nil {
		return nil, 0, err
	}
	defer done()
	var ids []uuid.UUID
	switch {
	case q.PayerID != uuid.Nil:
		for id := range t.t.invoicesByPayer[q.PayerID] {
			ids = append(ids, id)
		}
	case q.Number != "":
		if id, ok := t.t.invoiceByNumber[scoped{q.BillerID, q.Number}]; ok {
			ids = append(ids, id)
		}
	default:
		for id, inv := range t.t.invoices.rows {
			if inv.BillerID == q.BillerID {
				ids = append(ids, id)
			}
		}
	}
	out := []domain.Invoice{}
	for _, id := range ids {
		inv := t.t.invoices.rows[id]
		switch {
		case inv.BillerID != q.BillerID,
			q.Number != "" && inv.Number != q.Number,
			len(q.States) > 0 && !slices.Contains(q.States, inv.State),
			q.Declared && !inv.Declared():
			continue
		}
		out = append(out, inv)
	}
	slices.SortFunc(out, func(a, b domain.Invoice) int {
		return cmp.Or(b.IssueDate.Compare(a.IssueDate), cmp.Compare(b.Number, a.Number), compareIDs(b.ID, a.ID))
	})
	return page(out, q.Offset, q.Limit), upTo(len(out), q.CountUpTo), nil
}

// SearchPayers returns one page of a biller's payers.
func (t *tx) SearchPayers(_ context.Context, q ports.PayerSearch) ([]domain.Payer, int, error) {
	t, done, err := t.reading()
	if err != nil {
		return nil, 0, err
	}
	defer done()
	text := strings.TrimSpace(q.Text)
	lower := strings.ToLower(text)
	out := []domain.Payer{}
	for _, p := range t.t.payers.rows {
		if p.BillerID != q.BillerID {
			continue
		}
		if text != "" && p.ExternalRef != text && (p.Email == "" || p.Email != emailKey(text)) &&
			!strings.HasPrefix(strings.ToLower(p.Name), lower) {
			continue
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b domain.Payer) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ExternalRef, b.ExternalRef), compareIDs(a.ID, b.ID))
	})
	return page(out, q.Offset, q.Limit), len(out), nil
}

// Message returns the message with id.
func (t *tx) Message(_ context.Context, id uuid.UUID) (domain.Message, error) {
	t, done, err := t.reading()
	if err != nil {
		return domain.Message{}, err
	}
	defer done()
	m, ok := t.t.messages.rows[id]
	if !ok {
		return m, notFound("message %s", id)
	}
	return m, nil
}

// SearchMessages returns one page of a biller's messages.
func (t *tx) SearchMessages(_ context.Context, q ports.MessageSearch) ([]domain.Message, int, error) {
	t, done, err := t.reading()
	if err != nil {
		return nil, 0, err
	}
	defer done()
	out := []domain.Message{}
	for id := range t.t.messagesByBiller[q.BillerID] {
		m := t.t.messages.rows[id]
		if (q.PayerID != uuid.Nil && m.PayerID != q.PayerID) ||
			(q.State != "" && m.State != q.State) || (q.Kind != "" && m.Kind != q.Kind) {
			continue
		}
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b domain.Message) int { return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), compareIDs(b.ID, a.ID)) })
	return page(out, q.Offset, q.Limit), len(out), nil
}

// ClaimRun records the run of job for key, once.
func (t *tx) ClaimRun(ctx context.Context, job, key string, at time.Time) (claimed bool, err error) {
	t, done, err := t.writing(ctx)
	if err != nil {
		return false, err
	}
	defer done(&err)
	k := job + "\x00" + key
	if _, ok := t.t.bo.runs.rows[k]; ok {
		return false, nil
	}
	t.journal(t.t.bo.runs.put(k, at))
	return true, nil
}
