package tipi

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
)

// The echoed saisie tells a test payment from a real one (docs/payfip.md
// §3.12): it reaches the domain's report in both modes.

func TestStatusCarriesTheEchoedSaisie(t *testing.T) {
	for echoed, want := range map[string]domain.Saisie{"T": domain.SaisieTest, "X": domain.SaisieActivation, "W": domain.SaisieProduction, "w": domain.SaisieProduction, "Q": "", "": ""} {
		t.Run("saisie "+echoed, func(t *testing.T) {
			r, err := statusFrom(t, http.StatusOK, answerDetail("P", map[string]string{"saisie": echoed}))
			require.NoError(t, err)
			assert.Equal(t, want, r.Saisie)
		})
	}
}

func TestURLModeCallbackCarriesTheEchoedSaisie(t *testing.T) {
	def := mustGateway(t, Config{Mode: ModeTIPI})
	xProd := mustGateway(t, Config{Mode: ModeTIPI, URLSaisie: map[domain.Saisie]string{domain.SaisieProduction: "X"}})
	tests := []struct {
		name   string
		g      *Gateway
		letter string
		want   domain.Saisie
	}{
		{"T is test", def, "T", domain.SaisieTest},
		{"A is production by default", def, "A", domain.SaisieProduction},
		{"X is activation by default", def, "X", domain.SaisieActivation},
		{"X is production when configured so", xProd, "X", domain.SaisieProduction},
		{"T stays test whatever the configuration", xProd, "t", domain.SaisieTest},
		{"an unknown letter is not known", def, "M", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := callback()
			p.Set("saisie", tt.letter)
			n, err := tt.g.ReadNotification(context.Background(), p)
			require.NoError(t, err)
			require.NotNil(t, n.Report)
			assert.Equal(t, tt.want, n.Report.Saisie)
		})
	}
}
