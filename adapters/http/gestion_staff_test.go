package http

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
	e.t.Helper()
	st, err := e.store.Staff(context.Background(), demo.AdminID)
	require.NoError(e.t, err)
	return e.browser().staffLogin(demo.AdminEmail, demo.AdminPassword), st
}

func memberPath(id, action string) string { return staffMembersPath + "/" + id + "/" + action }

func TestStaffManagementScreens(t *testing.T) {
	e := newEnv(t)
	reader := e.reader()
	b, me := e.admin()

	p := b.get(staffAccountPath)
	require.Equal(t, http.StatusOK, p.status)
	contains(t, p, "(Administrateur)", "Ajouter un agent", "Lecture seule", "Gestionnaire", "Administrateur",
		`href="`+memberPath(demo.ReaderID.String(), "desactiver")+`"`, `href="`+memberPath(demo.StaffID.String(), "reinitialiser")+`"`,
		`<label for="agent-email">`, `<legend>Rôle</legend>`)
	notContains(t, p, memberPath(me.ID.String(), "desactiver"), "an administrator is offered no action on themselves")

	t.Run("Ajouter: the member is invited by mail, errors are tied to their fields", func(t *testing.T) {
		p := b.post(staffMembersPath, url.Values{"email": {"pas-une-adresse"}, "role": {"lecture"}})
		assert.Equal(t, http.StatusBadRequest, p.status)
		contains(t, p, "Une erreur empêche de continuer", `href="#agent-email"`, `aria-invalid="true" aria-describedby="agent-email-erreur"`, `value="pas-une-adresse"`)
		p = b.post(staffMembersPath, url.Values{"email": {"chef@demo.fr"}, "role": {"chef"}})
		assert.Equal(t, http.StatusBadRequest, p.status)
		contains(t, p, `href="#agent-role"`, "Le rôle doit être « administrateur », « gestionnaire » ou « lecture ».")
		p = b.post(staffMembersPath, url.Values{"email": {demo.StaffEmail}, "role": {"lecture"}})
		assert.Equal(t, http.StatusConflict, p.status)
		contains(t, p, "Un agent du service a déjà cette adresse de messagerie.")

		p = b.post(staffMembersPath, url.Values{"email": {"nouvel@demo.fr"}, "name": {"Nouvel Agent"}, "role": {"lecture"}})
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		assert.Equal(t, staffAccountPath+"?ok="+flashStaffAdded, p.location())
		p = b.get(p.location())
		contains(t, p, "L'agent est ajouté : un message lui est envoyé avec un lien pour choisir son mot de passe.",
			"<td>Nouvel Agent <nouvel@demo.fr></td><td>Lecture seule</td><td>Mot de passe à choisir</td><td>Jamais</td>")
		assert.Equal(t, 1, e.mailsTo("nouvel@demo.fr"))
		assert.True(t, strings.HasPrefix(e.linkTo("nouvel@demo.fr"), ports.PathStaffSetPassword+"?lien="))
	})

	t.Run("Désactiver: a confirmation, then the member is out", func(t *testing.T) {
		path := memberPath(demo.ReaderID.String(), "desactiver")
		p := b.get(path)
		require.Equal(t, http.StatusOK, p.status)
		contains(t, p, "Désactiver l'agent Lecteur de démonstration <lecture@demo.fr> ?", "Désactiver l'agent", "Annuler")
		p = b.postRaw(path, url.Values{"jeton": {"faux"}}, "Sec-Fetch-Site", "same-origin")
		assert.Equal(t, http.StatusForbidden, p.status, "the session's form token is required")
		require.Equal(t, http.StatusOK, reader.get("/gestion/").status)

		p = b.post(path, nil)
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		assert.Equal(t, staffAccountPath+"?ok="+flashStaffDisabled, p.location())
		contains(t, b.get(p.location()), "L'agent est désactivé", "Désactivé")
		p = reader.get("/gestion/")
		assert.Equal(t, http.StatusSeeOther, p.status, "the member's session ended")
		assert.Contains(t, p.location(), "/gestion/connexion")

		p = b.post(memberPath(me.ID.String(), "desactiver"), nil)
		assert.Equal(t, http.StatusConflict, p.status)
		contains(t, p, "Vous ne pouvez pas désactiver votre propre compte")
	})

	t.Run("Réinitialiser le mot de passe: a confirmation, the old password stops, a link comes by mail", func(t *testing.T) {
		path := memberPath(demo.StaffID.String(), "reinitialiser")
		contains(t, b.get(path), "Réinitialiser le mot de passe de l'agent Agent de démonstration <gestion@demo.fr> ?")
		p := b.post(path, nil)
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		contains(t, b.get(p.location()), "Le mot de passe de l'agent est réinitialisé")
		assert.Equal(t, 1, e.mailsTo(demo.StaffEmail))
		assert.True(t, strings.HasPrefix(e.linkTo(demo.StaffEmail), ports.PathStaffSetPassword+"?lien="))
		login := e.browser()
		login.get("/gestion/connexion")
		p = login.post("/gestion/connexion", url.Values{"email": {demo.StaffEmail}, "password": {demo.StaffPassword}})
		assert.Equal(t, http.StatusUnauthorized, p.status)
	})

	events, _, err := e.store.AuditEvents(context.Background(), ports.AuditQuery{BillerID: demo.BillerID, Action: "staff."})
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
	for name, b := range map[string]*browser{"gestionnaire": e.manager(), "lecture": e.reader()} {
		t.Run(name, func(t *testing.T) {
			p := b.get(staffAccountPath)
			require.Equal(t, http.StatusOK, p.status)
			contains(t, p, "Les comptes des agents sont gérés par les administrateurs du service.")
			notContains(t, p, "Ajouter un agent", "/desactiver", "/reinitialiser")
			for _, path := range []string{memberPath(demo.ReaderID.String(), "desactiver"), memberPath(demo.StaffID.String(), "reinitialiser")} {
				p = b.get(path)
				assert.Equal(t, http.StatusForbidden, p.status, path)
				contains(t, p, "Seul un administrateur du service peut gérer les agents.")
			}
			b.get(staffAccountPath)
			for _, path := range []string{staffMembersPath, memberPath(demo.ReaderID.String(), "desactiver"), memberPath(demo.StaffID.String(), "reinitialiser")} {
				p = b.post(path, url.Values{"email": {"intrus@demo.fr"}, "role": {"administrateur"}})
				assert.Equal(t, http.StatusForbidden, p.status, path)
			}
		})
	}
	_, err := e.store.StaffByEmail(context.Background(), demo.BillerID, "intrus@demo.fr")
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err))
	assert.Empty(t, e.mails.Mails())

	// Another biller's administrator does not find the demo's staff.
	_, _, err = e.portal.Operator().AddStaff(context.Background(), ports.StaffInput{BillerID: otherBiller.ID, Email: "chef@autreville.test",
		Role: domain.RoleAdmin, Password: otherPassword})
	require.NoError(t, err)
	other := e.browser().onHost(otherHost).staffLogin("chef@autreville.test", otherPassword)
	p := other.get(memberPath(demo.ReaderID.String(), "desactiver"))
	assert.Equal(t, http.StatusNotFound, p.status)
	notContains(t, p, "lecture@demo.fr")
	other.get(staffAccountPath)
	p = other.post(memberPath(demo.ReaderID.String(), "desactiver"), nil)
	assert.Equal(t, http.StatusNotFound, p.status)
}

