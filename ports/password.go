package ports

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/portail-factures/portail/domain"
)

// Argon2Params are the cost parameters of argon2id. They are stored in
// every hash (PHC string format), so raising them later leaves existing
// hashes readable, and NeedsRehash tells which to renew at next login.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultArgon2 follows OWASP's password storage recommendation for
// argon2id (19 MiB, 2 passes, 1 thread).
var DefaultArgon2 = Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// PasswordHasher hashes and verifies passwords with argon2id.
type PasswordHasher struct {
	Params Argon2Params
	Random Random
	// Slots bounds the hashes HashBounded and VerifyBounded run at once;
	// nil: no bound (Hash and Verify never wait).
	Slots *HashSlots
}

// HashSlots bounds how many argon2id hashes run at once. Each hash holds
// Argon2Params.Memory KiB while it runs, so the slots bound the memory
// logins take whatever their number: a hash waits at most the slots'
// wait for a free slot, then gives domain.ErrBusy (« Le service est très
// sollicité : réessayez dans un instant. ») instead of growing memory.
type HashSlots struct {
	free chan struct{}
	// queue holds a place for each hash running or waiting: a hash that
	// finds it full is refused at once (see NewHashSlots).
	queue chan struct{}
	wait  time.Duration

	mu            sync.Mutex
	running, peak int
}

// NewHashSlots allows n hashes at once (at least one), each waiting at
// most wait for its turn. At most HashQueuePerSlot hashes per slot wait
// at once; more are refused at once (domain.ErrBusy): a burst then costs
// one short answer per request as it comes, instead of every request held
// in memory for the wait and answered all together.
func NewHashSlots(n int, wait time.Duration) *HashSlots {
	n = max(n, 1)
	return &HashSlots{free: make(chan struct{}, n), queue: make(chan struct{}, n+n*HashQueuePerSlot), wait: wait}
}

// HashQueuePerSlot is how many hashes may wait for each slot: about what
// a slot hashes in the default wait of 2 s (a hash of DefaultArgon2 takes
// some 85 ms on one core of the machine in README's "Measurements").
const HashQueuePerSlot = 16

// HashMemoryBudget is the memory the default number of slots lets
// argon2id take at once: 64 MiB.
const HashMemoryBudget = 64 << 20

// DefaultHashSlots is the number of hashes allowed at once by default:
// as many as the processors Go runs on divided by the hash's threads
// (argon2id is pure computation: a hash more only waits in memory), within
// HashMemoryBudget, and at least one.
func DefaultHashSlots(p Argon2Params) int {
	perHash := max(int(p.Memory)*1024, 1)
	n := min(runtime.GOMAXPROCS(0)/max(int(p.Threads), 1), HashMemoryBudget/perHash)
	return max(n, 1)
}

// Size is the number of hashes allowed at once.
func (s *HashSlots) Size() int { return cap(s.free) }

// Peak is the most hashes that ran at once since the slots were made.
func (s *HashSlots) Peak() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

// Waiting is the number of hashes waiting for a slot now.
func (s *HashSlots) Waiting() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue) - s.running
}

// Acquire takes a slot, waiting at most the slots' wait (or until ctx
// ends): domain.ErrBusy then. release gives the slot back.
func (s *HashSlots) Acquire(ctx context.Context) (release func(), err error) {
	select {
	case s.queue <- struct{}{}:
	default:
		return nil, domain.ErrBusy
	}
	select {
	case s.free <- struct{}{}:
	default:
		t := time.NewTimer(s.wait)
		defer t.Stop()
		select {
		case s.free <- struct{}{}:
		case <-t.C:
			<-s.queue
			return nil, domain.ErrBusy
		case <-ctx.Done():
			<-s.queue
			return nil, domain.ErrBusy
		}
	}
	s.mu.Lock()
	s.running++
	s.peak = max(s.peak, s.running)
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			s.running--
			s.mu.Unlock()
			<-s.free
			<-s.queue
		})
	}, nil
}

// acquire takes one of h's slots, if it has any.
func (h PasswordHasher) acquire(ctx context.Context) (func(), error) {
	if h.Slots == nil {
		return func() {}, nil
	}
	return h.Slots.Acquire(ctx)
}

// HashBounded is Hash in one of h's slots: domain.ErrBusy when none
// frees up in time; any other failure is Internal.
func (h PasswordHasher) HashBounded(ctx context.Context, pw string) (string, error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	hash, err := h.Hash(pw)
	if err != nil {
		return "", domain.WrapInternal(err)
	}
	return hash, nil
}

// VerifyBounded is Verify in one of h's slots: domain.ErrBusy when none
// frees up in time.
func (h PasswordHasher) VerifyBounded(ctx context.Context, pw, encoded string) (bool, error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	return h.Verify(pw, encoded), nil
}

// Hash returns the encoded hash of pw:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>.
func (h PasswordHasher) Hash(pw string) (string, error) {
	p := h.Params
	salt := make([]byte, p.SaltLen)
	if _, err := io.ReadFull(h.Random, salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether pw matches the encoded hash, in constant time
// with respect to the key. A malformed hash never matches.
func (h PasswordHasher) Verify(pw, encoded string) bool {
	p, salt, key, ok := decodeHash(encoded)
	if !ok {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1
}

// NeedsRehash reports whether encoded was made with other parameters than
// the hasher's, so it should be replaced after a successful login.
func (h PasswordHasher) NeedsRehash(encoded string) bool {
	p, _, key, ok := decodeHash(encoded)
	return !ok || p.Memory != h.Params.Memory || p.Time != h.Params.Time ||
		p.Threads != h.Params.Threads || uint32(len(key)) != h.Params.KeyLen
}

func decodeHash(encoded string) (p Argon2Params, salt, key []byte, ok bool) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, false
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, false
	}
	// Refuse absurd costs so that a forged hash in the store cannot make a
	// login spend minutes or gigabytes.
	if p.Memory == 0 || p.Memory > 1<<21 || p.Time == 0 || p.Time > 16 || p.Threads == 0 {
		return p, nil, nil, false
	}
	var err error
	if salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, false
	}
	if key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(key) < 16 {
		return p, nil, nil, false
	}
	return p, salt, key, true
}

// MinStaffPasswordLength is the least a staff password may have: staff
// see every payer's data, so the citizens' minimum is not enough.
const MinStaffPasswordLength = 12
