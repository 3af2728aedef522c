package main

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRunEveryRunsAtEachTickAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	tick := make(chan time.Time)
	calls := make(chan int, 3)
	logs := &syncBuffer{}
	done := make(chan struct{})
	n := 0
	go func() {
		defer close(done)
		runEvery(ctx, tick, slog.New(slog.NewTextHandler(logs, nil)), func(context.Context) (int, error) {
			n++
			calls <- n
			if n == 2 {
				return 0, errors.New("PayFiP unreachable")
			}
			return 1, nil
		})
	}()
	tick <- time.Now()
	assert.Equal(t, 1, <-calls)
	tick <- time.Now()
	assert.Equal(t, 2, <-calls)
	tick <- time.Now()
	assert.Equal(t, 3, <-calls, "a failure does not stop the job")
	cancel()
	<-done
	assert.Contains(t, logs.String(), "PayFiP unreachable")
	assert.Contains(t, logs.String(), "changed=1")
}

func TestStartJobRunsAtOnceThenEveryInterval(t *testing.T) {
	m := &Main{Logger: slog.New(slog.DiscardHandler)}
	calls := make(chan struct{}, 1)
	m.startJob(context.Background(), "test", time.Hour, func(context.Context) (int, error) {
		calls <- struct{}{}
		return 0, nil
	})
	<-calls // without waiting for the hour: a restarted process runs its jobs
	assert.NoError(t, m.Close())
}
