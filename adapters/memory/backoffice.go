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
func (s *Store) BillerByHost(ctx context.Context, host string) (domain.Biller, error) {
	return read(s, func(t *tx) (domain.Biller, error) { return t.BillerByHost(ctx, host) })
}

// Staff returns the staff member with id.
func (s *Store) Staff(ctx context.Context, id uuid.UUID) (domain.Staff, error) {
	return read(s, func(t *tx) (domain.Staff, error) { return t.Staff(ctx, id) })
}

// StaffByEmail returns the biller's staff member with the address email.
func (s *Store) StaffByEmail(ctx context.Context, billerID uuid.UUID, email string) (domain.Staff, error) {
	return read(s, func(t *tx) (domain.Staff, error) { return t.StaffByEmail(ctx, billerID, email) })
}

// StaffMembers lists the biller's staff by email.
func (s *Store) StaffMembers(ctx context.Context, billerID uuid.UUID) ([]domain.Staff, error) {
	return read(s, func(t *tx) ([]domain.Staff, error) { return t.StaffMembers(ctx, billerID) })
}

// SaveStaff inserts or replaces st.
func (s *Store) SaveStaff(ctx context.Context, st domain.Staff) error {
	return s.write(ctx, func(t *tx) error { return t.SaveStaff(ctx, st) })
}

// APIKeyByHash returns the key whose secret has this hash.
func (s *Store) APIKeyByHash(ctx context.Context, hash string) (domain.APIKey, error) {
	return read(s, func(t *tx) (domain.APIKey, error) { return t.APIKeyByHash(ctx, hash) })
}

// APIKey returns the key with id.
func (s *Store) APIKey(ctx context.Context, id uuid.UUID) (domain.APIKey, error) {
	return read(s, func(t *tx) (domain.APIKey, error) { return t.APIKey(ctx, id) })
}

// APIKeys lists the biller's keys, oldest first.
func (s *Store) APIKeys(ctx context.Context, billerID uuid.UUID) ([]domain.APIKey, error) {
	return read(s, func(t *tx) ([]domain.APIKey, error) { return t.APIKeys(ctx, billerID) })
}

// SaveAPIKey inserts or replaces k.
func (s *Store) SaveAPIKey(ctx context.Context, k domain.APIKey) error {
	return s.write(ctx, func(t *tx) error { return t.SaveAPIKey(ctx, k) })
}

// AppendAudit adds e to the audit log.
func (s *Store) AppendAudit(ctx context.Context, e domain.AuditEvent) error {
	return s.write(ctx, func(t *tx) error { return t.AppendAudit(ctx, e) })
}

// AuditEvents returns one page of the audit log.
func (s *Store) AuditEvents(ctx context.Context, q ports.AuditQuery) ([]domain.AuditEvent, int, error) {
	return readPage(s, func(t *tx) ([]domain.AuditEvent, int, error) { return t.AuditEvents(ctx, q) })
}

// Document returns a biller's document by name.
func (s *Store) Document(ctx context.Context, billerID uuid.UUID, name string) (domain.Document, error) {
	return read(s, func(t *tx) (domain.Document, error) { return t.Document(ctx, billerID, name) })
}

// DocumentInfo describes a biller's document by name.
func (s *Store) DocumentInfo(ctx context.Context, billerID uuid.UUID, name string) (ports.DocumentInfo, error) {
	return read(s, func(t *tx) (ports.DocumentInfo, error) { return t.DocumentInfo(ctx, billerID, name) })
}

// SaveDocument inserts or replaces d.
func (s *Store) SaveDocument(ctx context.Context, d domain.Document) error {
	return s.write(ctx, func(t *tx) error { return t.SaveDocument(ctx, d) })
}

// SavePaymentEvent appends e to its payment's timeline.
func (s *Store) SavePaymentEvent(ctx context.Context, e domain.PaymentEvent) error {
	return s.write(ctx, func(t *tx) error { return t.SavePaymentEvent(ctx, e) })
}

// PaymentEvents returns a payment's timeline.
func (s *Store) PaymentEvents(ctx context.Context, paymentID uuid.UUID) ([]domain.PaymentEvent, error) {
	return read(s, func(t *tx) ([]domain.PaymentEvent, error) { return t.PaymentEvents(ctx, paymentID) })
}

// Payments returns one page of a biller's payments.
func (s *Store) Payments(ctx context.Context, q ports.PaymentQuery) ([]domain.Payment, int, error) {
	return readPage(s, func(t *tx) ([]domain.Payment, int, error) { return t.Payments(ctx, q) })
}

