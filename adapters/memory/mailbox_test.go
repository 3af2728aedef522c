package memory_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/memory"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

func TestMailboxKeepsTheLastMailsNewestFirst(t *testing.T) {
	clock := portstest.NewFixedClock(portstest.Epoch)
	box := memory.NewMailbox(clock, 3)
	assert.Empty(t, box.Mails())
	for i := range 5 {
		require.NoError(t, box.Send(t.Context(), ports.Mail{To: "a@exemple.fr", Subject: fmt.Sprint(i)}))
		clock.Advance(time.Minute)
		if i == 1 {
			got := box.Mails()
			require.Len(t, got, 2, "while filling up")
			assert.Equal(t, "1", got[0].Subject)
			assert.Equal(t, "0", got[1].Subject)
		}
	}
	got := box.Mails()
	require.Len(t, got, 3)
	for i, want := range []string{"4", "3", "2"} {
		assert.Equal(t, want, got[i].Subject)
	}
	assert.True(t, got[0].At.Equal(portstest.Epoch.Add(4*time.Minute)), "dated by the clock")
}

func TestMailboxDefaultSizeAndConcurrency(t *testing.T) {
	box := memory.NewMailbox(ports.SystemClock{}, 0)
	var wg sync.WaitGroup
	for g := range 10 {
		wg.Go(func() {
			for i := range 30 {
				_ = box.Send(t.Context(), ports.Mail{Subject: fmt.Sprint(g, i)})
				_ = box.Mails()
			}
		})
	}
	wg.Wait()
	assert.Len(t, box.Mails(), memory.DefaultMailboxSize)
}
