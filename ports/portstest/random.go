package portstest

import (
	"math/rand/v2"
	"sync"

	"github.com/portail-factures/portail/ports"
)

var _ ports.Random = (*SeqRandom)(nil)

// SeqRandom is a deterministic ports.Random for tests: the same seed
// always yields the same byte stream, so that tokens, references and ids
// drawn from it are the same at every run. Successive reads continue the
// stream and never repeat it in practice. It is safe for concurrent use
// (concurrent readers share one stream, so which reader gets which bytes
// then depends on scheduling). Its zero value is the stream of seed 0.
//
// It is not secure: never use it outside tests.
type SeqRandom struct {
	mu  sync.Mutex
	src *rand.ChaCha8
}

// NewSeqRandom returns the stream of seed.
func NewSeqRandom(seed uint64) *SeqRandom {
	return &SeqRandom{src: rand.NewChaCha8(seedBytes(seed))}
}

func seedBytes(seed uint64) [32]byte {
	var b [32]byte
	for i := range 8 {
		b[i] = byte(seed >> (8 * i))
	}
	return b
}

// Read fills p with the next bytes of the stream. It never fails.
func (r *SeqRandom) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.src == nil {
		r.src = rand.NewChaCha8(seedBytes(0))
	}
	return r.src.Read(p)
}
