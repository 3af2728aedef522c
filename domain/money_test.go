package domain_test

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
)

func TestParseAmount(t *testing.T) {
	ok := map[string]string{
		"243.11": "243.11", "243,11": "243.11", "1 234,50": "1234.50", "0.29": "0.29",
		"12": "12", " 7,5 € ": "7.5", "1\u202f000,00": "1000", "0012,30": "12.3", "9999999999.99": "9999999999.99",
	}
	for in, want := range ok {
		got, err := domain.ParseAmount(in)
		require.NoError(t, err, in)
		assert.True(t, dec(want).Equal(got), "%q: got %s", in, got)
	}
	for _, in := range []string{"", "abc", "-5", "0", "0,00", "1.234", "1e3", "12.", ".5", "1,2,3", "1.2.3", "+4", "NaN",
		"10000000000", "123456789012345678901234", "0.000000000000000000001"} {
		_, err := domain.ParseAmount(in)
		assert.Error(t, err, in)
		assert.Equal(t, domain.Invalid, domain.ErrorCode(err), in)
	}
}

func TestSumIsExact(t *testing.T) {
	assert.True(t, dec("0.30").Equal(domain.Sum(dec("0.10"), dec("0.20"))), "0.10 + 0.20 is exactly 0.30")
	cents := make([]decimal.Decimal, 1000)
	for i := range cents {
		cents[i] = dec("0.01")
	}
	assert.True(t, dec("10.00").Equal(domain.Sum(cents...)), "1 000 invoices of 0.01 make exactly 10.00")
}

func TestFormatEuros(t *testing.T) {
	tests := map[string]string{
		"243.11":    "243,11\u00a0€",
		"0.5":       "0,50\u00a0€",
		"1234.5":    "1\u202f234,50\u00a0€",
		"1234567.8": "1\u202f234\u202f567,80\u00a0€",
		"100":       "100,00\u00a0€",
	}
	for in, want := range tests {
		assert.Equal(t, want, domain.FormatEuros(dec(in)), in)
	}
}

func TestCheckAmount(t *testing.T) {
	assert.NoError(t, domain.CheckAmount(dec("0.01")))
	assert.Error(t, domain.CheckAmount(dec("0")))
	assert.Error(t, domain.CheckAmount(dec("-1")))
	assert.Error(t, domain.CheckAmount(dec("1.001")))
	assert.NoError(t, domain.CheckAmount(dec("9999999999.99")))
	assert.Error(t, domain.CheckAmount(dec("10000000000")), "more than the stores hold")
}
