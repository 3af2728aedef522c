package memory

import (
	"context"
	"slices"
)

// secrets are the portal's own keys (ports.SecretStore).
type secrets struct {
	rows table[string, []byte]
}

func (s *secrets) init() {
	s.rows = newTable[string](func([]byte) {}, func([]byte) {})
}

// Secret returns the secret named name, storing a copy of fresh first if
// there is none.
func (t *tx) Secret(ctx context.Context, name string, fresh []byte) (_ []byte, err error) {
	t, done, err := t.writing(ctx)
	if err != nil {
		return nil, err
	}
	defer done(&err)
	if v, ok := t.t.secrets.rows.rows[name]; ok {
		return slices.Clone(v), nil
	}
	t.journal(t.t.secrets.rows.put(name, slices.Clone(fresh)))
	return slices.Clone(fresh), nil
}
