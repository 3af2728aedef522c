package domain_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"

	"github.com/portail-factures/portail/domain"
)

func TestNormalizeHost(t *testing.T) {
	for in, want := range map[string]string{
		"Factures.Demoville.FR":      "factures.demoville.fr",
		"factures.demoville.fr:8443": "factures.demoville.fr",
		"factures.demoville.fr.":     "factures.demoville.fr",
		" 127.0.0.1:8080 ":           "127.0.0.1",
		"https://x.fr/":              "https://x.fr/", // not a host: left for Validate to refuse
		"x.fr:":                      "x.fr:",
	} {
		assert.Equal(t, want, domain.NormalizeHost(in), in)
	}
}

func TestBillerHostsAreValidated(t *testing.T) {
	b, err := domain.NewBiller(uuid.New(), "Commune", "004200", "", now)
	assert.NoError(t, err)
	for _, hosts := range [][]string{{"https://x.fr/"}, {"x.fr", "x.fr"}, {"X.fr"}, {""}, {"x_y.fr"}} {
		b.Hosts = hosts
		assert.Equal(t, "hosts", domain.ErrorField(b.Validate()), "%q", hosts)
	}
	b.Hosts = []string{"factures.demoville.fr", "demoville.fr", "10.0.0.1"}
	assert.NoError(t, b.Validate())
}

func TestAuditActionLabels(t *testing.T) {
	assert.Equal(t, "Connexion refusée", domain.AuditLoginFailed.Label())
	assert.Equal(t, "Message remis à traiter", domain.AuditMessageReopened.Label())
	assert.Equal(t, "future.action", domain.AuditAction("future.action").Label(), "an unknown action shows its code")
}
