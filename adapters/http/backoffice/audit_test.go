package backoffice_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports/demo"
)

func TestAuditLogScreen(t *testing.T) {
	e := newEnv(t)
	c := e.Browser()
	c.Get("/connexion")
	c.Post("/connexion", url.Values{"email": {demo.Email}, "password": {"faux"}})
	e.Clock.Set(start.Add(24 * time.Hour))
	c.LoginDemo()
	reader := e.Reader()

	p := reader.Get("/gestion/journal")
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, "Journal", "<td>Connexion refusée</td>", "<td>Connexion</td>", "<td>Connexion à la gestion</td>", "Mot de passe incorrect.",
		"Redevable : "+demo.Email, "Agent : "+demo.ReaderEmail)

	p = reader.Get("/gestion/journal?auteur=citizen")
	contains(t, p, "Événements 1 à 2 sur 2.")
	notContains(t, p, "<td>Connexion à la gestion</td>")
	p = reader.Get("/gestion/journal?action=" + url.QueryEscape("citizen.login_failed"))
	contains(t, p, "Événements 1 à 1 sur 1.")
	p = reader.Get("/gestion/journal?du=2026-11-27&au=2026-11-27&auteur=citizen")
	contains(t, p, "Événements 1 à 1 sur 1.", "27/11/2026 à 10h00")
	p = reader.Get("/gestion/journal?au=2026-11-26&auteur=citizen")
	contains(t, p, "Événements 1 à 1 sur 1.", "<td>Connexion refusée</td>") // the last day is included
	p = reader.Get("/gestion/journal?texte=LECTURE@")
	contains(t, p, "Événements 1 à 1 sur 1.")

	p = reader.Get("/gestion/journal?du=hier")
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, "Saisissez une date", `href="#du"`)
	p = reader.Get("/gestion/journal?du=2026-11-27&au=2026-11-25")
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, "La date de fin doit être postérieure")
	p = reader.Get("/gestion/journal?auteur=martien")
	assert.Equal(t, http.StatusBadRequest, p.Status)
}

func TestAuditLogScreenPagesAndIsolation(t *testing.T) {
	e := newEnv(t)
	e.otherBiller()
	for i := range 25 {
		require.NoError(t, e.Store.AppendAudit(context.Background(), domain.AuditEvent{ID: uuid.New(), BillerID: demo.BillerID,
			At: start.Add(time.Duration(i) * time.Second), Actor: domain.ActorCitizen, ActorLabel: "personne@demo.fr",
			Action: domain.AuditLoginFailed, Detail: "Adresse inconnue."}))
	}
	b := e.Manager()
	p := b.Get("/gestion/journal?auteur=citizen")
	contains(t, p, "Événements 1 à 20 sur 25.", "Page suivante")
	notContains(t, p, "Page précédente")
	p = b.Get("/gestion/journal?auteur=citizen&page=2")
	contains(t, p, "Événements 21 à 25 sur 25.", "Page précédente", "/gestion/journal?auteur=citizen&page=1")

	other := e.Browser().OnHost(otherHost).StaffLogin("autre@autreville.test", otherPassword)
	p = other.Get("/gestion/journal")
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, "Agent : autre@autreville.test")
	notContains(t, p, "personne@demo.fr", demo.StaffEmail)
}