// SearchInvoices returns one page of a biller's invoices.
func (s *Store) SearchInvoices(ctx context.Context, q ports.InvoiceSearch) ([]domain.Invoice, int, error) {
	return readPage(s, func(t *tx) ([]domain.Invoice, int, error) { return t.SearchInvoices(ctx, q) })
}

// SearchPayers returns one page of a biller's payers.
func (s *Store) SearchPayers(ctx context.Context, q ports.PayerSearch) ([]domain.Payer, int, error) {
	return readPage(s, func(t *tx) ([]domain.Payer, int, error) { return t.SearchPayers(ctx, q) })
}

// Message returns the message with id.
func (s *Store) Message(ctx context.Context, id uuid.UUID) (domain.Message, error) {
	return read(s, func(t *tx) (domain.Message, error) { return t.Message(ctx, id) })
}

// SearchMessages returns one page of a biller's messages.
func (s *Store) SearchMessages(ctx context.Context, q ports.MessageSearch) ([]domain.Message, int, error) {
	return readPage(s, func(t *tx) ([]domain.Message, int, error) { return t.SearchMessages(ctx, q) })
}

// ClaimRun records the run of job for key, once.
func (s *Store) ClaimRun(ctx context.Context, job, key string, at time.Time) (bool, error) {
	var ok bool
	err := s.write(ctx, func(t *tx) (err error) {
		ok, err = t.ClaimRun(ctx, job, key, at)
		return err
	})
	return ok, err
}

