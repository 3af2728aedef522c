package backoffice_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	web "github.com/portail-factures/portail/adapters/http"
	"github.com/portail-factures/portail/adapters/http/backoffice"
	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

func TestStaffLogin(t *testing.T) {
	t.Run("a manager logs in, sees the dashboard and logs out", func(t *testing.T) {
		e := newEnv(t)
		b := e.Browser()
		p := b.Get("/gestion/")
		require.Equal(t, http.StatusSeeOther, p.Status)
		assert.Equal(t, "/gestion/connexion", p.Location())

		b.StaffLogin(demo.StaffEmail, demo.StaffPassword)
		c := b.Cookie("portail-gestion")
		require.NotNil(t, c)
		assert.Nil(t, b.Cookie("portail-session"), "a staff login opens no citizen session")
		p = b.Get("/gestion/")
		require.Equal(t, http.StatusOK, p.Status, p.Body)
		contains(t, p, "Tableau de bord", demo.StaffEmail, "(Gestionnaire)", ">0</span> nouveaux messages", "Commune de Démoville", "004200")
		assert.NotContains(t, p.Body, "PayFiP n'est pas en production", "the demo pays through its simulator, its production")
		e.SetBiller(func(b *domain.Biller) { b.Saisie = domain.SaisieTest })
		contains(t, b.Get("/gestion/"), "PayFiP n'est pas en production")

		p = b.Post("/gestion/deconnexion", nil)
		require.Equal(t, http.StatusSeeOther, p.Status)
		assert.Equal(t, "/gestion/connexion?ok=deconnexion", p.Location())
		p = b.Get("/gestion/")
		assert.Equal(t, http.StatusSeeOther, p.Status, "the session is gone")
	})

	t.Run("a wrong password gets one message, a 401, and an audit line", func(t *testing.T) {
		e := newEnv(t)
		b := e.Browser()
		b.Get("/gestion/connexion")
		p := b.Post("/gestion/connexion", url.Values{"email": {demo.StaffEmail}, "password": {"pas le bon"}})
		assert.Equal(t, http.StatusUnauthorized, p.Status)
		contains(t, p, "Adresse de messagerie ou mot de passe incorrect.")
		p = b.Post("/gestion/connexion", url.Values{"email": {"inconnu@demo.fr"}, "password": {"pas le bon"}})
		assert.Equal(t, http.StatusUnauthorized, p.Status)
		contains(t, p, "Adresse de messagerie ou mot de passe incorrect.")

		events, n, err := e.Store.AuditEvents(context.Background(), ports.AuditQuery{BillerID: demo.BillerID, Action: domain.AuditStaffLoginFailed})
		require.NoError(t, err)
		require.Equal(t, 2, n)
		assert.Equal(t, "inconnu@demo.fr", events[0].Target)
		assert.NotEmpty(t, events[0].IP)
	})

	t.Run("repeated failures for one address are limited", func(t *testing.T) {
		e := newEnv(t, func(c *web.Config) { c.Limits.LoginFailures = ports.Rate{Events: 2, Per: 15 * 60e9} })
		b := e.Browser()
		b.Get("/gestion/connexion")
		for range 2 {
			p := b.Post("/gestion/connexion", url.Values{"email": {demo.StaffEmail}, "password": {"faux"}})
			require.Equal(t, http.StatusUnauthorized, p.Status)
		}
		p := b.Post("/gestion/connexion", url.Values{"email": {demo.StaffEmail}, "password": {demo.StaffPassword}})
		assert.Equal(t, http.StatusTooManyRequests, p.Status)
		contains(t, p, "Trop de demandes")
	})

	t.Run("the session id changes at login", func(t *testing.T) {
		e := newEnv(t)
		b := e.Manager()
		first := b.Cookie("portail-gestion").Value
		b.StaffLogin(demo.StaffEmail, demo.StaffPassword)
		second := b.Cookie("portail-gestion").Value
		assert.NotEqual(t, first, second)
		_, err := e.Store.Session(context.Background(), domain.HashSecret(first))
		assert.Equal(t, domain.NotFound, domain.ErrorCode(err), "the previous session is destroyed")
	})

	t.Run("the cookie is HttpOnly, SameSite=Strict, and __Host- over https", func(t *testing.T) {
		e := newEnv(t, func(c *web.Config) { c.PublicURL = "https://portail.test" })
		b := e.Browser()
		b.Get("/gestion/connexion")
		p := b.PostRaw("/gestion/connexion", url.Values{"jeton": {b.Token()}, "email": {demo.StaffEmail}, "password": {demo.StaffPassword}},
			"Sec-Fetch-Site", "same-origin")
		require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
		c := setCookie(t, p, "__Host-portail-gestion")
		assert.True(t, c.HttpOnly)
		assert.True(t, c.Secure)
		assert.Equal(t, http.SameSiteStrictMode, c.SameSite)
		assert.Equal(t, "/", c.Path)
	})

	t.Run("the login form needs its token", func(t *testing.T) {
		e := newEnv(t)
		b := e.Browser()
		p := b.PostRaw("/gestion/connexion", url.Values{"email": {demo.StaffEmail}, "password": {demo.StaffPassword}}, "Sec-Fetch-Site", "same-origin")
		assert.Equal(t, http.StatusForbidden, p.Status)
		contains(t, p, "Ce formulaire a expiré")
	})

	t.Run("after login the browser goes back to the page asked for, within the back office only", func(t *testing.T) {
		e := newEnv(t)
		b := e.Browser()
		p := b.Get("/gestion/messages?etat=new")
		require.Equal(t, http.StatusSeeOther, p.Status)
		loc, err := url.Parse(p.Location())
		require.NoError(t, err)
		assert.Equal(t, "/gestion/messages?etat=new", loc.Query().Get("suite"))
		b.Get(p.Location())
		p = b.Post("/gestion/connexion", url.Values{"email": {demo.StaffEmail}, "password": {demo.StaffPassword}, "suite": {"/gestion/messages?etat=new"}})
		assert.Equal(t, "/gestion/messages?etat=new", p.Location())

		b2 := e.Browser()
		b2.Get("/gestion/connexion")
		p = b2.Post("/gestion/connexion", url.Values{"email": {demo.StaffEmail}, "password": {demo.StaffPassword}, "suite": {"//ailleurs.example/gestion/"}})
		assert.Equal(t, "/gestion/", p.Location())
		b3 := e.Browser()
		b3.Get("/gestion/connexion")
		p = b3.Post("/gestion/connexion", url.Values{"email": {demo.StaffEmail}, "password": {demo.StaffPassword}, "suite": {"/factures"}})
		assert.Equal(t, "/gestion/", p.Location())
	})
}

