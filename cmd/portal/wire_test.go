package main

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServeRefusesADatabaseItCannotUse(t *testing.T) {
	clearEnv(t)
	m := NewMain()
	m.Stdout, m.Stderr = io.Discard, io.Discard
	require.NoError(t, m.ParseArgs([]string{"serve", "--database-url", "postgres://portal@localhost/portal"}))
	err := m.Run(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no PostgreSQL store yet")
	assert.NotContains(t, err.Error(), "portal@localhost", "the URL may hold a password and is never echoed")
}

func TestServeWiresTheUseCasesOnTheMemoryStore(t *testing.T) {
	clearEnv(t)
	m := NewMain()
	m.Stdout, m.Stderr = io.Discard, io.Discard
	require.NoError(t, m.ParseArgs([]string{"serve"}))
	m.Logger = slog.New(slog.DiscardHandler)
	_, err := m.buildHandler(context.Background())
	require.NoError(t, err)
	require.NotNil(t, m.portal)
	assert.Equal(t, "http://127.0.0.1:8080", m.portal.Config().PublicURL)
}
