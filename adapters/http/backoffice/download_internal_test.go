package backoffice

import (
	"io"
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
