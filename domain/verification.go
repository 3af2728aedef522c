package domain

import (
	"strings"
)

// verificationAlphabet has no ambiguous characters (no 0/O, 1/I/L, 2/Z,
// 5/S, 8/B, U/V): 23 letters and digits, read aloud or typed without doubt.
const verificationAlphabet = "34679ACDEFGHJKMNPQRTWXY"

// VerificationCodeLength is the number of characters of a verification
// code, shown in groups of four: "K7MX-3QHD-9PWA". 23^12 ≈ 2^54 codes.
const VerificationCodeLength = 12

// VerificationRandomBytes is the number of random bytes
// NewVerificationCode needs: one per character, drawn without bias.
const VerificationRandomBytes = 64

// NewVerificationCode makes a code from random bytes (from crypto/rand),
// rejecting bytes that would bias the draw. It returns "" when random is
// too short to fill the code, which 64 bytes make vanishingly rare: the
// caller then draws again.
func NewVerificationCode(random []byte) string {
	n := len(verificationAlphabet)
	limit := 256 - 256%n
	var b strings.Builder
	count := 0
	for _, c := range random {
		if int(c) >= limit {
			continue
		}
		if count > 0 && count%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(verificationAlphabet[int(c)%n])
		count++
		if count == VerificationCodeLength {
			return b.String()
		}
	}
	return ""
}

// NormalizeVerificationCode reads what someone typed: case, spaces and
// dashes do not matter. It returns the code in its canonical form, or ""
// when the input cannot be a code.
func NormalizeVerificationCode(s string) string {
	var raw []byte
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-' || r == '\u00a0' || r == '\t':
			continue
		case r < 128 && strings.IndexByte(verificationAlphabet, byte(r)) >= 0:
			raw = append(raw, byte(r))
		default:
			return ""
		}
	}
	if len(raw) != VerificationCodeLength {
		return ""
	}
	var b strings.Builder
	for i, c := range raw {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(c)
	}
	return b.String()
}
