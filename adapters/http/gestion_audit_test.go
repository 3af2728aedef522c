package http

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
	c := e.browser()
	c.get("/connexion")
	c.post("/connexion", url.Values{"email": {demo.Email}, "password": {"faux"}})
	e.clock.Set(start.Add(24 * time.Hour))
	c.loginDemo()
	reader := e.reader()

	p := reader.get("/gestion/journal")
	require.Equal(t, http.StatusOK, p.status)
	contains(t, p, "Journal", "<td>Connexion refusée</td>", "<td>Connexion</td>", "<td>Connexion à la gestion</td>", "Mot de passe incorrect.",
		"Redevable : "+demo.Email, "Agent : "+demo.ReaderEmail)

	p = reader.get("/gestion/journal?auteur=citizen")
	contains(t, p, "Événements 1 à 2 sur 2.")
	notContains(t, p, "<td>Connexion à la gestion</td>")
	p = reader.get("/gestion/journal?action=" + url.QueryEscape("citizen.login_failed"))
	contains(t, p, "Événements 1 à 1 sur 1.")
	p = reader.get("/gestion/journal?du=2026-11-27&au=2026-11-27&auteur=citizen")
	contains(t, p, "Événements 1 à 1 sur 1.", "27/11/2026 à 10h00")
	p = reader.get("/gestion/journal?au=2026-11-26&auteur=citizen")
	contains(t, p, "Événements 1 à 1 sur 1.", "<td>Connexion refusée</td>") // the last day is included
	p = reader.get("/gestion/journal?texte=LECTURE@")
	contains(t, p, "Événements 1 à 1 sur 1.")

	p = reader.get("/gestion/journal?du=hier")
	assert.Equal(t, http.StatusBadRequest, p.status)
	contains(t, p, "Saisissez une date", `href="#du"`)
	p = reader.get("/gestion/journal?du=2026-11-27&au=2026-11-25")
	assert.Equal(t, http.StatusBadRequest, p.status)
	contains(t, p, "La date de fin doit être postérieure")
	p = reader.get("/gestion/journal?auteur=martien")
	assert.Equal(t, http.StatusBadRequest, p.status)
}

func TestAuditLogScreenPagesAndIsolation(t *testing.T) {
	e := newEnv(t)
	e.otherBiller()
	for i := range 25 {
		require.NoError(t, e.store.AppendAudit(context.Background(), domain.AuditEvent{ID: uuid.New(), BillerID: demo.BillerID,
			At: start.Add(time.Duration(i) * time.Second), Actor: domain.ActorCitizen, ActorLabel: "personne@demo.fr",
			Action: domain.AuditLoginFailed, Detail: "Adresse inconnue."}))
	}
	b := e.manager()
	p := b.get("/gestion/journal?auteur=citizen")
	contains(t, p, "Événements 1 à 20 sur 25.", "Page suivante")
	notContains(t, p, "Page précédente")
	p = b.get("/gestion/journal?auteur=citizen&page=2")
	contains(t, p, "Événements 21 à 25 sur 25.", "Page précédente", "/gestion/journal?auteur=citizen&page=1")

	other := e.browser().onHost(otherHost).staffLogin("autre@autreville.test", otherPassword)
	p = other.get("/gestion/journal")
	require.Equal(t, http.StatusOK, p.status)
	contains(t, p, "Agent : autre@autreville.test")
	notContains(t, p, "personne@demo.fr", demo.StaffEmail)
}
