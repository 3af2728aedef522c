package backoffice_test

import (
	"context"
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

// admin returns a browser logged in as the demo's administrator, with
// their record.
func (e *env) admin() (*browser, domain.Staff) {
	e.T.Helper()
	st, err := e.Store.Staff(context.Background(), demo.AdminID)
	require.NoError(e.T, err)
	return e.Browser().StaffLogin(demo.AdminEmail, demo.AdminPassword), st
}

func memberPath(id, action string) string { return "/gestion/mon-compte/agents/" + id + "/" + action }

func TestStaffManagementScreens(t *testing.T) {
	e := newEnv(t)
	reader := e.Reader()
	b, me := e.admin()

	p := b.Get("/gestion/mon-compte")
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, "(Administrateur)", "Ajouter un agent", "Lecture seule", "Gestionnaire", "Administrateur",
		`href="`+memberPath(demo.ReaderID.String(), "desactiver")+`"`, `href="`+memberPath(demo.StaffID.String(), "reinitialiser")+`"`,
		`<label for="agent-email">`, `<legend>Rôle</legend>`)
	notContains(t, p, memberPath(me.ID.String(), "desactiver"), "an administrator is offered no action on themselves")

	t.Run("Ajouter: the member is invited by mail, errors are tied to their fields", func(t *testing.T) {
		p := b.Post("/gestion/mon-compte/agents", url.Values{"email": {"pas-une-adresse"}, "role": {"lecture"}})
		assert.Equal(t, http.StatusBadRequest, p.Status)
		contains(t, p, "Une erreur empêche de continuer", `href="#agent-email"`, `aria-invalid="true" aria-describedby="agent-email-erreur"`, `value="pas-une-adresse"`)
		p = b.Post("/gestion/mon-compte/agents", url.Values{"email": {"chef@demo.fr"}, "role": {"chef"}})
		assert.Equal(t, http.StatusBadRequest, p.Status)
		contains(t, p, `href="#agent-role"`, "Le rôle doit être « administrateur », « gestionnaire » ou « lecture ».")
		p = b.Post("/gestion/mon-compte/agents", url.Values{"email": {demo.StaffEmail}, "role": {"lecture"}})
		assert.Equal(t, http.StatusConflict, p.Status)
		contains(t, p, "Un agent du service a déjà cette adresse de messagerie.")

		p = b.Post("/gestion/mon-compte/agents", url.Values{"email": {"nouvel@demo.fr"}, "name": {"Nouvel Agent"}, "role": {"lecture"}})
		require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
		assert.Equal(t, "/gestion/mon-compte?ok=agent-ajoute", p.Location())
		p = b.Get(p.Location())
		contains(t, p, "L'agent est ajouté : un message lui est envoyé avec un lien pour choisir son mot de passe.",
			"<td>Nouvel Agent <nouvel@demo.fr></td><td>Lecture seule</td><td>Mot de passe à choisir</td><td>Jamais</td>")
		assert.Equal(t, 1, e.MailsTo("nouvel@demo.fr"))
		assert.True(t, strings.HasPrefix(e.LinkTo("nouvel@demo.fr"), ports.PathStaffSetPassword+"?lien="))
	})

	t.Run("Désactiver: a confirmation, then the member is out", func(t *testing.T) {
		path := memberPath(demo.ReaderID.String(), "desactiver")
		p := b.Get(path)
		require.Equal(t, http.StatusOK, p.Status)
		contains(t, p, "Désactiver l'agent Lecteur de démonstration <lecture@demo.fr> ?", "Désactiver l'agent", "Annuler")
		p = b.PostRaw(path, url.Values{"jeton": {"faux"}}, "Sec-Fetch-Site", "same-origin")
		assert.Equal(t, http.StatusForbidden, p.Status, "the session's form token is required")
		require.Equal(t, http.StatusOK, reader.Get("/gestion/").Status)

		p = b.Post(path, nil)
		require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
		assert.Equal(t, "/gestion/mon-compte?ok=agent-desactive", p.Location())
		contains(t, b.Get(p.Location()), "L'agent est désactivé", "Désactivé")
		p = reader.Get("/gestion/")
		assert.Equal(t, http.StatusSeeOther, p.Status, "the member's session ended")
		assert.Contains(t, p.Location(), "/gestion/connexion")

		p = b.Post(memberPath(me.ID.String(), "desactiver"), nil)
		assert.Equal(t, http.StatusConflict, p.Status)
		contains(t, p, "Vous ne pouvez pas désactiver votre propre compte")
	})

	t.Run("Réinitialiser le mot de passe: a confirmation, the old password stops, a link comes by mail", func(t *testing.T) {
		path := memberPath(demo.StaffID.String(), "reinitialiser")
		contains(t, b.Get(path), "Réinitialiser le mot de passe de l'agent Agent de démonstration <gestion@demo.fr> ?")
		p := b.Post(path, nil)
		require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
		contains(t, b.Get(p.Location()), "Le mot de passe de l'agent est réinitialisé")
		assert.Equal(t, 1, e.MailsTo(demo.StaffEmail))
		assert.True(t, strings.HasPrefix(e.LinkTo(demo.StaffEmail), ports.PathStaffSetPassword+"?lien="))
		login := e.Browser()
		login.Get("/gestion/connexion")
		p = login.Post("/gestion/connexion", url.Values{"email": {demo.StaffEmail}, "password": {demo.StaffPassword}})
		assert.Equal(t, http.StatusUnauthorized, p.Status)
	})

	events, _, err := e.Store.AuditEvents(context.Background(), ports.AuditQuery{BillerID: demo.BillerID, Action: "staff."})
	require.NoError(t, err)
	var labels []string
	for _, ev := range events {
		if ev.ActorLabel == demo.AdminEmail {
			labels = append(labels, ev.Action.Label())
		}
	}
	assert.Subset(t, labels, []string{"Agent invité", "Agent désactivé", "Mot de passe d'agent réinitialisé"})
}

