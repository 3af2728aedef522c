package tipi

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNormalizeObjet(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain label unchanged", "Facture 2024 001", "Facture 2024 001"},
		{"accents stripped", "Redevance d'été à Noël – crèche", "Redevance d ete a Noel creche"},
		{"ligatures spelt out", "Œuvre sœur Æ", "OEuvre soeur AE"},
		{"apostrophes and hyphens become spaces", "l'eau-potable l’assainissement", "l eau potable l assainissement"},
		{"slashes keep numbers apart", "F-2024/001", "F 2024 001"},
		{"markup and quotes dropped", `<b>Eau & "assainissement"</b>`, "bEau assainissement b"},
		{"spaces collapsed and trimmed", "  Facture \t\n 42  ", "Facture 42"},
		{"no-break spaces are spaces", "Facture\u00a0n°\u202f42", "Facture no 42"},
		{"degree sign of n° kept as o", "Facture n°42", "Facture no42"},
		{"only symbols gives empty", "&<>\"'€", ""},
		{"empty stays empty", "", ""},
		{"other scripts dropped", "Счёт 12 账单", "12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, normalizeObjet(tt.in))
		})
	}
}

func TestNormalizeObjetLength(t *testing.T) {
	long := strings.Repeat("é", 150)
	assert.Equal(t, strings.Repeat("e", 100), normalizeObjet(long))
	// A cut that ends on a space leaves no trailing space.
	words := strings.Repeat("abcd ", 30)
	got := normalizeObjet(words)
	assert.LessOrEqual(t, len(got), 100)
	assert.False(t, strings.HasSuffix(got, " "))
	assert.True(t, safeObjet(got))
}
