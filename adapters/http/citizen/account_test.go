package citizen_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	web "github.com/portail-factures/portail/adapters/http"
	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/adapters/http/webtest/full"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports/demo"
)

func TestLoginPageHasTheManualsLabels(t *testing.T) {
	e := full.New(t)
	p := e.Browser().Get("/connexion")
	require.Equal(t, http.StatusOK, p.Status)
	webtest.Contains(t, p, "LE PORTAIL DES FACTURES", "Veuillez vous connecter", "Se souvenir de moi", "Oublié ?",
		"Connexion", "J'active mon compte", `lang="fr"`, "Aller au contenu",
		"<title>Connexion – Portail des factures – Commune de Démoville</title>")
	assert.Contains(t, p.Body, `<label for="email">`)
	assert.Contains(t, p.Body, `<label for="password">`)
	assert.Contains(t, p.Body, `autocomplete="current-password"`)
}

func TestWrongCredentialsGetOneGenericMessage(t *testing.T) {
	e := full.New(t)
	for name, form := range map[string]url.Values{
		"wrong password": {"email": {demo.Email}, "password": {"mauvais"}},
		"unknown email":  {"email": {"personne@demo.fr"}, "password": {demo.Password}},
		"not activated":  {"email": {demo.NewcomerEmail}, "password": {demo.Password}},
	} {
		t.Run(name, func(t *testing.T) {
			b := e.Browser()
			b.Get("/connexion")
			p := b.Post("/connexion", form)
			assert.Equal(t, http.StatusUnauthorized, p.Status)
			webtest.Contains(t, p, domain.ErrBadCredentials.Message, `role="alert"`, "<title>Erreur : Connexion")
			assert.Nil(t, b.Cookie("portail-session"))
		})
	}
}

func TestLoginOpensASessionAndGoesHome(t *testing.T) {
	e := full.New(t)
	b := e.Browser()
	p := b.Login(demo.Email, demo.Password, false)
	assert.Equal(t, "/", p.Location())
	home := b.Get("/")
	require.Equal(t, http.StatusOK, home.Status)
	webtest.Contains(t, home, "Mes factures", "Mes informations", "Contact", "Se déconnecter", "Camille Martin",
		"<title>Accueil – Portail des factures – Commune de Démoville</title>")
}

func TestSessionIDChangesAtLogin(t *testing.T) {
	e := full.New(t)
	b := e.Browser()
	u, _ := url.Parse(e.TS.URL)
	b.C.Jar.SetCookies(u, []*http.Cookie{{Name: "portail-session", Value: "planted-by-someone-else", Path: "/"}})
	first := webtest.SetCookie(t, b.Login(demo.Email, demo.Password, false), "portail-session")
	assert.NotEqual(t, "planted-by-someone-else", first.Value)
	second := webtest.SetCookie(t, b.Login(demo.Email, demo.Password, false), "portail-session")
	assert.NotEqual(t, first.Value, second.Value, "a new login gives a new session id")

	// The previous session is gone.
	old := e.Browser()
	old.C.Jar.SetCookies(u, []*http.Cookie{{Name: "portail-session", Value: first.Value, Path: "/"}})
	assert.Equal(t, http.StatusSeeOther, old.Get("/").Status)
}

func TestRememberMeGivesAPersistentCookie(t *testing.T) {
	e := full.New(t)
	c := webtest.SetCookie(t, e.Browser().Login(demo.Email, demo.Password, true), "portail-session")
	assert.Equal(t, 30*24*3600, c.MaxAge)
	assert.False(t, c.Expires.IsZero())
	assert.True(t, c.HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, c.SameSite)
	assert.Equal(t, "/", c.Path)
	assert.False(t, c.Secure, "the test portal is served over http")

	c = webtest.SetCookie(t, e.Browser().Login(demo.Email, demo.Password, false), "portail-session")
	assert.Zero(t, c.MaxAge, "a browser-session cookie")
	assert.True(t, c.Expires.IsZero())
}

func TestSecureCookiesOverHTTPS(t *testing.T) {
	e := full.New(t, func(c *web.Config) { c.PublicURL = "https://factures.demoville.fr" })
	b := e.Browser()
	p := b.Get("/connexion")
	c := webtest.SetCookie(t, p, "__Host-portail-formulaire")
	assert.True(t, c.Secure)
	assert.Equal(t, "/", c.Path)
	assert.Equal(t, "max-age=31536000", p.Header.Get("Strict-Transport-Security"))
}

