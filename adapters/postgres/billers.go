package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// billerColumns are written by SaveBiller; the lock duration is given in
// microseconds and kept as an interval.
var billerColumns = cols("id", "name", "numcli", "saisie", "email", "notice", "home_text",
	"multiple_payments", "suspension_active", "suspension_message", "suspension_from", "suspension_until",
	"treasury_delay_days", "min_password_length", "lock_duration:?::bigint * interval '1 microsecond'",
	"min_amount", "max_amount", "created_at", "updated_at",
	// « Avis et relances » (0013)
	"reminders_enabled", "reminder_days_before", "reminder_after_enabled", "reminder_days_after",
	// « Attestation annuelle » (0015)
	"certificate_offered", "certificate_title", "certificate_legal", "certificate_match",
	// retention of closed accounts (0018)
	"retention_months")

var (
	billerSelect = `SELECT id, name, numcli, saisie, email, notice, home_text, multiple_payments,
	suspension_active, suspension_message, suspension_from, suspension_until,
	treasury_delay_days, min_password_length,
	(extract(epoch FROM lock_duration) * 1000000)::bigint AS lock_duration_us,
	min_amount, max_amount, created_at, updated_at,
	reminders_enabled, reminder_days_before, reminder_after_enabled, reminder_days_after,
	certificate_offered, certificate_title, certificate_legal, certificate_match,
	retention_months,
	ARRAY(SELECT host FROM biller_hosts h WHERE h.biller_id = billers.id ORDER BY ord) AS hosts
FROM billers`
	billerUpsert = billerColumns.upsert("billers")

	billerHostsTakenSQL = `SELECT host FROM biller_hosts
WHERE host = ANY($2::text[]) AND biller_id <> $1 ORDER BY host LIMIT 1`
	billerHostsDeleteSQL = `DELETE FROM biller_hosts WHERE biller_id = $1 AND NOT host = ANY($2::text[])`
	billerHostsSaveSQL   = `INSERT INTO biller_hosts (host, biller_id, ord)
SELECT u.host, $1, u.ord FROM unnest($2::text[]) WITH ORDINALITY AS u(host, ord)
ON CONFLICT (host) DO UPDATE SET ord = EXCLUDED.ord WHERE biller_hosts.biller_id = EXCLUDED.biller_id`
)

type billerRow struct {
	ID                uuid.UUID       `db:"id"`
	Name              string          `db:"name"`
	Numcli            string          `db:"numcli"`
	Saisie            string          `db:"saisie"`
	Email             string          `db:"email"`
	Notice            string          `db:"notice"`
	HomeText          string          `db:"home_text"`
	MultiplePayments  bool            `db:"multiple_payments"`
	SuspensionActive  bool            `db:"suspension_active"`
	SuspensionMessage string          `db:"suspension_message"`
	SuspensionFrom    sql.NullTime    `db:"suspension_from"`
	SuspensionUntil   sql.NullTime    `db:"suspension_until"`
	TreasuryDelayDays int             `db:"treasury_delay_days"`
	MinPasswordLength int             `db:"min_password_length"`
	LockDurationUS    int64           `db:"lock_duration_us"`
	MinAmount         decimal.Decimal `db:"min_amount"`
	MaxAmount         decimal.Decimal `db:"max_amount"`
	CreatedAt         time.Time       `db:"created_at"`
	UpdatedAt         time.Time       `db:"updated_at"`
	Hosts             pq.StringArray  `db:"hosts"`

	RemindersEnabled     bool `db:"reminders_enabled"`
	ReminderDaysBefore   int  `db:"reminder_days_before"`
	ReminderAfterEnabled bool `db:"reminder_after_enabled"`
	ReminderDaysAfter    int  `db:"reminder_days_after"`

	CertificateOffered bool   `db:"certificate_offered"`
	CertificateTitle   string `db:"certificate_title"`
	CertificateLegal   string `db:"certificate_legal"`
	CertificateMatch   string `db:"certificate_match"`

	RetentionMonths int `db:"retention_months"`
}

func (r billerRow) biller() domain.Biller {
	return domain.Biller{
		ID: r.ID, Name: r.Name, Numcli: r.Numcli, Saisie: domain.Saisie(r.Saisie), Email: r.Email,
		Notice: r.Notice, HomeText: r.HomeText, MultiplePayments: r.MultiplePayments,
		Suspension: domain.Suspension{
			Active: r.SuspensionActive, Message: r.SuspensionMessage,
			From: timeOf(r.SuspensionFrom), Until: timeOf(r.SuspensionUntil),
		},
		TreasuryDelayDays: r.TreasuryDelayDays, MinPasswordLength: r.MinPasswordLength,
		LockDuration: time.Duration(r.LockDurationUS) * time.Microsecond,
		MinAmount:    r.MinAmount, MaxAmount: r.MaxAmount,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		Hosts: hostsOf(r.Hosts),
		Reminders: domain.Reminders{
			Enabled: r.RemindersEnabled, DaysBefore: r.ReminderDaysBefore,
			AfterEnabled: r.ReminderAfterEnabled, DaysAfter: r.ReminderDaysAfter,
		},
		Certificate: domain.CertificateSettings{
			Offered: r.CertificateOffered, Title: r.CertificateTitle,
			LegalText: r.CertificateLegal, ObjectContains: r.CertificateMatch,
		},
		RetentionMonths: r.RetentionMonths,
	}
}

