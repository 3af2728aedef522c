package ports

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/argon2"
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