func TestStaffAndCitizenSessionsAreSeparate(t *testing.T) {
	e := newEnv(t)
	citizen := e.Browser().LoginDemo()
	p := citizen.Get("/gestion/")
	assert.Equal(t, http.StatusSeeOther, p.Status, "a citizen's session does not open the back office")
	assert.True(t, strings.HasPrefix(p.Location(), "/gestion/connexion"))

	staff := e.Manager()
	p = staff.Get("/factures")
	assert.Equal(t, http.StatusSeeOther, p.Status, "a staff session does not open the citizens' pages")

	// Even with the staff secret in the citizens' cookie.
	secret := staff.Cookie("portail-gestion").Value
	req, err := http.NewRequest(http.MethodGet, e.TS.URL+"/factures", nil)
	require.NoError(t, err)
	req.AddCookie(&http.Cookie{Name: "portail-session", Value: secret})
	p = e.Browser().Do(req)
	assert.Equal(t, http.StatusSeeOther, p.Status)
}

func TestStaffRoles(t *testing.T) {
	// The back office alone, with a route of the test's behind staffWrite.
	called := 0
	e := &env{webtest.Serve(t, func(w *webtest.Env) (http.Handler, error) {
		site, err := kit.NewSite(kit.SiteConfig{Portal: w.Portal, BillerID: demo.BillerID, PublicURL: webtest.PublicURL, Clock: w.Clock})
		if err != nil {
			return nil, err
		}
		bo, err := backoffice.New(site)
		if err != nil {
			return nil, err
		}
		mux := http.NewServeMux()
		bo.Routes(mux)
		mux.Handle("POST /gestion/essai", bo.StaffWrite(func(w http.ResponseWriter, r *http.Request) error {
			called++
			return backoffice.StaffRedirect(w, r, "/gestion/", "")
		}))
		// The demo biller serves every host: WithBiller never fails here.
		return site.WithBiller(mux, func(w http.ResponseWriter, _ *http.Request, err error) {
			http.Error(w, err.Error(), kit.Status(err))
		}), nil
	})}

	reader := e.Reader()
	p := reader.Get("/gestion/")
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, "(Lecture seule)")
	p = reader.Post("/gestion/essai", nil)
	assert.Equal(t, http.StatusForbidden, p.Status)
	contains(t, p, "Votre rôle « lecture » permet de consulter mais pas de modifier.")
	assert.Equal(t, 0, called)

	manager := e.Manager()
	p = manager.PostRaw("/gestion/essai", url.Values{"jeton": {"faux"}}, "Sec-Fetch-Site", "same-origin")
	assert.Equal(t, http.StatusForbidden, p.Status, "the session's form token is required")
	p = manager.Post("/gestion/essai", nil)
	assert.Equal(t, http.StatusSeeOther, p.Status)
	assert.Equal(t, 1, called)

	// A role taken away applies at the next request.
	_, _, err := e.Portal.Operator().AddStaff(context.Background(), ports.StaffInput{BillerID: demo.BillerID, Email: demo.StaffEmail,
		Role: domain.RoleReader, Password: demo.StaffPassword})
	require.NoError(t, err)
	p = manager.Post("/gestion/essai", nil)
	assert.Equal(t, http.StatusForbidden, p.Status)
	assert.Equal(t, 1, called)
}

