package ports

import (
	"context"
	"time"
)

// JobRuns records the runs of the daily jobs.
type JobRuns interface {
	// ClaimRun records that job ran for key (a day: "2026-11-26") and
	// returns true, or returns false when some process claimed it
	// already: several instances share one store and only one of them
	// runs a daily job.
	ClaimRun(ctx context.Context, job, key string, at time.Time) (bool, error)
}
