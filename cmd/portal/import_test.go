package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProgressLine(t *testing.T) {
	assert.Nil(t, newProgress(&bytes.Buffer{}, 1<<30), "nothing but a terminal gets a progress line")
	assert.Nil(t, newProgress(nil, 10), "nor does a small file")
	var nothing *progress
	r := strings.NewReader("abc")
	assert.Equal(t, io.Reader(r), nothing.reading(r, "f.csv"), "a nil progress does nothing")
	nothing.end()

	out := &syncBuffer{}
	p := &progress{w: out, size: 10}
	data, err := io.ReadAll(p.reading(strings.NewReader("0123456789"), "reading f.csv"))
	require.NoError(t, err)
	assert.Len(t, data, 10)
	time.Sleep(250 * time.Millisecond)
	p.end()
	s := out.String()
	assert.Contains(t, s, "reading f.csv: 100% (0.0 of 0.0 MB)")
	assert.True(t, strings.HasSuffix(s, "\r\033[K"), "the line is erased at the end")
}
