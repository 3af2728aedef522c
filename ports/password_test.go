package ports_test

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
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

func TestHashSlotsBoundTheHashesAtOnce(t *testing.T) {
	slots := ports.NewHashSlots(1, time.Millisecond)
	h := ports.PasswordHasher{Params: fastArgon2, Random: portstest.NewSeqRandom(5), Slots: slots}
	enc, err := h.HashBounded(context.Background(), "demo1234")
	require.NoError(t, err)
	ok, err := h.VerifyBounded(context.Background(), "demo1234", enc)
	require.NoError(t, err)
	assert.True(t, ok)

	release, err := slots.Acquire(context.Background())
	require.NoError(t, err)
	_, err = h.VerifyBounded(context.Background(), "demo1234", enc)
	assert.ErrorIs(t, err, domain.ErrBusy, "no slot within the wait")
	_, err = h.HashBounded(context.Background(), "demo1234")
	assert.ErrorIs(t, err, domain.ErrBusy)
	assert.Equal(t, "Le service est très sollicité : réessayez dans un instant.", domain.ErrorMessage(err))
	assert.Equal(t, domain.Unavailable, domain.ErrorCode(err))
	release()
	release() // a second release gives back nothing more
	_, err = h.HashBounded(context.Background(), "demo1234")
	assert.NoError(t, err)
	assert.Equal(t, 1, slots.Peak())
}

func TestDefaultHashSlotsFollowProcessorsAndMemory(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	assert.Equal(t, min(procs, 3), ports.DefaultHashSlots(ports.DefaultArgon2), "19 MiB each within 64 MiB")
	assert.Equal(t, 1, ports.DefaultHashSlots(ports.Argon2Params{Memory: 1 << 20, Time: 1, Threads: 1}), "one 1 GiB hash at a time")
	assert.Equal(t, max(procs/4, 1), ports.DefaultHashSlots(ports.Argon2Params{Memory: 1024, Time: 1, Threads: 4}))
}

func TestHashSlotsRefuseAtOnceWhenTheQueueIsFull(t *testing.T) {
	slots := ports.NewHashSlots(1, time.Hour)
	release, err := slots.Acquire(context.Background())
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	var waiters sync.WaitGroup
	for range ports.HashQueuePerSlot {
		waiters.Go(func() {
			_, err := slots.Acquire(ctx)
			assert.ErrorIs(t, err, domain.ErrBusy, "given up when the request ends")
		})
	}
	for slots.Waiting() < ports.HashQueuePerSlot {
		runtime.Gosched()
	}
	// The wait is an hour: only a refusal at once lets the test go on.
	_, err = slots.Acquire(context.Background())
	assert.ErrorIs(t, err, domain.ErrBusy)
	cancel()
	waiters.Wait()
	assert.Zero(t, slots.Waiting())
	release()
	again, err := slots.Acquire(context.Background())
	require.NoError(t, err)
	again()
}
