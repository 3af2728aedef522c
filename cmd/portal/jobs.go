package main

import (
	"context"
	"log/slog"
	"time"
)

// startJob runs fn every interval in the background until Close. Each run
// gets the job's context, cancelled at Close; a failure is logged and the
// next tick tries again. Several portal instances may run the same jobs:
// the use cases they call are idempotent.
func (m *Main) startJob(ctx context.Context, name string, interval time.Duration, fn func(context.Context) (int, error)) {
	ctx, cancel := context.WithCancel(ctx)
	ticker := time.NewTicker(interval)
	done := make(chan struct{})
	go func() {
		defer close(done)
		runEvery(ctx, ticker.C, m.Logger.With("job", name), fn)
	}()
	m.onClose(func() error {
		cancel()
		ticker.Stop()
		<-done
		return nil
	})
}

// runEvery calls fn at each tick until ctx is done.
func runEvery(ctx context.Context, tick <-chan time.Time, log *slog.Logger, fn func(context.Context) (int, error)) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
			n, err := fn(ctx)
			switch {
			case err != nil && ctx.Err() == nil:
				log.Error("job failed", "err", err)
			case n > 0:
				log.Info("job done", "changed", n)
			}
		}
	}
}