func TestBillersByHost(t *testing.T) {
	t.Run("each host serves its biller, the others fall back to the default", func(t *testing.T) {
		e := newEnv(t)
		e.otherBiller()
		p := e.Browser().OnHost(otherHost).Get("/connexion")
		require.Equal(t, http.StatusOK, p.Status)
		contains(t, p, "Syndicat d'Autreville")
		notContains(t, p, "Démoville")
		p = e.Browser().Get("/connexion")
		contains(t, p, "Commune de Démoville")
	})

	t.Run("without a default biller an unknown host gets a French 404", func(t *testing.T) {
		e := newEnv(t, func(c *web.Config) { c.BillerID = [16]byte{} })
		e.otherBiller()
		p := e.Browser().Get("/connexion")
		assert.Equal(t, http.StatusNotFound, p.Status)
		contains(t, p, "Aucun portail des factures n'est ouvert à cette adresse.")
		p = e.Browser().OnHost(otherHost).Get("/connexion")
		assert.Equal(t, http.StatusOK, p.Status)
		p = e.Browser().Get("/healthz")
		assert.Equal(t, http.StatusOK, p.Status, "health does not depend on the host")
	})

	t.Run("a citizen of one biller cannot log in or use a session on another's host", func(t *testing.T) {
		e := newEnv(t)
		e.otherBiller()
		b := e.Browser().OnHost(otherHost)
		b.Get("/connexion")
		p := b.Post("/connexion", url.Values{"email": {demo.Email}, "password": {demo.Password}})
		assert.Equal(t, http.StatusUnauthorized, p.Status, "the demo payer is unknown to the other biller")

		citizen := e.Browser().LoginDemo()
		p = citizen.OnHost(otherHost).Get("/factures")
		assert.Equal(t, http.StatusSeeOther, p.Status, "the session belongs to the other biller")
	})

	t.Run("a staff member of one biller cannot log in or use a session on another's host", func(t *testing.T) {
		e := newEnv(t)
		e.otherBiller()
		b := e.Browser().OnHost(otherHost)
		b.Get("/gestion/connexion")
		p := b.Post("/gestion/connexion", url.Values{"email": {demo.StaffEmail}, "password": {demo.StaffPassword}})
		assert.Equal(t, http.StatusUnauthorized, p.Status)

		staff := e.Manager()
		p = staff.OnHost(otherHost).Get("/gestion/")
		assert.Equal(t, http.StatusSeeOther, p.Status)

		other := e.Browser().OnHost(otherHost).StaffLogin("autre@autreville.test", otherPassword)
		p = other.Get("/gestion/")
		require.Equal(t, http.StatusOK, p.Status)
		contains(t, p, "Syndicat d'Autreville")
		notContains(t, p, "Démoville")
	})
}

func TestStaffAccount(t *testing.T) {
	e := newEnv(t)
	reader := e.Reader()
	p := reader.Get("/gestion/mon-compte")
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, "Mon compte", "Agents ayant accès à la gestion", "Agent de démonstration <gestion@demo.fr>", "Lecteur de démonstration <lecture@demo.fr>")

	other := e.Reader() // a second session of the same member
	p = reader.Post("/gestion/mon-compte/mot-de-passe", url.Values{"current_password": {"faux"}, "password": {"un nouveau mot de passe"}, "confirm": {"un nouveau mot de passe"}})
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, "Le mot de passe actuel est incorrect.")
	notContains(t, p, "un nouveau mot de passe")
	p = reader.Post("/gestion/mon-compte/mot-de-passe", url.Values{"current_password": {demo.ReaderPassword}, "password": {"court"}, "confirm": {"court"}})
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, "au moins 12 caractères")

	p = reader.Post("/gestion/mon-compte/mot-de-passe", url.Values{"current_password": {demo.ReaderPassword}, "password": {"un nouveau mot de passe"}, "confirm": {"un nouveau mot de passe"}})
	require.Equal(t, http.StatusSeeOther, p.Status, "even a reader changes their own password")
	p = reader.Get(p.Location())
	contains(t, p, "Votre nouveau mot de passe a été enregistré.")
	p = other.Get("/gestion/")
	assert.Equal(t, http.StatusSeeOther, p.Status, "the other session is closed")
	e.Browser().StaffLogin(demo.ReaderEmail, "un nouveau mot de passe")
}
