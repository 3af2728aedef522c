package tipi

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
)

func TestToCents(t *testing.T) {
	d := decimal.RequireFromString
	tests := []struct {
		name   string
		amount decimal.Decimal
		want   string
	}{
		{"a float would give 28", d("0.29"), "29"},
		{"the manual's example", d("243.11"), "24311"},
		{"a sum of two decimals", d("0.10").Add(d("0.20")), "30"},
		{"the legacy mode's ceiling", d("9999.99"), "999999"},
		{"one decimal", d("12.5"), "1250"},
		{"no decimal", d("100"), "10000"},
		{"trailing zeros", d("1.000"), "100"},
		{"one cent", d("0.01"), "1"},
		{"the largest amount the portal keeps", d("9999999999.99"), "999999999999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := toCents(tt.amount)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestToCentsRefuses(t *testing.T) {
	for _, s := range []string{"0", "0.00", "-1", "-0.01", "0.001", "243.111", "1.005", "123456789012345678.90"} {
		t.Run(s, func(t *testing.T) {
			_, err := toCents(decimal.RequireFromString(s))
			assert.Equal(t, domain.Invalid, domain.ErrorCode(err))
		})
	}
}

func TestFromCents(t *testing.T) {
	for in, want := range map[string]string{"29": "0.29", "24311": "243.11", "999999": "9999.99", "1": "0.01", "0100": "1"} {
		t.Run(in, func(t *testing.T) {
			got, err := fromCents(in)
			require.NoError(t, err)
			assert.True(t, decimal.RequireFromString(want).Equal(got), "got %s", got)
		})
	}
	for _, in := range []string{"", "0", "000", "-5", "+5", "1.5", "1,5", "1e3", " 5", "12345678901234567", "٣"} {
		t.Run("refuses "+in, func(t *testing.T) {
			_, err := fromCents(in)
			assert.Error(t, err)
		})
	}
}

func TestCentsRoundTrip(t *testing.T) {
	for _, s := range []string{"0.01", "0.29", "1.10", "243.11", "9999.99", "99999.99"} {
		a := decimal.RequireFromString(s)
		c, err := toCents(a)
		require.NoError(t, err)
		back, err := fromCents(c)
		require.NoError(t, err)
		assert.True(t, a.Equal(back), "%s → %s → %s", s, c, back)
	}
}
