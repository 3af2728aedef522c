package postgres

import (
	"context"
	"database/sql"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The back office's records: staff, API keys, invoice documents, payment
// timelines and the runs of the daily jobs. The audit log is in audit.go,
// the searches in search.go.

var (
	staffColumns = cols("id", "biller_id", "email", "name", "role", "password_hash", "disabled",
		"last_login_at", "created_at", "updated_at")
	staffSelect = "SELECT " + staffColumns.names() + " FROM staff"
	staffUpsert = staffColumns.upsert("staff")

	apiKeyColumns = cols("id", "biller_id", "name", "hash", "hint", "created_at", "created_by", "revoked_at", "last_used_at",
		"nonce_hash") // 0021
	apiKeySelect = "SELECT " + apiKeyColumns.names() + " FROM api_keys"
	apiKeyUpsert = apiKeyColumns.upsert("api_keys")

	documentSelect = `SELECT biller_id, name, sha256, data, created_at FROM documents
WHERE biller_id = $1 AND name = $2`
	// octet_length reads the size from the value's header: the bytes,
	// stored out of line (TOAST), are not fetched.
	documentInfoSelect = `SELECT name, sha256, octet_length(data) AS size, created_at FROM documents
WHERE biller_id = $1 AND name = $2`
	documentUpsert = `INSERT INTO documents (biller_id, name, sha256, data, created_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (biller_id, name) DO UPDATE
	SET sha256 = EXCLUDED.sha256, data = EXCLUDED.data, created_at = EXCLUDED.created_at`

	paymentEventColumns = cols("id", "payment_id", "biller_id", "at", "state", "code", "detail")
	paymentEventUpsert  = paymentEventColumns.upsert("payment_events")
	paymentEventsSQL    = "SELECT " + paymentEventColumns.names() + ` FROM payment_events
WHERE payment_id = $1 ORDER BY at, id`
	// paymentEventAppend adds an event after its timeline's last step
	// (read through payment_events_payment_idx), unless it repeats it:
	// ports.PaymentStore.AppendPaymentEvent in one statement.
	paymentEventAppend = `WITH last AS (
	SELECT at, state, code, detail FROM payment_events WHERE payment_id = $2 ORDER BY at DESC, id DESC LIMIT 1
)
INSERT INTO payment_events (id, payment_id, biller_id, at, state, code, detail)
SELECT $1::uuid, $2::uuid, $3::uuid, GREATEST($4::timestamptz, (SELECT at + interval '1 microsecond' FROM last)), $5::text, $6::text, $7::text
WHERE NOT EXISTS (SELECT FROM last WHERE state = $5 AND code = $6 AND detail = $7)`

	claimRunSQL = `INSERT INTO job_runs (job, key, at) VALUES ($1, $2, $3) ON CONFLICT (job, key) DO NOTHING`
)

type staffRow struct {
	ID           uuid.UUID    `db:"id"`
	BillerID     uuid.UUID    `db:"biller_id"`
	Email        string       `db:"email"`
	Name         string       `db:"name"`
	Role         string       `db:"role"`
	PasswordHash string       `db:"password_hash"`
	Disabled     bool         `db:"disabled"`
	LastLoginAt  sql.NullTime `db:"last_login_at"`
	CreatedAt    time.Time    `db:"created_at"`
	UpdatedAt    time.Time    `db:"updated_at"`
}

func (r staffRow) staff() domain.Staff {
	return domain.Staff{
		ID: r.ID, BillerID: r.BillerID, Email: r.Email, Name: r.Name, Role: domain.StaffRole(r.Role),
		PasswordHash: r.PasswordHash, Disabled: r.Disabled, LastLoginAt: timeOf(r.LastLoginAt),
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

func (s *queries) staff(ctx context.Context, what, where string, args ...any) (domain.Staff, error) {
	var r staffRow
	if err := s.get(ctx, &r, what, staffSelect+" WHERE "+where, args...); err != nil {
		return domain.Staff{}, err
	}
	return r.staff(), nil
}

// Staff returns the staff member with id.
func (s *queries) Staff(ctx context.Context, id uuid.UUID) (domain.Staff, error) {
	return s.staff(ctx, "staff "+id.String(), "id = $1", id)
}

// StaffByEmail returns the biller's staff member whose login is email,
// normalised as the domain does.
func (s *queries) StaffByEmail(ctx context.Context, billerID uuid.UUID, email string) (domain.Staff, error) {
	email = domain.NormalizeEmail(email)
	if email == "" {
		return domain.Staff{}, notFound("staff with an empty email")
	}
	return s.staff(ctx, "staff by email", "biller_id = $1 AND email = $2", billerID, email)
}

// StaffMembers lists the biller's staff by email.
func (s *queries) StaffMembers(ctx context.Context, billerID uuid.UUID) ([]domain.Staff, error) {
	var rows []staffRow
	if err := s.list(ctx, &rows, "staff members", staffSelect+" WHERE biller_id = $1 ORDER BY email, id", billerID); err != nil {
		return nil, err
	}
	out := make([]domain.Staff, len(rows))
	for i, r := range rows {
		out[i] = r.staff()
	}
	return out, nil
}

// SaveStaff inserts or replaces st; Conflict when another staff member of
// the biller has its email.
func (s *queries) SaveStaff(ctx context.Context, st domain.Staff) error {
	_, err := s.exec(ctx, "save staff", staffUpsert, st.ID, st.BillerID, st.Email, st.Name, string(st.Role),
		st.PasswordHash, st.Disabled, nullTime(st.LastLoginAt), st.CreatedAt, st.UpdatedAt)
	return err
}

type apiKeyRow struct {
	ID         uuid.UUID      `db:"id"`
	BillerID   uuid.UUID      `db:"biller_id"`
	Name       string         `db:"name"`
	Hash       string         `db:"hash"`
	Hint       string         `db:"hint"`
	CreatedAt  time.Time      `db:"created_at"`
	CreatedBy  string         `db:"created_by"`
	RevokedAt  sql.NullTime   `db:"revoked_at"`
	LastUsedAt sql.NullTime   `db:"last_used_at"`
	NonceHash  sql.NullString `db:"nonce_hash"`
}

func (r apiKeyRow) key() domain.APIKey {
	return domain.APIKey{
		ID: r.ID, BillerID: r.BillerID, Name: r.Name, Hash: r.Hash, Hint: r.Hint, CreatedAt: r.CreatedAt,
		CreatedBy: r.CreatedBy, RevokedAt: timeOf(r.RevokedAt), LastUsedAt: timeOf(r.LastUsedAt),
		NonceHash: r.NonceHash.String,
	}
}

func (s *queries) apiKey(ctx context.Context, what, where string, args ...any) (domain.APIKey, error) {
	var r apiKeyRow
	if err := s.get(ctx, &r, what, apiKeySelect+" WHERE "+where, args...); err != nil {
		return domain.APIKey{}, err
	}
	return r.key(), nil
}

// APIKeyByHash returns the key, revoked or not, whose secret hashes to hash.
func (s *queries) APIKeyByHash(ctx context.Context, hash string) (domain.APIKey, error) {
	if hash == "" {
		return domain.APIKey{}, notFound("API key with an empty hash")
	}
	return s.apiKey(ctx, "API key by hash", "hash = $1", hash)
}

// APIKeyByNonce returns the biller's key made by the form whose nonce
// has this hash (over api_keys_nonce_key).
func (s *queries) APIKeyByNonce(ctx context.Context, billerID uuid.UUID, nonceHash string) (domain.APIKey, error) {
	if nonceHash == "" {
		return domain.APIKey{}, notFound("API key with an empty nonce hash")
	}
	return s.apiKey(ctx, "API key by nonce", "biller_id = $1 AND nonce_hash = $2", billerID, nonceHash)
}

// APIKey returns the key with id.
func (s *queries) APIKey(ctx context.Context, id uuid.UUID) (domain.APIKey, error) {
	return s.apiKey(ctx, "API key "+id.String(), "id = $1", id)
}

// APIKeys lists the biller's keys, revoked ones included, oldest first.
func (s *queries) APIKeys(ctx context.Context, billerID uuid.UUID) ([]domain.APIKey, error) {
	var rows []apiKeyRow
	if err := s.list(ctx, &rows, "API keys", apiKeySelect+" WHERE biller_id = $1 ORDER BY created_at, id", billerID); err != nil {
		return nil, err
	}
	out := make([]domain.APIKey, len(rows))
	for i, r := range rows {
		out[i] = r.key()
	}
	return out, nil
}

// SaveAPIKey inserts or replaces k; Conflict when another key has its
// hash, or another key of the biller its nonce hash.
func (s *queries) SaveAPIKey(ctx context.Context, k domain.APIKey) error {
	_, err := s.exec(ctx, "save API key", apiKeyUpsert, k.ID, k.BillerID, k.Name, k.Hash, k.Hint, k.CreatedAt,
		k.CreatedBy, nullTime(k.RevokedAt), nullTime(k.LastUsedAt), nullString(k.NonceHash))
	return err
}

type documentRow struct {
	BillerID  uuid.UUID `db:"biller_id"`
	Name      string    `db:"name"`
	SHA256    string    `db:"sha256"`
	Data      []byte    `db:"data"`
	CreatedAt time.Time `db:"created_at"`
}

// Document returns the biller's document name.
func (s *queries) Document(ctx context.Context, billerID uuid.UUID, name string) (domain.Document, error) {
	var r documentRow
	if err := s.get(ctx, &r, "document "+name, documentSelect, billerID, name); err != nil {
		return domain.Document{}, err
	}
	return domain.Document{BillerID: r.BillerID, Name: r.Name, SHA256: r.SHA256, Data: r.Data, CreatedAt: r.CreatedAt}, nil
}

// DocumentInfo describes the biller's document name without reading its
// bytes.
func (s *queries) DocumentInfo(ctx context.Context, billerID uuid.UUID, name string) (ports.DocumentInfo, error) {
	var r struct {
		Name      string    `db:"name"`
		SHA256    string    `db:"sha256"`
		Size      int       `db:"size"`
		CreatedAt time.Time `db:"created_at"`
	}
	if err := s.get(ctx, &r, "document "+name, documentInfoSelect, billerID, name); err != nil {
		return ports.DocumentInfo{}, err
	}
	return ports.DocumentInfo{Name: r.Name, SHA256: r.SHA256, Size: r.Size, CreatedAt: r.CreatedAt}, nil
}

// SaveDocument inserts or replaces the document (BillerID, Name).
func (s *queries) SaveDocument(ctx context.Context, d domain.Document) error {
	data := d.Data
	if data == nil {
		data = []byte{} // the driver sends nil as NULL
	}
	_, err := s.exec(ctx, "save document", documentUpsert, d.BillerID, d.Name, d.SHA256, data, d.CreatedAt)
	return err
}

type paymentEventRow struct {
	ID        uuid.UUID `db:"id"`
	PaymentID uuid.UUID `db:"payment_id"`
	BillerID  uuid.UUID `db:"biller_id"`
	At        time.Time `db:"at"`
	State     string    `db:"state"`
	Code      string    `db:"code"`
	Detail    string    `db:"detail"`
}

// SavePaymentEvent adds e to its payment's timeline (or replaces the
// event with its id).
func (s *queries) SavePaymentEvent(ctx context.Context, e domain.PaymentEvent) error {
	_, err := s.exec(ctx, "save payment event", paymentEventUpsert, e.ID, e.PaymentID, e.BillerID, e.At,
		string(e.State), e.Code, e.Detail)
	return err
}

// AppendPaymentEvent adds e after its payment's last step unless it
// repeats it, in one statement.
func (s *queries) AppendPaymentEvent(ctx context.Context, e domain.PaymentEvent) (bool, error) {
	n, err := s.exec(ctx, "append payment event", paymentEventAppend, e.ID, e.PaymentID, e.BillerID, e.At,
		string(e.State), e.Code, e.Detail)
	return n == 1, err
}

// PaymentEvents returns a payment's timeline, oldest first, then by id.
func (s *queries) PaymentEvents(ctx context.Context, paymentID uuid.UUID) ([]domain.PaymentEvent, error) {
	var rows []paymentEventRow
	if err := s.list(ctx, &rows, "payment events", paymentEventsSQL, paymentID); err != nil {
		return nil, err
	}
	out := make([]domain.PaymentEvent, len(rows))
	for i, r := range rows {
		out[i] = domain.PaymentEvent{ID: r.ID, PaymentID: r.PaymentID, BillerID: r.BillerID, At: r.At,
			State: domain.PaymentState(r.State), Code: r.Code, Detail: r.Detail}
	}
	return out, nil
}

// ClaimRun records that job ran for key and returns true, or returns
// false when a row says it ran already. Inside a transaction, a claim by
// another transaction not yet committed makes this one wait for its end.
func (s *queries) ClaimRun(ctx context.Context, job, key string, at time.Time) (bool, error) {
	n, err := s.exec(ctx, "claim run", claimRunSQL, job, key, at)
	return n == 1, err
}
