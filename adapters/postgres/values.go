package postgres

import (
	"database/sql"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/portail-factures/portail/domain"
)

// The domain's zero values (the zero time, uuid.Nil, the zero Date) mean
// "none": they are stored as NULL and read back as zero.
//
// The rows an import copies (payers, invoices) pass their values to the
// driver already in its own types (string, time.Time, nil…), not as
// driver.Valuer: an import copies millions of them, and the conversion
// through database/sql's reflection cost more than the encoding itself.

// nullString is s, or NULL for the empty string.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullTime is t, or NULL for the zero time.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// idArg is id as text, as the driver sends it.
func idArg(id uuid.UUID) string { return id.String() }

// timeOf is the instant of a nullable column, the zero time for NULL.
func timeOf(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time
}

// nullID is id, or NULL for uuid.Nil.
func nullID(id uuid.UUID) any {
	if id == uuid.Nil {
		return nil
	}
	return id.String()
}

// idOf is the id of a nullable column, uuid.Nil for NULL.
func idOf(id uuid.NullUUID) uuid.UUID {
	if !id.Valid {
		return uuid.Nil
	}
	return id.UUID
}

// dateArg is d as 2006-01-02, or NULL for the zero Date. Text, so that no
// time zone ever moves a calendar date.
func dateArg(d domain.Date) any {
	if d.IsZero() {
		return nil
	}
	b := make([]byte, 0, 10)
	b = appendDigits(b, d.Year, 4)
	b = append(b, '-')
	b = appendDigits(b, int(d.Month), 2)
	b = append(b, '-')
	b = appendDigits(b, d.Day, 2)
	return string(b)
}

func appendDigits(b []byte, n, width int) []byte {
	var buf [8]byte
	i := len(buf)
	for n > 0 || width > 0 {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
		width--
	}
	return append(b, buf[i:]...)
}

// amountArg is a sum of money as text, the driver's form of NUMERIC.
func amountArg(d decimal.Decimal) string { return d.String() }

// date reads a DATE column into a domain.Date.
type date domain.Date

// Scan reads a DATE column.
func (d *date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = date{}
		return nil
	case time.Time:
		// The driver gives midnight in some zone: its calendar date in
		// that same zone is the stored one.
		y, m, day := v.Date()
		*d = date{Year: y, Month: m, Day: day}
		return nil
	case []byte:
		return d.parse(string(v))
	case string:
		return d.parse(v)
	}
	return fmt.Errorf("postgres: cannot read a date from %T", src)
}

func (d *date) parse(s string) error {
	v, err := domain.ParseDate(s)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	*d = date(v)
	return nil
}

// micros is a duration in microseconds, PostgreSQL's precision.
func micros(d time.Duration) int64 { return d.Microseconds() }
