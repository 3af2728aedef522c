package ports_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

func TestArgon2idHashes(t *testing.T) {
	h := ports.PasswordHasher{Params: fastArgon2, Random: portstest.NewSeqRandom(3)}
	enc, err := h.Hash("demo1234")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(enc, "$argon2id$v=19$m=1024,t=1,p=1$"), enc)
	assert.True(t, h.Verify("demo1234", enc))
	assert.False(t, h.Verify("demo1235", enc))
	other, err := h.Hash("demo1234")
	require.NoError(t, err)
	assert.NotEqual(t, enc, other, "a fresh salt every time")
	assert.False(t, h.NeedsRehash(enc))

	stronger := ports.PasswordHasher{Params: ports.DefaultArgon2, Random: portstest.NewSeqRandom(4)}
	assert.True(t, stronger.Verify("demo1234", enc), "parameters are read from the hash")
	assert.True(t, stronger.NeedsRehash(enc))

	for _, bad := range []string{"", "demo1234", "$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5", "$argon2id$v=19$m=4294967295,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=18$m=1024,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5", strings.Replace(enc, "$v=19$", "$v=19$$", 1)} {
		assert.False(t, h.Verify("demo1234", bad), "%q never matches", bad)
	}
}
