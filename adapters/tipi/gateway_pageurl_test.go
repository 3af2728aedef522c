package tipi_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/tipi"
)

func TestPageURLFollowsTheMode(t *testing.T) {
	g, err := tipi.New(tipi.Config{PublicURL: "https://factures.exemple.fr"})
	require.NoError(t, err)
	assert.Equal(t, tipi.DefaultPageURL, g.PageURL())
	g, err = tipi.New(tipi.Config{Mode: tipi.ModeTIPI, PublicURL: "https://factures.exemple.fr"})
	require.NoError(t, err)
	assert.Equal(t, tipi.DefaultTipiURL, g.PageURL())
}