func TestLoginGoesBackToThePageAsked(t *testing.T) {
	e := full.New(t)
	b := e.Browser()
	p := b.Get("/factures?onglet=reglees")
	require.Equal(t, http.StatusSeeOther, p.Status)
	assert.Equal(t, "/connexion?suite=%2Ffactures%3Fonglet%3Dreglees", p.Location())
	b.Get(p.Location())
	p = b.Post("/connexion", url.Values{"email": {demo.Email}, "password": {demo.Password}, "suite": {"/factures?onglet=reglees"}})
	assert.Equal(t, "/factures?onglet=reglees", p.Location())

	// Never to another site.
	b2 := e.Browser()
	b2.Get("/connexion")
	p = b2.Post("/connexion", url.Values{"email": {demo.Email}, "password": {demo.Password}, "suite": {"//evil.example/"}})
	assert.Equal(t, "/", p.Location())
}

func TestLogoutDestroysTheSession(t *testing.T) {
	e := full.New(t)
	b := e.Browser().LoginDemo()
	secret := b.Cookie("portail-session").Value
	b.Get("/")
	p := b.Post("/deconnexion", nil)
	require.Equal(t, http.StatusSeeOther, p.Status)
	assert.Equal(t, "/connexion?message=deconnexion", p.Location())
	assert.Equal(t, -1, webtest.SetCookie(t, p, "portail-session").MaxAge)
	webtest.Contains(t, b.Get(p.Location()), "Vous êtes déconnecté.")

	// The old cookie opens nothing any more.
	again := e.Browser()
	u, _ := url.Parse(e.TS.URL)
	again.C.Jar.SetCookies(u, []*http.Cookie{{Name: "portail-session", Value: secret, Path: "/"}})
	p = again.Get("/factures")
	assert.Equal(t, http.StatusSeeOther, p.Status)
	assert.True(t, strings.HasPrefix(p.Location(), "/connexion?message=session"), p.Location())
}

func TestActivation(t *testing.T) {
	e := full.New(t)
	b := e.Browser()
	p := b.Get("/activation")
	webtest.Contains(t, p, "Veuillez saisir votre adresse de messagerie", "Activation", "Adresse mail")

	t.Run("unknown address", func(t *testing.T) {
		p := b.Post("/activation", url.Values{"email": {"inconnu@demo.fr"}})
		assert.Equal(t, http.StatusNotFound, p.Status)
		webtest.Contains(t, p, "Activation impossible, adresse inconnue", "contacter le service concerné")
		assert.Contains(t, p.Body, `aria-invalid="true" aria-describedby="email-erreur"`)
		assert.Contains(t, p.Body, `<a href="#email">`)
		assert.Contains(t, p.Body, `value="inconnu@demo.fr"`, "the address typed is kept")
	})
	t.Run("malformed address", func(t *testing.T) {
		p := b.Post("/activation", url.Values{"email": {"pas une adresse"}})
		assert.Equal(t, http.StatusBadRequest, p.Status)
		webtest.Contains(t, p, "Veuillez saisir une adresse de messagerie valide")
	})
	t.Run("known address", func(t *testing.T) {
		p := b.Post("/activation", url.Values{"email": {demo.NewcomerEmail}})
		require.Equal(t, http.StatusSeeOther, p.Status)
		webtest.Contains(t, b.Get(p.Location()), "Un message d'activation du compte vous a été envoyé avec succès.")
		assert.Equal(t, 1, e.MailsTo(demo.NewcomerEmail))
	})
}

func TestForgottenPasswordAnswersTheSameForAnyAddress(t *testing.T) {
	e := full.New(t)
	b := e.Browser()
	p := b.Get("/mot-de-passe-oublie")
	webtest.Contains(t, p, "Mail :", "Valider", "Annuler", `href="/connexion" class="bouton bouton-secondaire">Annuler`)
	known := b.Post("/mot-de-passe-oublie", url.Values{"email": {demo.Email}})
	unknown := b.Post("/mot-de-passe-oublie", url.Values{"email": {"inconnu@demo.fr"}})
	assert.Equal(t, http.StatusSeeOther, known.Status)
	assert.Equal(t, known.Status, unknown.Status)
	assert.Equal(t, known.Location(), unknown.Location())
	assert.Equal(t, 1, e.MailsTo(demo.Email))
	webtest.Contains(t, b.Get(known.Location()), "Si l'adresse saisie est connue du service de facturation")
}

