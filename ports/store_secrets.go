package ports

import "context"

// SecretStore keeps the portal's own keys, shared by every instance on one
// store: today the key of the unsubscribe links (core_unsubscribe.go).
type SecretStore interface {
	// Secret returns the secret named name. The first call stores fresh
	// and returns it; every later call, from any instance, returns what
	// was stored first, whatever fresh it passes. A secret never changes
	// once stored.
	Secret(ctx context.Context, name string, fresh []byte) ([]byte, error)
}
