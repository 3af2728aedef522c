package ports_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"

	"github.com/portail-factures/portail/ports"
)

func TestBillerWatchesTellEachWatchInOrder(t *testing.T) {
	var w ports.BillerWatches
	var heard []string
	watch := func(name string) func(uuid.UUID) {
		return func(id uuid.UUID) { heard = append(heard, name+":"+id.String()[:4]) }
	}
	told := false
	w.Add(context.Background(), watch("a"), func() bool { return told })
	told = true
	w.Add(context.Background(), watch("b"), func() bool { return told })
	assert.Equal(t, []string{"b:0000"}, heard, "only a watch added once changes are told hears uuid.Nil at once")

	heard = nil
	one, two := uuid.MustParse("11110000-0000-4000-8000-000000000000"), uuid.MustParse("22220000-0000-4000-8000-000000000000")
	w.Tell(one, two)
	assert.Equal(t, []string{"a:1111", "b:1111", "a:2222", "b:2222"}, heard)
}

func TestBillerWatchesForgetAWatchWhoseContextEnded(t *testing.T) {
	var w ports.BillerWatches
	ctx, cancel := context.WithCancel(context.Background())
	heard := 0
	w.Add(ctx, func(uuid.UUID) { heard++ }, func() bool { return false })
	w.Tell(uuid.New())
	assert.Equal(t, 1, heard)
	cancel()
	// The watch is removed by a function run after ctx ends, in a
	// goroutine of its own: tell until it no longer hears (a watch never
	// removed fails by the test's timeout), then it must never hear again.
	for before := heard; ; before = heard {
		w.Tell(uuid.New())
		if heard == before {
			break
		}
	}
	stopped := heard
	w.Tell(uuid.New(), uuid.New())
	assert.Equal(t, stopped, heard)
}