func TestSetPasswordThenLogin(t *testing.T) {
	e := full.New(t)
	b := e.Browser()
	b.Get("/activation")
	b.Post("/activation", url.Values{"email": {demo.NewcomerEmail}})
	link := e.LinkTo(demo.NewcomerEmail)

	p := b.Get(link)
	require.Equal(t, http.StatusOK, p.Status)
	assert.Equal(t, "no-referrer", p.Header.Get("Referrer-Policy"))
	webtest.Contains(t, p, "Saisissez votre nouveau mot de passe", demo.NewcomerEmail, "8 caractères minimum.", "Enregistrer")

	secret := strings.TrimPrefix(link, "/mot-de-passe?lien=")
	secret, _ = url.QueryUnescape(secret)
	t.Run("too short", func(t *testing.T) {
		p := b.Post("/mot-de-passe", url.Values{"lien": {secret}, "password": {"court"}, "confirm": {"court"}})
		assert.Equal(t, http.StatusBadRequest, p.Status)
		webtest.Contains(t, p, "Le mot de passe doit comporter au moins 8 caractères.", demo.NewcomerEmail)
		assert.Contains(t, p.Body, `aria-describedby="password-aide password-erreur"`)
		assert.NotContains(t, p.Body, `value="court"`, "a password is never shown again")
	})
	t.Run("different confirmation", func(t *testing.T) {
		p := b.Post("/mot-de-passe", url.Values{"lien": {secret}, "password": {"nouveau123"}, "confirm": {"nouveau124"}})
		assert.Equal(t, http.StatusBadRequest, p.Status)
		webtest.Contains(t, p, "Les deux mots de passe saisis sont différents.")
		assert.Contains(t, p.Body, `id="confirm-erreur"`)
	})
	p = b.Post("/mot-de-passe", url.Values{"lien": {secret}, "password": {"nouveau123"}, "confirm": {"nouveau123"}})
	require.Equal(t, http.StatusSeeOther, p.Status)
	assert.Equal(t, "/connexion?message=mot-de-passe", p.Location())
	webtest.Contains(t, b.Get(p.Location()), "Le nouveau mot de passe a été enregistré avec succès.")
	b.Login(demo.NewcomerEmail, "nouveau123", false)

	t.Run("used link", func(t *testing.T) {
		p := e.Browser().Get(link)
		assert.Equal(t, http.StatusBadRequest, p.Status)
		webtest.Contains(t, p, domain.ErrTokenUsed.Message, `href="/activation"`, `href="/mot-de-passe-oublie"`)
	})
}

func TestDeadLinksOfferANewOne(t *testing.T) {
	e := full.New(t)
	b := e.Browser()
	p := b.Get("/mot-de-passe?lien=nimportequoi")
	assert.Equal(t, http.StatusBadRequest, p.Status)
	webtest.Contains(t, p, domain.ErrTokenUnknown.Message, "J'active mon compte", "Mot de passe oublié")

	b.Get("/mot-de-passe-oublie")
	b.Post("/mot-de-passe-oublie", url.Values{"email": {demo.Email}})
	link := e.LinkTo(demo.Email)
	e.Clock.Advance(2 * 3600e9) // reset links last an hour
	p = b.Get(link)
	assert.Equal(t, http.StatusBadRequest, p.Status)
	webtest.Contains(t, p, domain.ErrTokenExpired.Message)
}

func TestNoticeIsShownUntilClosed(t *testing.T) {
	e := full.New(t)
	b := e.Browser().LoginDemo()
	home := b.Get("/")
	webtest.Contains(t, home, "Information importante", "travaux sur le réseau d'eau", "Fermer", "Bienvenue sur le portail des factures")
	assert.Contains(t, home.Body, `<section class="information" aria-labelledby="information-titre">`)
	p := b.Post("/information/fermer", nil)
	require.Equal(t, http.StatusSeeOther, p.Status)
	assert.Equal(t, "/", p.Location())
	home = b.Get("/")
	webtest.NotContains(t, home, "travaux sur le réseau d'eau")
	webtest.Contains(t, home, "Bienvenue sur le portail des factures")

	// Once per session: a new login shows it again.
	webtest.Contains(t, e.Browser().LoginDemo().Get("/"), "travaux sur le réseau d'eau")
}