func TestStaffManagementForbiddenToOthers(t *testing.T) {
	e := newEnv(t)
	otherBiller := e.otherBiller()
	for name, b := range map[string]*browser{"gestionnaire": e.Manager(), "lecture": e.Reader()} {
		t.Run(name, func(t *testing.T) {
			p := b.Get("/gestion/mon-compte")
			require.Equal(t, http.StatusOK, p.Status)
			contains(t, p, "Les comptes des agents sont gérés par les administrateurs du service.")
			notContains(t, p, "Ajouter un agent", "/desactiver", "/reinitialiser")
			for _, path := range []string{memberPath(demo.ReaderID.String(), "desactiver"), memberPath(demo.StaffID.String(), "reinitialiser")} {
				p = b.Get(path)
				assert.Equal(t, http.StatusForbidden, p.Status, path)
				contains(t, p, "Seul un administrateur du service peut gérer les agents.")
			}
			b.Get("/gestion/mon-compte")
			for _, path := range []string{"/gestion/mon-compte/agents", memberPath(demo.ReaderID.String(), "desactiver"), memberPath(demo.StaffID.String(), "reinitialiser")} {
				p = b.Post(path, url.Values{"email": {"intrus@demo.fr"}, "role": {"administrateur"}})
				assert.Equal(t, http.StatusForbidden, p.Status, path)
			}
		})
	}
	_, err := e.Store.StaffByEmail(context.Background(), demo.BillerID, "intrus@demo.fr")
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err))
	assert.Empty(t, e.Mails.Mails())

	// Another biller's administrator does not find the demo's staff.
	_, _, err = e.Portal.Operator().AddStaff(context.Background(), ports.StaffInput{BillerID: otherBiller.ID, Email: "chef@autreville.test",
		Role: domain.RoleAdmin, Password: otherPassword})
	require.NoError(t, err)
	other := e.Browser().OnHost(otherHost).StaffLogin("chef@autreville.test", otherPassword)
	p := other.Get(memberPath(demo.ReaderID.String(), "desactiver"))
	assert.Equal(t, http.StatusNotFound, p.Status)
	notContains(t, p, "lecture@demo.fr")
	other.Get("/gestion/mon-compte")
	p = other.Post(memberPath(demo.ReaderID.String(), "desactiver"), nil)
	assert.Equal(t, http.StatusNotFound, p.Status)
}

