package domain_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
)

func TestDate(t *testing.T) {
	d, err := domain.ParseDate("21/07/2017")
	require.NoError(t, err)
	assert.Equal(t, domain.NewDate(2017, 7, 21), d)
	d2, err := domain.ParseDate("2017-07-21")
	require.NoError(t, err)
	assert.Equal(t, d, d2)
	assert.Equal(t, "21/07/2017", d.French())
	assert.Equal(t, "2017-07-21", d.String())
	assert.Equal(t, domain.NewDate(2017, 8, 1), d.AddDays(11))
	assert.Equal(t, domain.NewDate(2024, 3, 1), domain.NewDate(2024, 2, 28).AddDays(2), "2024 is a leap year")
	assert.True(t, d.Before(d.AddDays(1)))
	assert.True(t, d.AddDays(1).After(d))
	assert.Equal(t, 0, d.Compare(d2))
	for _, bad := range []string{"", "31/02/2020", "2020-13-01", "21-07-2017", "demain"} {
		_, err := domain.ParseDate(bad)
		assert.Error(t, err, bad)
	}
	assert.False(t, domain.Date{Year: 2021, Month: 2, Day: 30}.Valid())
	assert.True(t, domain.NewDate(2021, 2, 28).Valid())
}

func TestTodayIsTheParisDate(t *testing.T) {
	tests := []struct {
		name string
		at   time.Time
		want domain.Date
	}{
		{"winter: 23:30 UTC is already the next day in Paris (UTC+1)", time.Date(2026, 1, 15, 23, 30, 0, 0, time.UTC), domain.NewDate(2026, 1, 16)},
		{"winter: 22:59 UTC is still the same day", time.Date(2026, 1, 15, 22, 59, 0, 0, time.UTC), domain.NewDate(2026, 1, 15)},
		{"summer: 22:00 UTC is midnight in Paris (UTC+2)", time.Date(2026, 7, 15, 22, 0, 0, 0, time.UTC), domain.NewDate(2026, 7, 16)},
		{"summer: 21:59 UTC is still the same day", time.Date(2026, 7, 15, 21, 59, 0, 0, time.UTC), domain.NewDate(2026, 7, 15)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, domain.Today(tt.at))
		})
	}
}

func TestFrenchDateTimeIsParisTime(t *testing.T) {
	assert.Equal(t, "21/07/2017 à 14h05", domain.FrenchDateTime(time.Date(2017, 7, 21, 12, 5, 0, 0, time.UTC)))
}

// TestParseDateAsTimeParse checks ParseDate's own reading of the usual
// forms against time.Parse's, valid days and not.
func TestParseDateAsTimeParse(t *testing.T) {
	for _, in := range []string{"2026-01-05", "05/01/2026", "2024-02-29", "29/02/2024", "2023-02-29", "29/02/2023",
		"2026-04-31", "31/12/1999", "0000-01-01", "2026-13-01", "2026-00-10", "00/01/2026", "2026-1-05", "5/01/2026",
		"2026-01-5x", "+026-01-05", "2026/01/05", "05-01-2026", "9999-12-31", "1900-01-01"} {
		var want domain.Date
		var wantErr bool
		if tm, err := time.Parse("2006-01-02", in); err == nil {
			want = domain.DateOf(tm, time.UTC)
		} else if tm, err := time.Parse("02/01/2006", in); err == nil {
			want = domain.DateOf(tm, time.UTC)
		} else {
			wantErr = true
		}
		got, err := domain.ParseDate(in)
		assert.Equal(t, wantErr, err != nil, "%q: %v", in, err)
		assert.Equal(t, want, got, in)
	}
}