func (t *tx) BillerByHost(_ context.Context, host string) (domain.Biller, error) {
	if err := t.live(); err != nil {
		return domain.Biller{}, err
	}
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

func (t *tx) Staff(_ context.Context, id uuid.UUID) (domain.Staff, error) {
	if err := t.live(); err != nil {
		return domain.Staff{}, err
	}
	s, ok := t.t.bo.staff.rows[id]
	if !ok {
		return s, notFound("staff %s", id)
	}
	return s, nil
}

func (t *tx) StaffByEmail(_ context.Context, billerID uuid.UUID, email string) (domain.Staff, error) {
	if err := t.live(); err != nil {
		return domain.Staff{}, err
	}
	key := emailKey(email)
	for _, s := range t.t.bo.staff.rows {
		if s.BillerID == billerID && s.Email == key && key != "" {
			return s, nil
		}
	}
	return domain.Staff{}, notFound("staff with this email in biller %s", billerID)
}

func (t *tx) StaffMembers(_ context.Context, billerID uuid.UUID) ([]domain.Staff, error) {
	if err := t.live(); err != nil {
		return nil, err
	}
	out := []domain.Staff{}
	for _, s := range t.t.bo.staff.rows {
		if s.BillerID == billerID {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b domain.Staff) int { return cmp.Or(cmp.Compare(a.Email, b.Email), compareIDs(a.ID, b.ID)) })
	return out, nil
}

func (t *tx) SaveStaff(_ context.Context, s domain.Staff) error {
	if err := t.writing(); err != nil {
		return err
	}
	for _, other := range t.t.bo.staff.rows {
		if other.ID != s.ID && other.BillerID == s.BillerID && other.Email == emailKey(s.Email) {
			return conflict("email", "Un autre agent de ce service a déjà l'adresse "+s.Email+".", "staff %s has this email", other.ID)
		}
	}
	t.journal(t.t.bo.staff.put(s.ID, s))
	return nil
}

func (t *tx) APIKeyByHash(_ context.Context, hash string) (domain.APIKey, error) {
	if err := t.live(); err != nil {
		return domain.APIKey{}, err
	}
	for _, k := range t.t.bo.apiKeys.rows {
		if k.Hash == hash && hash != "" {
			return k, nil
		}
	}
	return domain.APIKey{}, notFound("API key")
}

func (t *tx) APIKey(_ context.Context, id uuid.UUID) (domain.APIKey, error) {
	if err := t.live(); err != nil {
		return domain.APIKey{}, err
	}
	k, ok := t.t.bo.apiKeys.rows[id]
	if !ok {
		return k, notFound("API key %s", id)
	}
	return k, nil
}

func (t *tx) APIKeys(_ context.Context, billerID uuid.UUID) ([]domain.APIKey, error) {
	if err := t.live(); err != nil {
		return nil, err
	}
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

func (t *tx) SaveAPIKey(_ context.Context, k domain.APIKey) error {
	if err := t.writing(); err != nil {
		return err
	}
	for _, other := range t.t.bo.apiKeys.rows {
		if other.ID != k.ID && other.Hash == k.Hash {
			return conflict("", errEnded.Message, "API key %s has this hash", other.ID)
		}
	}
	t.journal(t.t.bo.apiKeys.put(k.ID, k))
	return nil
}

func (t *tx) AppendAudit(_ context.Context, e domain.AuditEvent) error {
	if err := t.writing(); err != nil {
		return err
	}
	if _, ok := t.t.bo.audit.rows[e.ID]; ok {
		return conflict("", errEnded.Message, "audit event %s exists", e.ID)
	}
	t.journal(t.t.bo.audit.put(e.ID, e))
	return nil
}

func (t *tx) AuditEvents(_ context.Context, q ports.AuditQuery) ([]domain.AuditEvent, int, error) {
	if err := t.live(); err != nil {
		return nil, 0, err
	}
	text := strings.ToLower(q.Text)
	out := []domain.AuditEvent{}
	for id := range t.t.bo.auditByBiller[q.BillerID] {
		e := t.t.bo.audit.rows[id]
		switch {
		case q.Actor != "" && e.Actor != q.Actor,
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

func (t *tx) Document(_ context.Context, billerID uuid.UUID, name string) (domain.Document, error) {
	if err := t.live(); err != nil {
		return domain.Document{}, err
	}
	d, ok := t.t.bo.documents.rows[scoped{billerID, name}]
	if !ok {
		return d, notFound("document %q of biller %s", name, billerID)
	}
	d.Data = slices.Clone(d.Data)
	return d, nil
}

func (t *tx) DocumentInfo(_ context.Context, billerID uuid.UUID, name string) (ports.DocumentInfo, error) {
	if err := t.live(); err != nil {
		return ports.DocumentInfo{}, err
	}
	d, ok := t.t.bo.documents.rows[scoped{billerID, name}]
	if !ok {
		return ports.DocumentInfo{}, notFound("document %q of biller %s", name, billerID)
	}
	return ports.DocumentInfo{Name: d.Name, SHA256: d.SHA256, Size: len(d.Data), CreatedAt: d.CreatedAt}, nil
}

func (t *tx) SaveDocument(_ context.Context, d domain.Document) error {
	if err := t.writing(); err != nil {
		return err
	}
	d.Data = slices.Clone(d.Data)
	t.journal(t.t.bo.documents.put(scoped{d.BillerID, d.Name}, d))
	return nil
}

func (t *tx) SavePaymentEvent(_ context.Context, e domain.PaymentEvent) error {
	if err := t.writing(); err != nil {
		return err
	}
	t.journal(t.t.bo.paymentEvents.put(e.ID, e))
	return nil
}

func (t *tx) PaymentEvents(_ context.Context, paymentID uuid.UUID) ([]domain.PaymentEvent, error) {
	if err := t.live(); err != nil {
		return nil, err
	}
	out := []domain.PaymentEvent{}
	for id := range t.t.bo.eventsByPay[paymentID] {
		out = append(out, t.t.bo.paymentEvents.rows[id])
	}
	slices.SortFunc(out, func(a, b domain.PaymentEvent) int { return cmp.Or(a.At.Compare(b.At), compareIDs(a.ID, b.ID)) })
	return out, nil
}

func (t *tx) Payments(_ context.Context, q ports.PaymentQuery) ([]domain.Payment, int, error) {
	if err := t.live(); err != nil {
		return nil, 0, err
	}
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

func (t *tx) SearchInvoices(_ context.Context, q ports.InvoiceSearch) ([]domain.Invoice, int, error) {
	if err := t.live(); err != nil {
		return nil, 0, err
	}
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

func (t *tx) SearchPayers(_ context.Context, q ports.PayerSearch) ([]domain.Payer, int, error) {
	if err := t.live(); err != nil {
		return nil, 0, err
	}
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

func (t *tx) Message(_ context.Context, id uuid.UUID) (domain.Message, error) {
	if err := t.live(); err != nil {
		return domain.Message{}, err
	}
	m, ok := t.t.messages.rows[id]
	if !ok {
		return m, notFound("message %s", id)
	}
	return m, nil
}

func (t *tx) SearchMessages(_ context.Context, q ports.MessageSearch) ([]domain.Message, int, error) {
	if err := t.live(); err != nil {
		return nil, 0, err
	}
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

func (t *tx) ClaimRun(_ context.Context, job, key string, at time.Time) (bool, error) {
	if err := t.writing(); err != nil {
		return false, err
	}
	k := job + "\x00" + key
	if _, ok := t.t.bo.runs.rows[k]; ok {
		return false, nil
	}
	t.journal(t.t.bo.runs.put(k, at))
	return true, nil
}
