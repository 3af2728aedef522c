package pgtest

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMissingPostgreSQLSkipsOrFails(t *testing.T) {
	saved := lookBinaries
	t.Cleanup(func() {
		lookBinaries = saved
		state.skip, state.cfg = "", Config{}
	})
	lookBinaries = func() (string, error) { return "", errors.New("no PostgreSQL server binaries") }

	state.cfg = Config{}
	require.NoError(t, start())
	assert.Contains(t, state.skip, "PostgreSQL tests skipped")
	assert.Contains(t, state.skip, "apt-get install -y postgresql", "the skip says how to install it")

	state.skip, state.cfg = "", Config{Require: true}
	err := start()
	require.Error(t, err, "PORTAL_REQUIRE_POSTGRES turns the skip into a failure")
	assert.Contains(t, err.Error(), "apt-get install -y postgresql")
	assert.Empty(t, state.skip)
}

func TestMissingPgBouncerSkipsOrFails(t *testing.T) {
	saved := lookBouncer
	t.Cleanup(func() { lookBouncer = saved })
	lookBouncer = func() (string, error) { return "", errors.New("no pgbouncer") }

	bin, skip, err := bouncerBinary(false)
	require.NoError(t, err)
	assert.Empty(t, bin)
	assert.Contains(t, skip, "PgBouncer tests skipped")
	assert.Contains(t, skip, "apt-get install -y pgbouncer", "the skip says how to install it")

	_, skip, err = bouncerBinary(true)
	require.Error(t, err, "PORTAL_REQUIRE_POSTGRES turns the skip into a failure")
	assert.Contains(t, err.Error(), "apt-get install -y pgbouncer")
	assert.Empty(t, skip)

	lookBouncer = func() (string, error) { return "/usr/sbin/pgbouncer", nil }
	bin, skip, err = bouncerBinary(true)
	require.NoError(t, err)
	assert.Equal(t, "/usr/sbin/pgbouncer", bin)
	assert.Empty(t, skip)
}

func TestFindBinariesBesidePath(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"initdb", "pg_ctl"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), 0o755))
	}
	t.Setenv("PATH", dir)
	got, err := findBinaries()
	require.NoError(t, err)
	assert.Equal(t, dir, got, "the directory of initdb on PATH comes first")

	t.Setenv("PATH", t.TempDir())
	if got, err := findBinaries(); err == nil {
		assert.Contains(t, got, "postgresql", "else a packaged server's directory")
	}
}

func TestVersionOf(t *testing.T) {
	assert.Equal(t, 15, versionOf("/usr/lib/postgresql/15/bin"))
	assert.Equal(t, 16, versionOf("/usr/pgsql-16/bin"))
	assert.Equal(t, 0, versionOf("/usr/local/bin"))
}
