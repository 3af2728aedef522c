package postgres

import "context"

// secretSQL stores the secret unless one of that name exists, and returns
// the stored one either way: two instances asking at once get the same
// (0014_notices_unsubscribe.sql).
const secretSQL = `WITH ins AS (
	INSERT INTO portal_secrets (name, value) VALUES ($1, $2)
	ON CONFLICT (name) DO NOTHING RETURNING value)
SELECT value FROM ins UNION ALL SELECT value FROM portal_secrets WHERE name = $1`

// Secret returns the secret named name, storing fresh if there is none.
func (s *queries) Secret(ctx context.Context, name string, fresh []byte) ([]byte, error) {
	var rows [][]byte
	if err := s.list(ctx, &rows, "secret "+name, secretSQL, name, fresh); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		// The row another transaction inserted is not committed yet
		// (ON CONFLICT waited for it, and it rolled back, or this
		// snapshot predates it): ask again.
		if err := s.list(ctx, &rows, "secret "+name, secretSQL, name, fresh); err != nil {
			return nil, err
		}
	}
	if len(rows) == 0 {
		return nil, notFound("secret %s", name)
	}
	return rows[0], nil
}
