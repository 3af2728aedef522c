package kit

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSafeFileName(t *testing.T) {
	for in, want := range map[string]string{
		"facture-2026-020-002059": "facture-2026-020-002059",
		"facture-../../etc":       "facture-..-..-etc",
		"..":                      "-.",
		`a"b;c` + "\r\n":          "a-b-c--",
		"Été 2026":                "-t--2026",
		"":                        "facture",
		strings.Repeat("x", 300):  strings.Repeat("x", 100),
	} {
		assert.Equal(t, want, SafeFileName(in), in)
	}
}
