package ports

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewV7(t *testing.T) {
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	id, err := newV7(now, bytes.NewReader(bytes.Repeat([]byte{0xff}, 10)))
	require.NoError(t, err)
	assert.Equal(t, 7, int(id.Version()))
	assert.Equal(t, "RFC4122", id.Variant().String())
	sec, nsec := id.Time().UnixTime()
	assert.Equal(t, now.Unix(), sec, "the time is the portal's clock's")
	assert.Zero(t, nsec)
	later, err := newV7(now.Add(time.Millisecond), bytes.NewReader(make([]byte, 10)))
	require.NoError(t, err)
	assert.Negative(t, bytes.Compare(id[:], later[:]), "ids sort by creation time, whatever their random part")
	_, err = newV7(now, bytes.NewReader(nil))
	assert.Error(t, err)
}

func TestSequentialIDsSortInCreationOrder(t *testing.T) {
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	next := sequentialIDs(now, bytes.NewReader(bytes.Repeat([]byte{0xff, 0x00, 0x5a}, 1000)))
	prev, err := next()
	require.NoError(t, err)
	for i := 0; i < 200; i++ {
		id, err := next()
		require.NoError(t, err)
		assert.Equal(t, 7, int(id.Version()))
		assert.Equal(t, "RFC4122", id.Variant().String())
		assert.Negative(t, bytes.Compare(prev[:], id[:]), "id %d sorts after the one before", i)
		prev = id
	}
}
