package citizen_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/adapters/http/webtest/full"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

func TestProfilePage(t *testing.T) {
	e := full.New(t)
	b := e.Browser().LoginDemo()
	p := b.Get("/mes-informations")
	require.Equal(t, http.StatusOK, p.Status)
	webtest.Contains(t, p, "Mes informations", "Camille Martin", "DEMO-0001", demo.Email,
		"Changer d'adresse de messagerie", "Changer de mot de passe", "8 caractères minimum.",
		"Je ne souhaite plus recevoir mes factures au format papier")
	assert.Contains(t, p.Body, `<a href="/mes-informations" aria-current="page">`)
	// Two forms, unique ids.
	assert.Contains(t, p.Body, `id="adresse-current_password"`)
	assert.Contains(t, p.Body, `id="mdp-current_password"`)
}

func TestChangeEmail(t *testing.T) {
	e := full.New(t)
	b := e.Browser().LoginDemo()
	b.Get("/mes-informations")

	p := b.Post("/mes-informations/adresse", url.Values{"email": {"camille@exemple.fr"}, "current_password": {"faux"}})
	assert.Equal(t, http.StatusBadRequest, p.Status)
	webtest.Contains(t, p, domain.ErrWrongPassword.Message, `<a href="#adresse-current_password">`)
	assert.Contains(t, p.Body, `aria-invalid="true" aria-describedby="adresse-current_password-erreur"`)
	assert.Contains(t, p.Body, `value="camille@exemple.fr"`)

	p = b.Post("/mes-informations/adresse", url.Values{"email": {demo.NewcomerEmail}, "current_password": {demo.Password}})
	assert.Equal(t, http.StatusConflict, p.Status)
	webtest.Contains(t, p, domain.ErrEmailTaken.Message)

	p = b.Post("/mes-informations/adresse", url.Values{"email": {"camille@exemple.fr"}, "current_password": {demo.Password}})
	require.Equal(t, http.StatusSeeOther, p.Status)
	webtest.Contains(t, b.Get(p.Location()), "Un message de confirmation a été envoyé à votre nouvelle adresse.", demo.Email)

	// The link opens a page with a button: opening it changes nothing.
	link := e.LinkTo("camille@exemple.fr")
	require.True(t, strings.HasPrefix(link, ports.PathConfirmEmail+"?lien="), link)
	other := e.Browser()
	p = other.Get(link)
	require.Equal(t, http.StatusOK, p.Status)
	assert.Equal(t, "no-referrer", p.Header.Get("Referrer-Policy"))
	webtest.Contains(t, p, "Confirmer votre nouvelle adresse", "Confirmer", "<strong>camille@exemple.fr</strong>")
	secret, _ := url.QueryUnescape(strings.TrimPrefix(link, ports.PathConfirmEmail+"?lien="))
	p = other.Post(ports.PathConfirmEmail, url.Values{"lien": {secret}})
	require.Equal(t, http.StatusSeeOther, p.Status)
	assert.Equal(t, "/connexion?message=adresse-confirmee", p.Location())
	webtest.Contains(t, other.Get(p.Location()), "Votre nouvelle adresse de messagerie est enregistrée")
	other.Login("camille@exemple.fr", demo.Password, false)
	assert.Equal(t, 1, e.MailsTo(demo.Email)-0, "the old address is told")

	// A second use of the link: a clear page.
	p = other.Post(ports.PathConfirmEmail, url.Values{"lien": {secret}})
	assert.Equal(t, http.StatusBadRequest, p.Status)
	webtest.Contains(t, p, domain.ErrTokenUsed.Message, "Mes informations")
	assert.Equal(t, http.StatusBadRequest, e.Browser().Get(ports.PathConfirmEmail).Status)
	p = e.Browser().Get(link)
	assert.Equal(t, http.StatusBadRequest, p.Status, "a used link says so as soon as it is opened")
	webtest.Contains(t, p, domain.ErrTokenUsed.Message)
}

func TestChangePassword(t *testing.T) {
	e := full.New(t)
	b := e.Browser().LoginDemo()
	elsewhere := e.Browser().LoginDemo()
	b.Get("/mes-informations")
	p := b.Post("/mes-informations/mot-de-passe", url.Values{"current_password": {demo.Password}, "password": {"court"}, "confirm": {"court"}})
	assert.Equal(t, http.StatusBadRequest, p.Status)
	webtest.Contains(t, p, "au moins 8 caractères")
	assert.Contains(t, p.Body, `id="mdp-password-erreur"`)

	p = b.Post("/mes-informations/mot-de-passe", url.Values{"current_password": {demo.Password}, "password": {"encore-meilleur"}, "confirm": {"encore-meilleur"}})
	require.Equal(t, http.StatusSeeOther, p.Status)
	webtest.Contains(t, b.Get(p.Location()), "Votre mot de passe a été modifié.")
	assert.Equal(t, http.StatusSeeOther, elsewhere.Get("/factures").Status, "other sessions end")
	e.Browser().Login(demo.Email, "encore-meilleur", false)
}

func TestPaperless(t *testing.T) {
	e := full.New(t)
	b := e.Browser().LoginDemo()
	p := b.Get("/mes-informations/papier")
	webtest.Contains(t, p, "En confirmant, un message est automatiquement envoyé", "Annuler")
	assert.Equal(t, 0, e.MailsTo(demo.ServiceEmail), "nothing before the confirmation")
	p = b.Post("/mes-informations/papier", nil)
	require.Equal(t, http.StatusSeeOther, p.Status)
	p = b.Get(p.Location())
	webtest.Contains(t, p, "vous ne recevrez plus vos factures au format papier", "Fait : vous ne recevez plus vos factures au format papier (demande du 26/11/2026)")
	webtest.NotContains(t, p, `href="/mes-informations/papier"`)
	assert.Equal(t, 1, e.MailsTo(demo.ServiceEmail))
}

func TestContact(t *testing.T) {
	e := full.New(t)
	b := e.Browser().LoginDemo()
	p := b.Get("/contact")
	webtest.Contains(t, p, "Contacter le service", "Objet", "Message", "Envoyer", `maxlength="150"`)
	assert.Contains(t, p.Body, `<a href="/contact" aria-current="page">`)

	p = b.Post("/contact", url.Values{"subject": {""}, "body": {"Bonjour"}})
	assert.Equal(t, http.StatusBadRequest, p.Status)
	webtest.Contains(t, p, "Veuillez indiquer l'objet de votre message.", "Bonjour")
	assert.Contains(t, p.Body, `aria-describedby="subject-erreur"`)

	p = b.Post("/contact", url.Values{"subject": {"Facture d'eau"}, "body": {"Pouvez-vous m'envoyer un échéancier ?"}})
	require.Equal(t, http.StatusSeeOther, p.Status)
	webtest.Contains(t, b.Get(p.Location()), "Votre message a été envoyé au service.")
	require.Equal(t, 1, e.MailsTo(demo.ServiceEmail))
	m := e.Mails.Mails()[0]
	assert.Equal(t, demo.Email, m.ReplyTo)
	assert.Contains(t, m.Text, "échéancier")
}
