package domain

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"time"

	"github.com/google/uuid"
)

// TokenPurpose says what a single-use link is for.
type TokenPurpose string

// The purposes of a link sent by email.
const (
	TokenActivation  TokenPurpose = "activation"
	TokenReset       TokenPurpose = "reset"
	TokenEmailChange TokenPurpose = "email_change"
	// TokenStaffInvite lets a new staff member choose their password;
	// TokenStaffReset a staff member choose a new one. Staff links are
	// kept apart from citizens' (Token.AccountID is then the staff
	// member's id).
	TokenStaffInvite TokenPurpose = "staff_invite"
	TokenStaffReset  TokenPurpose = "staff_reset"
)

// Valid reports whether p is a known purpose.
func (p TokenPurpose) Valid() bool {
	return p == TokenActivation || p == TokenReset || p == TokenEmailChange || p.Staff()
}

// Staff reports whether p is a purpose of a staff member's link.
func (p TokenPurpose) Staff() bool { return p == TokenStaffInvite || p == TokenStaffReset }

// TokenBytes is the number of random bytes behind a link.
const TokenBytes = 32

// Token is a single-use link sent by email. Only the SHA-256 hash of its
// secret is stored, so a copy of the database opens no account.
type Token struct {
	// Hash is the hex SHA-256 of the secret; it is the token's identity.
	Hash string
	// AccountID is the citizen's account, or the staff member for a
	// staff purpose.
	AccountID uuid.UUID
	Purpose   TokenPurpose
	// NewEmail is the address an email-change token confirms.
	NewEmail  string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time
	RevokedAt time.Time
}

// NewToken makes a token from 32 random bytes the caller drew. It returns
// the token to store and the secret to put in the link (URL-safe base64,
// 43 characters); the secret itself is never stored.
func NewToken(random []byte, accountID uuid.UUID, purpose TokenPurpose, now time.Time, ttl time.Duration) (Token, string, error) {
	if len(random) != TokenBytes {
		return Token{}, "", Errorf(Internal, "Jeton invalide.")
	}
	if !purpose.Valid() || ttl <= 0 {
		return Token{}, "", Errorf(Internal, "Jeton invalide.")
	}
	secret := base64.RawURLEncoding.EncodeToString(random)
	return Token{
		Hash: HashSecret(secret), AccountID: accountID, Purpose: purpose,
		CreatedAt: now, ExpiresAt: now.Add(ttl),
	}, secret, nil
}

// HashSecret returns the stored form of a link or session secret.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Use consumes the token at instant now for purpose. A token serves once,
// for its own purpose, before it expires and unless a newer one revoked it.
func (t *Token) Use(purpose TokenPurpose, now time.Time) error {
	if err := t.Check(purpose, now); err != nil {
		return err
	}
	t.UsedAt = now
	return nil
}

// Check reports whether the token could be used now, without using it.
func (t Token) Check(purpose TokenPurpose, now time.Time) error {
	switch {
	case subtle.ConstantTimeCompare([]byte(t.Purpose), []byte(purpose)) != 1:
		return ErrTokenUnknown
	case !t.UsedAt.IsZero():
		return ErrTokenUsed
	case !t.RevokedAt.IsZero():
		return ErrTokenRevoked
	case !now.Before(t.ExpiresAt):
		return ErrTokenExpired
	}
	return nil
}

// Revoke ends a token that a newer one of the same purpose replaces.
// It reports whether anything changed.
func (t *Token) Revoke(now time.Time) bool {
	if !t.UsedAt.IsZero() || !t.RevokedAt.IsZero() {
		return false
	}
	t.RevokedAt = now
	return true
}
