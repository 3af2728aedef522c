package postgres_test

import (
	"os"
	"testing"

	"github.com/portail-factures/portail/adapters/postgres/pgtest"
)

// TestMain starts a throwaway PostgreSQL when a test needs one (or uses
// PORTAL_TEST_DATABASE_URL) and removes it afterwards.
func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(m, pgtest.Config{
		URL:     os.Getenv(pgtest.EnvURL),
		Require: os.Getenv(pgtest.EnvRequire) == "1",
	}))
}
