package dev

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLinkifyIsSafe(t *testing.T) {
	parts := linkify("Voir https://a.fr/x?lien=1. Puis <script>alert(1)</script> javascript:alert(1)")
	require.Len(t, parts, 3)
	assert.Equal(t, "https://a.fr/x?lien=1", parts[1].URL)
	assert.Equal(t, ". Puis <script>alert(1)</script> javascript:alert(1)", parts[2].Text)
	assert.Empty(t, parts[2].URL)
}
