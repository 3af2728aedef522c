package postgres

import (
	"context"
	"database/sql"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/portail-factures/portail/domain"
)

// billerColumns are written by SaveBiller; the lock duration is given in
// microseconds and kept as an interval.
var billerColumns = cols("id", "name", "numcli", "saisie", "email", "notice", "home_text",
	"multiple_payments", "suspension_active", "suspension_message", "suspension_from", "suspension_until",
	"treasury_delay_days", "min_password_length", "lock_duration:?::bigint * interval '1 microsecond'",
	"min_amount", "max_amount", "created_at", "updated_at")

var (
	billerSelect = `SELECT id, name, numcli, saisie, email, notice, home_text, multiple_payments,
	suspension_active, suspension_message, suspension_from, suspension_until,
	treasury_delay_days, min_password_length,
	(extract(epoch FROM lock_duration) * 1000000)::bigint AS lock_duration_us,
	min_amount, max_amount, created_at, updated_at
FROM billers`
	billerUpsert = billerColumns.upsert("billers")
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
	}
}

func billerArgs(b domain.Biller) []any {
	return []any{b.ID, b.Name, b.Numcli, string(b.Saisie), b.Email, b.Notice, b.HomeText,
		b.MultiplePayments, b.Suspension.Active, b.Suspension.Message,
		nullTime(b.Suspension.From), nullTime(b.Suspension.Until),
		b.TreasuryDelayDays, b.MinPasswordLength, micros(b.LockDuration),
		amountArg(b.MinAmount), amountArg(b.MaxAmount), b.CreatedAt, b.UpdatedAt}
}

// Biller returns the biller with id.
func (s *queries) Biller(ctx context.Context, id uuid.UUID) (domain.Biller, error) {
	var r billerRow
	if err := s.get(ctx, &r, "biller "+id.String(), billerSelect+" WHERE id = $1", id); err != nil {
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

// SaveBiller inserts or replaces b.
func (s *queries) SaveBiller(ctx context.Context, b domain.Biller) error {
	_, err := s.exec(ctx, "save biller", billerUpsert, billerArgs(b)...)
	return err
}