func TestStaffForgottenPassword(t *testing.T) {
	e := newEnv(t)
	b := e.Browser()
	p := b.Get("/gestion/connexion")
	contains(t, p, `<a href="/gestion/mot-de-passe-oublie">Mot de passe oublié ?</a>`)
	p = b.Get("/gestion/mot-de-passe-oublie")
	require.Equal(t, http.StatusOK, p.Status)
	contains(t, p, "Mot de passe oublié", `<label for="email">Adresse de messagerie</label>`)

	p = b.PostRaw("/gestion/mot-de-passe-oublie", url.Values{"email": {demo.StaffEmail}, "jeton": {"faux"}}, "Sec-Fetch-Site", "same-origin")
	assert.Equal(t, http.StatusForbidden, p.Status, "the form token is required")
	assert.Zero(t, e.MailsTo(demo.StaffEmail))

	p = b.Post("/gestion/mot-de-passe-oublie", url.Values{"email": {"pas-une-adresse"}})
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, `href="#email"`, `aria-invalid="true"`)

	// The same answer whether or not the address is a member's.
	for _, addr := range []string{"inconnu@demo.fr", demo.Email, demo.StaffEmail} {
		b.Get("/gestion/mot-de-passe-oublie")
		p = b.Post("/gestion/mot-de-passe-oublie", url.Values{"email": {addr}})
		require.Equal(t, http.StatusSeeOther, p.Status, addr)
		assert.Equal(t, "/gestion/mot-de-passe-oublie?ok=lien-envoye", p.Location())
	}
	contains(t, b.Get(p.Location()), "Si l'adresse saisie est celle d'un agent du service, un message contenant un lien pour choisir votre mot de passe vient de lui être envoyé.")
	assert.Zero(t, e.MailsTo("inconnu@demo.fr"))
	assert.Zero(t, e.MailsTo(demo.Email), "a citizen's address gets no staff link")
	require.Equal(t, 1, e.MailsTo(demo.StaffEmail))
	link := e.LinkTo(demo.StaffEmail)
	require.True(t, strings.HasPrefix(link, ports.PathStaffSetPassword+"?lien="), link)

	p = b.Get(link)
	require.Equal(t, http.StatusOK, p.Status)
	assert.Equal(t, "no-referrer", p.Header.Get("Referrer-Policy"))
	contains(t, p, "Choisir mon mot de passe", demo.StaffEmail, "12 caractères au moins.")
	secret := strings.TrimPrefix(link, ports.PathStaffSetPassword+"?lien=")
	secret, err := url.QueryUnescape(secret)
	require.NoError(t, err)

	p = b.Post(ports.PathStaffSetPassword, url.Values{"lien": {secret}, "password": {"un nouveau mot de passe"}, "confirm": {"autre"}})
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, `href="#confirm"`, "Les deux mots de passe saisis sont différents.")
	p = b.Post(ports.PathStaffSetPassword, url.Values{"lien": {secret}, "password": {"court"}, "confirm": {"court"}})
	assert.Equal(t, http.StatusBadRequest, p.Status)
	contains(t, p, `href="#password"`)

	p = b.Get("/mot-de-passe?lien=" + url.QueryEscape(secret))
	contains(t, p, "Ce lien n'est pas valable") // a staff link opens no citizen's page

	p = b.Post(ports.PathStaffSetPassword, url.Values{"lien": {secret}, "password": {"un nouveau mot de passe"}, "confirm": {"un nouveau mot de passe"}})
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	assert.Equal(t, "/gestion/connexion?ok=mot-de-passe-choisi", p.Location())
	contains(t, b.Get(p.Location()), "Votre mot de passe est enregistré. Vous pouvez vous connecter à la gestion.")
	e.Browser().StaffLogin(demo.StaffEmail, "un nouveau mot de passe")

	p = b.Get(link)
	contains(t, p, "Ce lien ne peut pas être utilisé", "Ce lien a déjà été utilisé.", `href="/gestion/mot-de-passe-oublie"`)
	notContains(t, p, demo.StaffEmail)
}

func TestStaffForgottenPasswordIsLimited(t *testing.T) {
	e := newEnv(t)
	b := e.Browser()
	for i := range 5 {
		b.Get("/gestion/mot-de-passe-oublie")
		p := b.Post("/gestion/mot-de-passe-oublie", url.Values{"email": {demo.StaffEmail}})
		require.Equal(t, http.StatusSeeOther, p.Status, "request %d", i+1)
	}
	b.Get("/gestion/mot-de-passe-oublie")
	p := b.Post("/gestion/mot-de-passe-oublie", url.Values{"email": {demo.StaffEmail}})
	assert.Equal(t, http.StatusTooManyRequests, p.Status, "5 mails per address and hour, as the citizens' « Oublié ? »")
	assert.NotEmpty(t, p.Header.Get("Retry-After"))
	assert.Equal(t, 5, e.MailsTo(demo.StaffEmail))
}
