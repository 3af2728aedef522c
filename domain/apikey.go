package domain

import (
	"encoding/base64"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// APIKeyPrefix starts every API key, so that a key pasted by mistake in a
// ticket or a repository is recognisable (and secret scanners can match it).
const APIKeyPrefix = "pdf_"

// APIKeyRandomBytes is the number of random bytes of a key's secret.
const APIKeyRandomBytes = 32

// APIKey lets a biller's billing software call the API. The store keeps
// only the hash of its secret; the secret is shown once, when it is made.
type APIKey struct {
	ID       uuid.UUID
	BillerID uuid.UUID
	// Name says what uses the key ("logiciel de facturation").
	Name string
	// Hash is HashSecret of the whole key.
	Hash string
	// Hint is the key's first characters, to tell keys apart in lists.
	Hint      string
	CreatedAt time.Time
	// CreatedBy names who made the key, as the audit log names them: a
	// staff member's address, or « Ligne de commande ».
	CreatedBy  string
	RevokedAt  time.Time
	LastUsedAt time.Time
	// NonceHash is HashSecret of the one-time nonce of the back office's
	// creation form that made the key (APIKeyNonceHash), so that posting
	// the same form again makes no second key; empty for a key made on
	// the command line.
	NonceHash string
}

// APIKeyNonceBytes is the number of random bytes of the nonce that the
// back office's key creation form carries.
const APIKeyNonceBytes = 16

// ErrAPIKeyAlreadyCreated answers a creation form posted again (the page
// of the secret reloaded, a double click): its key exists, and its
// secret cannot be shown again since only its hash is kept.
var ErrAPIKeyAlreadyCreated = &Error{Code: Conflict,
	Message: "Cette clé d'API a déjà été créée par ce formulaire. Sa valeur secrète n'est affichée qu'une fois et ne peut plus l'être : si vous ne l'avez pas notée, révoquez la clé et créez-en une autre."}

// ErrAPIKeyFormExpired refuses a creation form without a valid nonce
// (altered, or from before nonces existed).
var ErrAPIKeyFormExpired = &Error{Code: Invalid,
	Message: "Le formulaire de création n'est plus valable : vérifiez le nom de la clé et créez-la avec le formulaire ci-dessous."}

// NewAPIKeyNonce makes a creation form's nonce from random bytes.
func NewAPIKeyNonce(random []byte) string {
	return base64.RawURLEncoding.EncodeToString(random)
}

// APIKeyNonceHash checks a creation form's nonce (NewAPIKeyNonce of
// APIKeyNonceBytes bytes) and returns its hash (APIKey.NonceHash).
func APIKeyNonceHash(nonce string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(nonce)
	if err != nil || len(b) != APIKeyNonceBytes {
		return "", ErrAPIKeyFormExpired
	}
	return HashSecret(nonce), nil
}

// ErrAPIKeysAdminOnly refuses the back office's API keys to anyone but
// an administrator of the biller.
var ErrAPIKeysAdminOnly = &Error{Code: Forbidden,
	Message: "Seul un administrateur du service peut gérer les clés d'API."}

// CanManageAPIKeys reports whether the role may list, create and revoke
// the biller's API keys in the back office.
func (r StaffRole) CanManageAPIKeys() bool { return r == RoleAdmin }

// NewAPIKey makes a key from random bytes and returns it with its secret;
// by names who makes it (APIKey.CreatedBy).
func NewAPIKey(id, billerID uuid.UUID, name, by string, random []byte, now time.Time) (APIKey, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return APIKey{}, "", FieldError("name", "Le nom de la clé est obligatoire (100 caractères au plus).")
	}
	if len(random) < 16 {
		return APIKey{}, "", Errorf(Internal, "Clé trop courte.")
	}
	secret := APIKeyPrefix + base64.RawURLEncoding.EncodeToString(random)
	return APIKey{
		ID: id, BillerID: billerID, Name: name, Hash: HashSecret(secret),
		Hint: secret[:len(APIKeyPrefix)+6], CreatedAt: now, CreatedBy: by,
	}, secret, nil
}

// Active reports whether the key may still be used.
func (k APIKey) Active() bool { return k.RevokedAt.IsZero() }

// Revoke ends the key; revoking twice keeps the first date.
func (k *APIKey) Revoke(now time.Time) {
	if k.RevokedAt.IsZero() {
		k.RevokedAt = now
	}
}