// hostsOf is a biller's hosts, nil for none.
func hostsOf(a pq.StringArray) []string {
	if len(a) == 0 {
		return nil
	}
	return []string(a)
}

func billerArgs(b domain.Biller) []any {
	return []any{b.ID, b.Name, b.Numcli, string(b.Saisie), b.Email, b.Notice, b.HomeText,
		b.MultiplePayments, b.Suspension.Active, b.Suspension.Message,
		nullTime(b.Suspension.From), nullTime(b.Suspension.Until),
		b.TreasuryDelayDays, b.MinPasswordLength, micros(b.LockDuration),
		amountArg(b.MinAmount), amountArg(b.MaxAmount), b.CreatedAt, b.UpdatedAt,
		b.Reminders.Enabled, b.Reminders.DaysBefore, b.Reminders.AfterEnabled, b.Reminders.DaysAfter,
		b.Certificate.Offered, b.Certificate.Title, b.Certificate.LegalText, b.Certificate.ObjectContains,
		retentionArg(b.RetentionMonths)}
}

// Biller returns the biller with id.
func (s *queries) Biller(ctx context.Context, id uuid.UUID) (domain.Biller, error) {
	var r billerRow
	if err := s.get(ctx, &r, "biller "+id.String(), billerSelect+" WHERE id = $1", id); err != nil {
		return domain.Biller{}, err
	}
	return r.biller(), nil
}

// BillerForUpdate returns the biller with id, locked until the
// transaction ends. Outside Atomic it is a plain read.
func (s *queries) BillerForUpdate(ctx context.Context, id uuid.UUID) (domain.Biller, error) {
	var r billerRow
	if err := s.get(ctx, &r, "biller "+id.String(), billerSelect+" WHERE id = $1 FOR UPDATE OF billers", id); err != nil {
		return domain.Biller{}, err
	}
	return r.biller(), nil
}

// Billers returns every biller, by name.
func (s *queries) Billers(ctx context.Context) ([]domain.Biller, error) {
	var rows []billerRow
	if err := s.list(ctx, &rows, "billers", billerSelect+" ORDER BY name, id"); err != nil {
		return nil, err
	}
	out := make([]domain.Biller, len(rows))
	for i, r := range rows {
		out[i] = r.biller()
	}
	return out, nil
}

// SaveBiller inserts or replaces b with its hosts, in a transaction of
// its own: its statements must apply together.
func (db *DB) SaveBiller(ctx context.Context, b domain.Biller) error {
	return db.Atomic(ctx, func(tx ports.Tx) error { return tx.SaveBiller(ctx, b) })
}

// SaveBiller inserts or replaces b and replaces its set of hosts;
// Conflict when another biller has one of them.
func (s *queries) SaveBiller(ctx context.Context, b domain.Biller) error {
	hosts := pq.StringArray(b.Hosts)
	if hosts == nil {
		hosts = pq.StringArray{}
	}
	if len(b.Hosts) > 0 {
		var taken []string
		if err := s.list(ctx, &taken, "hosts of other billers", billerHostsTakenSQL, b.ID, hosts); err != nil {
			return err
		}
		if len(taken) > 0 {
			return &domain.Error{Code: domain.Conflict, Field: "hosts",
				Message: "Le nom d'hôte " + taken[0] + " est déjà celui d'un autre service.",
				Err:     fmt.Errorf("postgres: host %q taken", taken[0])}
		}
	}
	if _, err := s.exec(ctx, "save biller", billerUpsert, billerArgs(b)...); err != nil {
		return err
	}
	if _, err := s.exec(ctx, "remove biller hosts", billerHostsDeleteSQL, b.ID, hosts); err != nil {
		return err
	}
	n, err := s.exec(ctx, "save biller hosts", billerHostsSaveSQL, b.ID, hosts)
	if err != nil {
		return err
	}
	if int(n) < len(hosts) {
		// Another biller took a host since the check above.
		return &domain.Error{Code: domain.Conflict, Field: "hosts", Message: msgHostTaken,
			Err: fmt.Errorf("postgres: a host of biller %s is another's", b.ID)}
	}
	if s.billersSaved != nil {
		*s.billersSaved = append(*s.billersSaved, b.ID)
	}
	return nil
}

// BillerByHost returns the biller serving host.
func (s *queries) BillerByHost(ctx context.Context, host string) (domain.Biller, error) {
	var r billerRow
	err := s.get(ctx, &r, "biller of host "+host,
		billerSelect+" WHERE id = (SELECT biller_id FROM biller_hosts WHERE host = $1)", host)
	if err != nil {
		return domain.Biller{}, err
	}
	return r.biller(), nil
}

// retentionArg is the stored retention: zero (a biller made without it)
// is the default.
func retentionArg(months int) int {
	if months == 0 {
		return domain.DefaultRetentionMonths
	}
	return months
}
