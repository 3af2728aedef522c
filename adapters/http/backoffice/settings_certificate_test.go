package backoffice_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports/demo"
)

func TestSettingsCertificate(t *testing.T) {
	e := newEnv(t)
	b := e.Manager()
	p := b.Get("/gestion/parametres")
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	contains(t, p, "<h2>Attestation annuelle</h2>", `<label for="certificate_offered">Proposer l'attestation annuelle aux redevables</label>`,
		`id="certificate_title"`, `id="certificate_legal"`, `id="certificate_match"`, "Attestation de paiement des frais de garde {année}")

	v := e.settingsValues(demo.BillerID)
	v.Set("certificate_title", "  Attestation des frais de crèche {année} ")
	v.Set("certificate_match", "")
	v.Set("certificate_legal", "Article 200 quater B du CGI.")
	p = b.Post("/gestion/parametres", v)
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	assert.Equal(t, domain.CertificateSettings{Offered: true, Title: "Attestation des frais de crèche {année}",
		LegalText: "Article 200 quater B du CGI."}, e.demoBiller().Certificate)
	log := b.Get("/gestion/journal")
	contains(t, log, "titre de l'attestation", "factures couvertes par l'attestation : objet contenant « Crèche » → toutes",
		"mention légale de l'attestation : texte modifié")

	v.Set("certificate_title", "")
	p = b.Post("/gestion/parametres", v)
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, "Indiquez le titre de l'attestation.")
	v.Set("certificate_title", strings.Repeat("a", 121))
	p = b.Post("/gestion/parametres", v)
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, "Le titre de l'attestation dépasse 120 caractères.")
	assert.Equal(t, "Attestation des frais de crèche {année}", e.demoBiller().Certificate.Title, "nothing saved")

	v.Del("certificate_offered")
	v.Set("certificate_title", "")
	p = b.Post("/gestion/parametres", v)
	require.Equal(t, http.StatusSeeOther, p.Status, "a certificate not offered needs no title")
	assert.False(t, e.demoBiller().Certificate.Offered)
}