func TestStaffForgottenPassword(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	p := b.get("/gestion/connexion")
	contains(t, p, `<a href="/gestion/mot-de-passe-oublie">Mot de passe oublié ?</a>`)
	p = b.get(staffForgotPath)
	require.Equal(t, http.StatusOK, p.status)
	contains(t, p, "Mot de passe oublié", `<label for="email">Adresse de messagerie</label>`)

	p = b.postRaw(staffForgotPath, url.Values{"email": {demo.StaffEmail}, "jeton": {"faux"}}, "Sec-Fetch-Site", "same-origin")
	assert.Equal(t, http.StatusForbidden, p.status, "the form token is required")
	assert.Zero(t, e.mailsTo(demo.StaffEmail))

	p = b.post(staffForgotPath, url.Values{"email": {"pas-une-adresse"}})
	assert.Equal(t, http.StatusBadRequest, p.status)
	contains(t, p, `href="#email"`, `aria-invalid="true"`)

	// The same answer whether or not the address is a member's.
	for _, addr := range []string{"inconnu@demo.fr", demo.Email, demo.StaffEmail} {
		b.get(staffForgotPath)
		p = b.post(staffForgotPath, url.Values{"email": {addr}})
		require.Equal(t, http.StatusSeeOther, p.status, addr)
		assert.Equal(t, staffForgotPath+"?ok="+flashStaffLinkSent, p.location())
	}
	contains(t, b.get(p.location()), "Si l'adresse saisie est celle d'un agent du service, un message contenant un lien pour choisir votre mot de passe vient de lui être envoyé.")
	assert.Zero(t, e.mailsTo("inconnu@demo.fr"))
	assert.Zero(t, e.mailsTo(demo.Email), "a citizen's address gets no staff link")
	require.Equal(t, 1, e.mailsTo(demo.StaffEmail))
	link := e.linkTo(demo.StaffEmail)
	require.True(t, strings.HasPrefix(link, ports.PathStaffSetPassword+"?lien="), link)

	p = b.get(link)
	require.Equal(t, http.StatusOK, p.status)
	assert.Equal(t, "no-referrer", p.header.Get("Referrer-Policy"))
	contains(t, p, "Choisir mon mot de passe", demo.StaffEmail, "12 caractères au moins.")
	secret := strings.TrimPrefix(link, ports.PathStaffSetPassword+"?lien=")
	secret, err := url.QueryUnescape(secret)
	require.NoError(t, err)

	p = b.post(ports.PathStaffSetPassword, url.Values{"lien": {secret}, "password": {"un nouveau mot de passe"}, "confirm": {"autre"}})
	assert.Equal(t, http.StatusBadRequest, p.status)
	contains(t, p, `href="#confirm"`, "Les deux mots de passe saisis sont différents.")
	p = b.post(ports.PathStaffSetPassword, url.Values{"lien": {secret}, "password": {"court"}, "confirm": {"court"}})
	assert.Equal(t, http.StatusBadRequest, p.status)
	contains(t, p, `href="#password"`)

	p = b.get("/mot-de-passe?lien=" + url.QueryEscape(secret))
	contains(t, p, "Ce lien n'est pas valable") // a staff link opens no citizen's page

	p = b.post(ports.PathStaffSetPassword, url.Values{"lien": {secret}, "password": {"un nouveau mot de passe"}, "confirm": {"un nouveau mot de passe"}})
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	assert.Equal(t, "/gestion/connexion?ok="+flashStaffPasswordOK, p.location())
	contains(t, b.get(p.location()), "Votre mot de passe est enregistré. Vous pouvez vous connecter à la gestion.")
	e.browser().staffLogin(demo.StaffEmail, "un nouveau mot de passe")

	p = b.get(link)
	contains(t, p, "Ce lien ne peut pas être utilisé", "Ce lien a déjà été utilisé.", `href="/gestion/mot-de-passe-oublie"`)
	notContains(t, p, demo.StaffEmail)
}

func TestStaffForgottenPasswordIsLimited(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	for i := range 5 {
		b.get(staffForgotPath)
		p := b.post(staffForgotPath, url.Values{"email": {demo.StaffEmail}})
		require.Equal(t, http.StatusSeeOther, p.status, "request %d", i+1)
	}
	b.get(staffForgotPath)
	p := b.post(staffForgotPath, url.Values{"email": {demo.StaffEmail}})
	assert.Equal(t, http.StatusTooManyRequests, p.status, "5 mails per address and hour, as the citizens' « Oublié ? »")
	assert.NotEmpty(t, p.header.Get("Retry-After"))
	assert.Equal(t, 5, e.mailsTo(demo.StaffEmail))
}
