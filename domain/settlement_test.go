package domain_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
)

func TestParseSettlementReport(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []domain.SettlementLine
	}{
		{
			name: "semicolons, header, column titles and footer (SBM's layout)",
			file: "EN-TETE;004200;RELEVE DES OPERATIONS\n" +
				"LIGNE;Date;Référence;Montant\n" +
				"LIGNE;21/07/2017;ABCDEF123456;42,50\n" +
				"LIGNE;22/07/2017;XYZ987654321;1 234,00\n" +
				"PIED-DE-PAGE;2;1276,50\n",
			want: []domain.SettlementLine{
				{Line: 3, Date: domain.NewDate(2017, 7, 21), Refdet: "ABCDEF123456", Amount: dec("42.50")},
				{Line: 4, Date: domain.NewDate(2017, 7, 22), Refdet: "XYZ987654321", Amount: dec("1234.00")},
			},
		},
		{
			name: "commas, quotes, CRLF, a BOM, extra fields and a time",
			file: "\ufeff\"EN-TETE\",\"x\"\r\n\"LIGNE\",\"2017-07-21 14:05\",\"ABCDEF123456\",\"42.50\",\"CB\"\r\n",
			want: []domain.SettlementLine{{Line: 2, Date: domain.NewDate(2017, 7, 21), Refdet: "ABCDEF123456", Amount: dec("42.50")}},
		},
		{
			name: "PayFiP's own forms: date as ddmmyyyy, amount in cents",
			file: "LIGNE;21072017;ABCDEF123456;4250\n",
			want: []domain.SettlementLine{{Line: 1, Date: domain.NewDate(2017, 7, 21), Refdet: "ABCDEF123456", Amount: dec("42.50")}},
		},
		{
			name: "tabs, single quotes, year first without separators",
			file: "'LIGNE'\t'20170721'\t'ABCDEF123456'\t'12,5'\n",
			want: []domain.SettlementLine{{Line: 1, Date: domain.NewDate(2017, 7, 21), Refdet: "ABCDEF123456", Amount: dec("12.5")}},
		},
		{
			name: "Windows-1252: an accent in the header, a euro sign",
			file: "EN-TETE;Relev\xe9\nLIGNE;21/07/2017;ABCDEF123456;1.234,56 \x80\n",
			want: []domain.SettlementLine{{Line: 2, Date: domain.NewDate(2017, 7, 21), Refdet: "ABCDEF123456", Amount: dec("1234.56")}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := domain.ParseSettlementReport([]byte(tt.file))
			require.NoError(t, err)
			require.Len(t, rep.Lines, len(tt.want))
			for i, w := range tt.want {
				got := rep.Lines[i]
				assert.Equal(t, w.Line, got.Line)
				assert.Equal(t, w.Date, got.Date)
				assert.Equal(t, w.Refdet, got.Refdet)
				assert.True(t, w.Amount.Equal(got.Amount), "%s != %s", w.Amount, got.Amount)
			}
			assert.Equal(t, tt.want[0].Date, rep.From)
		})
	}

	t.Run("the period runs from the first to the last date", func(t *testing.T) {
		rep, err := domain.ParseSettlementReport([]byte("LIGNE;22/07/2017;AAAAAA111111;1,00\nLIGNE;20/07/2017;BBBBBB222222;2,00\nLIGNE;21/07/2017;CCCCCC333333;3,00\n"))
		require.NoError(t, err)
		assert.Equal(t, domain.NewDate(2017, 7, 20), rep.From)
		assert.Equal(t, domain.NewDate(2017, 7, 22), rep.To)
	})

	errTests := []struct {
		name string
		file string
		msgs []string
	}{
		{"not a report at all", "Référence;Montant\nABC;12\n", []string{"aucune opération", "LIGNE"}},
		{"an empty file", "", []string{"aucune opération"}},
		{"every faulty line is named", "LIGNE;Date;Ref;Montant\nLIGNE;32/07/2017;ABCDEF123456;1,00\nLIGNE;21/07/2017;AB-12;1,00\nLIGNE;21/07/2017;ABCDEF123456;douze\nLIGNE;21/07/2017\nLIGNE;21/07/2017;ABCDEF123456;-3,00\n",
			[]string{"ligne 2 : date « 32/07/2017 »", "ligne 3 : référence « AB-12 »", "ligne 4 : montant « douze »", "ligne 5 : 2 champs", "ligne 6 : montant « -3,00 »"}},
		{"titles only allowed on the first LIGNE", "LIGNE;21/07/2017;ABCDEF123456;1,00\nLIGNE;Date;Référence;Montant\n", []string{"ligne 2 : date « Date »"}},
		{"more than three decimals", "LIGNE;21/07/2017;ABCDEF123456;1,005\n", []string{"ligne 1 : montant"}},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := domain.ParseSettlementReport([]byte(tt.file))
			require.Error(t, err)
			assert.Equal(t, domain.Invalid, domain.ErrorCode(err))
			for _, m := range tt.msgs {
				assert.Contains(t, domain.ErrorMessage(err), m)
			}
		})
	}

	t.Run("the message is bounded", func(t *testing.T) {
		file := ""
		for range 15 {
			file += "LIGNE;21/07/2017;ABCDEF123456;x1\n"
		}
		_, err := domain.ParseSettlementReport([]byte(file))
		assert.Contains(t, domain.ErrorMessage(err), "et 5 autres erreurs")
		assert.NotContains(t, domain.ErrorMessage(err), "ligne 11 ")
	})
}
