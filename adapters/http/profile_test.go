package http

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

func TestProfilePage(t *testing.T) {
	e := newEnv(t)
	b := e.browser().loginDemo()
	p := b.get("/mes-informations")
	require.Equal(t, http.StatusOK, p.status)
	contains(t, p, "Mes informations", "Camille Martin", "DEMO-0001", demo.Email,
		"Changer d'adresse de messagerie", "Changer de mot de passe", "8 caractères minimum.",
		"Je ne souhaite plus recevoir mes factures au format papier")
	assert.Contains(t, p.body, `<a href="/mes-informations" aria-current="page">`)
	// Two forms, unique ids.
	assert.Contains(t, p.body, `id="adresse-current_password"`)
	assert.Contains(t, p.body, `id="mdp-current_password"`)
}

func TestChangeEmail(t *testing.T) {
	e := newEnv(t)
	b := e.browser().loginDemo()
	b.get("/mes-informations")

	p := b.post("/mes-informations/adresse", url.Values{"email": {"camille@exemple.fr"}, "current_password": {"faux"}})
	assert.Equal(t, http.StatusBadRequest, p.status)
	contains(t, p, domain.ErrWrongPassword.Message, `<a href="#adresse-current_password">`)
	assert.Contains(t, p.body, `aria-invalid="true" aria-describedby="adresse-current_password-erreur"`)
	assert.Contains(t, p.body, `value="camille@exemple.fr"`)

	p = b.post("/mes-informations/adresse", url.Values{"email": {demo.NewcomerEmail}, "current_password": {demo.Password}})
	assert.Equal(t, http.StatusConflict, p.status)
	contains(t, p, domain.ErrEmailTaken.Message)

	p = b.post("/mes-informations/adresse", url.Values{"email": {"camille@exemple.fr"}, "current_password": {demo.Password}})
	require.Equal(t, http.StatusSeeOther, p.status)
	contains(t, b.get(p.location()), "Un message de confirmation a été envoyé à votre nouvelle adresse.", demo.Email)

	// The link opens a page with a button: opening it changes nothing.
	link := e.linkTo("camille@exemple.fr")
	require.True(t, strings.HasPrefix(link, ports.PathConfirmEmail+"?lien="), link)
	other := e.browser()
	p = other.get(link)
	require.Equal(t, http.StatusOK, p.status)
	assert.Equal(t, "no-referrer", p.header.Get("Referrer-Policy"))
	contains(t, p, "Confirmer votre nouvelle adresse", "Confirmer", "<strong>camille@exemple.fr</strong>")
	secret, _ := url.QueryUnescape(strings.TrimPrefix(link, ports.PathConfirmEmail+"?lien="))
	p = other.post(ports.PathConfirmEmail, url.Values{"lien": {secret}})
	require.Equal(t, http.StatusSeeOther, p.status)
	assert.Equal(t, "/connexion?message=adresse-confirmee", p.location())
	contains(t, other.get(p.location()), "Votre nouvelle adresse de messagerie est enregistrée")
	other.login("camille@exemple.fr", demo.Password, false)
	assert.Equal(t, 1, e.mailsTo(demo.Email)-0, "the old address is told")

	// A second use of the link: a clear page.
	p = other.post(ports.PathConfirmEmail, url.Values{"lien": {secret}})
	assert.Equal(t, http.StatusBadRequest, p.status)
	contains(t, p, domain.ErrTokenUsed.Message, "Mes informations")
	assert.Equal(t, http.StatusBadRequest, e.browser().get(ports.PathConfirmEmail).status)
	p = e.browser().get(link)
	assert.Equal(t, http.StatusBadRequest, p.status, "a used link says so as soon as it is opened")
	contains(t, p, domain.ErrTokenUsed.Message)
}

func TestChangePassword(t *testing.T) {
	e := newEnv(t)
	b := e.browser().loginDemo()
	elsewhere := e.browser().loginDemo()
	b.get("/mes-informations")
	p := b.post("/mes-informations/mot-de-passe", url.Values{"current_password": {demo.Password}, "password": {"court"}, "confirm": {"court"}})
	assert.Equal(t, http.StatusBadRequest, p.status)
	contains(t, p, "au moins 8 caractères")
	assert.Contains(t, p.body, `id="mdp-password-erreur"`)

	p = b.post("/mes-informations/mot-de-passe", url.Values{"current_password": {demo.Password}, "password": {"encore-meilleur"}, "confirm": {"encore-meilleur"}})
	require.Equal(t, http.StatusSeeOther, p.status)
	contains(t, b.get(p.location()), "Votre mot de passe a été modifié.")
	assert.Equal(t, http.StatusSeeOther, elsewhere.get("/factures").status, "other sessions end")
	e.browser().login(demo.Email, "encore-meilleur", false)
}

func TestPaperless(t *testing.T) {
	e := newEnv(t)
	b := e.browser().loginDemo()
	p := b.get("/mes-informations/papier")
	contains(t, p, "En confirmant, un message est automatiquement envoyé", "Annuler")
	assert.Equal(t, 0, e.mailsTo(demo.ServiceEmail), "nothing before the confirmation")
	p = b.post("/mes-informations/papier", nil)
	require.Equal(t, http.StatusSeeOther, p.status)
	p = b.get(p.location())
	contains(t, p, "vous ne recevrez plus vos factures au format papier", "Fait : vous ne recevez plus vos factures au format papier (demande du 26/11/2026)")
	notContains(t, p, `href="/mes-informations/papier"`)
	assert.Equal(t, 1, e.mailsTo(demo.ServiceEmail))
}

func TestContact(t *testing.T) {
	e := newEnv(t)
	b := e.browser().loginDemo()
	p := b.get("/contact")
	contains(t, p, "Contacter le service", "Objet", "Message", "Envoyer", `maxlength="150"`)
	assert.Contains(t, p.body, `<a href="/contact" aria-current="page">`)

	p = b.post("/contact", url.Values{"subject": {""}, "body": {"Bonjour"}})
	assert.Equal(t, http.StatusBadRequest, p.status)
	contains(t, p, "Veuillez indiquer l'objet de votre message.", "Bonjour")
	assert.Contains(t, p.body, `aria-describedby="subject-erreur"`)

	p = b.post("/contact", url.Values{"subject": {"Facture d'eau"}, "body": {"Pouvez-vous m'envoyer un échéancier ?"}})
	require.Equal(t, http.StatusSeeOther, p.status)
	contains(t, b.get(p.location()), "Votre message a été envoyé au service.")
	require.Equal(t, 1, e.mailsTo(demo.ServiceEmail))
	m := e.mails.Mails()[0]
	assert.Equal(t, demo.Email, m.ReplyTo)
	assert.Contains(t, m.Text, "échéancier")
}
