package postgres

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/portail-factures/portail/ports"
)

var _ ports.Throttle = (*DB)(nil)

// Hit records one event for key in its window, in one statement that
// every instance may run at once (the row is upserted), and now and then
// deletes the windows that ended, so the table holds only current ones.
func (db *DB) Hit(ctx context.Context, key string, now time.Time, per time.Duration) (int, time.Time, error) {
	start, end := ports.ThrottleWindow(now, per)
	var hits int
	err := db.get(ctx, &hits, "throttle hit", `INSERT INTO throttle (key, window_start, window_end, hits)
		VALUES ($1, $2, $3, 1)
		ON CONFLICT (key, window_start, window_end) DO UPDATE SET hits = throttle.hits + 1
		RETURNING hits`, key, start, end)
	if err != nil {
		return 0, end, err
	}
	if rand.IntN(100) == 0 {
		_, _ = db.exec(ctx, "throttle sweep", `DELETE FROM throttle WHERE window_end < $1`, now)
	}
	return hits, end, nil
}

// Count returns the events of key in its window without recording one.
func (db *DB) Count(ctx context.Context, key string, now time.Time, per time.Duration) (int, time.Time, error) {
	start, end := ports.ThrottleWindow(now, per)
	var hits []int
	err := db.list(ctx, &hits, "throttle count", `SELECT hits FROM throttle
		WHERE key = $1 AND window_start = $2 AND window_end = $3`, key, start, end)
	if err != nil || len(hits) == 0 {
		return 0, end, err
	}
	return hits[0], end, nil
}

// Undo takes back one event of key in its window, in one statement: the
// row of a last event is deleted (a row never holds zero), any other is
// decremented. Should a Hit of the same key commit meanwhile, the undo is
// lost rather than counted twice: the limit errs on the strict side.
func (db *DB) Undo(ctx context.Context, key string, now time.Time, per time.Duration) error {
	start, end := ports.ThrottleWindow(now, per)
	_, err := db.exec(ctx, "throttle undo", `WITH last AS (
			DELETE FROM throttle WHERE key = $1 AND window_start = $2 AND window_end = $3 AND hits = 1
		)
		UPDATE throttle SET hits = hits - 1
		WHERE key = $1 AND window_start = $2 AND window_end = $3 AND hits > 1`, key, start, end)
	return err
}
