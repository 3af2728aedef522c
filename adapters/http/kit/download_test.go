package kit

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSpoolGoesToATemporaryFileBeyondItsMemory(t *testing.T) {
	saved := spoolMemory
	spoolMemory = 10
	t.Cleanup(func() { spoolMemory = saved })
	sp := &spool{}
	_, err := io.WriteString(sp, "0123456")
	require.NoError(t, err)
	assert.Nil(t, sp.file)
	_, err = io.WriteString(sp, "789abc")
	require.NoError(t, err)
	require.NotNil(t, sp.file, "over the limit")
	name := sp.file.Name()
	r, err := sp.reader()
	require.NoError(t, err)
	all, err := io.ReadAll(r)
	require.NoError(t, err)
	assert.Equal(t, "0123456789abc", string(all))
	assert.Equal(t, int64(13), sp.size)
	sp.close()
	assert.NoFileExists(t, name, "removed afterwards")
}

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
