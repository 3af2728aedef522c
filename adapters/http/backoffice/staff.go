package backoffice

import (
	"net/http"
	"strings"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// Staff managed by the billing service itself. In « Mon compte », an
// administrator adds members (they receive an invitation link to choose
// their password), disables them and resets their password, each after a
// confirmation page for the last two; other roles get a 403. Every staff
// member has « Mot de passe oublié ? » on the login page, which mails a
// link to « Choisir mon mot de passe » (ports.PathStaffSetPassword).

const (
	pageStaffForgot      = "forgot"
	pageStaffSetPassword = "set_password"
	pageStaffDeadLink    = "dead_link"

	staffForgotPath  = "/gestion/mot-de-passe-oublie"
	staffMembersPath = "/gestion/mon-compte/agents"

	flashStaffAdded      = "agent-ajoute"
	flashStaffDisabled   = "agent-desactive"
	flashStaffReset      = "agent-reinitialise"
	flashStaffLinkSent   = "lien-envoye"
	flashStaffPasswordOK = "mot-de-passe-choisi"
)

// staffManage serves a page of the staff's management, reserved to the
// role "administrateur": others get a 403 (the use cases check again).
func (s *BackOffice) staffManage(h kit.HandlerFunc) http.Handler {
	return s.staffRead(func(w http.ResponseWriter, r *http.Request) error {
		u := staffFrom(r)
		if !u.actor.Role.CanManageStaff() {
			return domain.ErrStaffAdminOnly
		}
		return h(w, r)
	})
}

// roleChoice is a role offered by « Ajouter un agent ».
type roleChoice struct {
	Value domain.StaffRole
	Label string
	Hint  string
}

var roleChoices = []roleChoice{
	{domain.RoleReader, "Lecture seule", "Consulte tout, ne modifie rien."},
	{domain.RoleManager, "Gestionnaire", "Consulte et modifie : paramètres, imports, paiements, messages, comptes des redevables."},
	{domain.RoleAdmin, "Administrateur", "Tout ce que fait un gestionnaire, et la gestion des agents du service."},
}

// staffAddFields are the fields of « Ajouter un agent », in page order.
var staffAddFields = []string{"email", "name", "role"}

func newStaffAddForm() *kit.Form {
	return &kit.Form{Prefix: "agent-", Values: map[string]string{"email": "", "name": "", "role": string(domain.RoleManager)}, Errors: map[string]string{}}
}

func (s *BackOffice) addStaffMember(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	f := kit.NewForm(r, "agent-", staffAddFields...)
	_, err := s.portal.BackOfficeAdmin().AddStaffMember(r.Context(), u.actor, ports.StaffMemberInput{
		Email: f.Values["email"], Name: strings.TrimSpace(f.Values["name"]), Role: domain.StaffRole(f.Values["role"])})
	if kit.FieldError(err) || domain.ErrorCode(err) == domain.Conflict {
		f.Set(err)
		p, perr := s.staffAccountPage(r, u, nil)
		if perr != nil {
			return perr
		}
		p.AddForm = f
		p.Errors = kit.ErrorSummary(staffAddFields, f)
		return s.renderStaff(w, r, u, kit.Status(err), pageStaffAccount, p)
	}
	if err != nil {
		return err
	}
	return staffRedirect(w, r, staffAccountPath, flashStaffAdded)
}

// staffAction is what a confirmation page asks for.
type staffAction struct {
	Path     string // the last segment of the action's address
	Title    string
	Question string
	Detail   string
	Button   string
}

var (
	staffDisable = staffAction{Path: "desactiver", Title: "Désactiver un agent",
		Question: "Désactiver l'agent %s ?",
		Detail:   "Il ne pourra plus se connecter à la gestion et ses sessions ouvertes seront fermées. Ses actions passées restent dans le journal. Pour lui rendre l'accès, ajoutez-le de nouveau avec la même adresse.",
		Button:   "Désactiver l'agent"}
	staffReset = staffAction{Path: "reinitialiser", Title: "Réinitialiser le mot de passe d'un agent",
		Question: "Réinitialiser le mot de passe de l'agent %s ?",
		Detail:   "Son mot de passe actuel ne fonctionnera plus et ses sessions ouvertes seront fermées. Il recevra un message avec un lien pour choisir un nouveau mot de passe (ou, s'il n'en a jamais choisi, son invitation de nouveau).",
		Button:   "Réinitialiser le mot de passe"}
)

// confirmStaffAction shows the confirmation page of an action on a member.
func (s *BackOffice) confirmStaffAction(a staffAction) kit.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		u := staffFrom(r)
		id, err := kit.PathID(r)
		if err != nil {
			return err
		}
		st, err := s.portal.BackOfficeAdmin().StaffMember(r.Context(), u.actor, id)
		if err != nil {
			return err
		}
		p := &staffConfirmPage{Base: kit.Base{Title: a.Title, Menu: menuStaffAccount},
			Lines:  []string{strings.Replace(a.Question, "%s", st.Label(), 1), a.Detail},
			Action: staffMembersPath + "/" + st.ID.String() + "/" + a.Path, Field: confirmField,
			Button: a.Button, Cancel: staffAccountPath}
		return s.renderStaff(w, r, u, http.StatusOK, pageStaffConfirm, p)
	}
}

func (s *BackOffice) disableStaffMember(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	id, err := kit.PathID(r)
	if err != nil {
		return err
	}
	if _, err := s.portal.BackOfficeAdmin().DisableStaffMember(r.Context(), u.actor, id); err != nil {
		return err
	}
	return staffRedirect(w, r, staffAccountPath, flashStaffDisabled)
}

func (s *BackOffice) resetStaffMember(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	id, err := kit.PathID(r)
	if err != nil {
		return err
	}
	if _, err := s.portal.BackOfficeAdmin().ResetStaffMember(r.Context(), u.actor, id); err != nil {
		return err
	}
	return staffRedirect(w, r, staffAccountPath, flashStaffReset)
}

// staffEmailPage is the back office's « Mot de passe oublié ».
type staffEmailPage struct {
	kit.Base
	Form *kit.Form
}

func (s *BackOffice) showStaffForgot(w http.ResponseWriter, r *http.Request) error {
	f := &kit.Form{Values: map[string]string{"email": ""}, Errors: map[string]string{}}
	return s.renderStaff(w, r, nil, http.StatusOK, pageStaffForgot, &staffEmailPage{Base: kit.Base{Title: "Mot de passe oublié"}, Form: f})
}

// requestStaffReset is « Mot de passe oublié ? » → « Valider »: the same
// answer whether or not the address is a member's, under the limits of
// the citizens' « Oublié ? » (per IP and per address).
func (s *BackOffice) requestStaffReset(w http.ResponseWriter, r *http.Request) error {
	f := kit.NewForm(r, "", "email")
	if err := s.limits.AllowMailRequest(r, f.Values["email"]); err != nil {
		return err
	}
	err := s.portal.BackOfficeAdmin().RequestStaffPasswordReset(r.Context(), kit.BillerID(r), f.Values["email"])
	if kit.FieldError(err) {
		f.Set(err)
		p := &staffEmailPage{Base: kit.Base{Title: "Mot de passe oublié", Errors: kit.ErrorSummary([]string{"email"}, f)}, Form: f}
		return s.renderStaff(w, r, nil, kit.Status(err), pageStaffForgot, p)
	}
	if err != nil {
		return err
	}
	return staffRedirect(w, r, staffForgotPath, flashStaffLinkSent)
}

// staffPasswordPage is « Choisir mon mot de passe ».
type staffPasswordPage struct {
	kit.Base
	Form      *kit.Form
	Link      string // the link's secret, posted back in a hidden field
	Email     string
	MinLength int
}

type staffDeadLinkPage struct {
	kit.Base
	Message string
}

func (s *BackOffice) staffDeadLink(w http.ResponseWriter, r *http.Request, err error) error {
	p := &staffDeadLinkPage{Base: kit.Base{Title: "Lien non valable"}, Message: domain.ErrorMessage(err)}
	return s.renderStaff(w, r, nil, kit.Status(err), pageStaffDeadLink, p)
}

func newStaffPasswordPage(info ports.LinkInfo, secret string, f *kit.Form) *staffPasswordPage {
	return &staffPasswordPage{Base: kit.Base{Title: "Choisir mon mot de passe", Errors: kit.ErrorSummary([]string{"password", "confirm"}, f)},
		Form: f, Link: secret, Email: info.Email, MinLength: info.MinPasswordLength}
}

func (s *BackOffice) showStaffSetPassword(w http.ResponseWriter, r *http.Request) error {
	kit.NoReferrer(w)
	secret := r.URL.Query().Get("lien")
	info, err := s.portal.BackOfficeAdmin().CheckStaffPasswordLink(r.Context(), kit.BillerID(r), secret)
	if kit.DeadLink(err) {
		return s.staffDeadLink(w, r, err)
	}
	if err != nil {
		return err
	}
	f := &kit.Form{Values: map[string]string{"password": "", "confirm": ""}, Errors: map[string]string{}}
	return s.renderStaff(w, r, nil, http.StatusOK, pageStaffSetPassword, newStaffPasswordPage(info, secret, f))
}

// staffSetPassword is « Enregistrer »: the link is used once; the member
// then logs in.
func (s *BackOffice) staffSetPassword(w http.ResponseWriter, r *http.Request) error {
	kit.NoReferrer(w)
	if err := s.limits.AllowAuth(r); err != nil {
		return err
	}
	secret := r.PostForm.Get("lien")
	f := kit.NewForm(r, "", "password", "confirm")
	err := s.portal.BackOfficeAdmin().ResetStaffPassword(r.Context(), kit.BillerID(r), secret, r.PostForm.Get("password"), r.PostForm.Get("confirm"))
	switch {
	case kit.DeadLink(err):
		return s.staffDeadLink(w, r, err)
	case kit.FieldError(err):
		f.Set(err)
		info, cerr := s.portal.BackOfficeAdmin().CheckStaffPasswordLink(r.Context(), kit.BillerID(r), secret)
		if cerr != nil {
			return s.staffDeadLink(w, r, cerr)
		}
		return s.renderStaff(w, r, nil, kit.Status(err), pageStaffSetPassword, newStaffPasswordPage(info, secret, f))
	case err != nil:
		return err
	}
	return staffRedirect(w, r, "/gestion/connexion", flashStaffPasswordOK)
}

// staffMemberRow is a line of the staff list of « Mon compte ».
type staffMemberRow struct {
	domain.Staff
	// Actions offers « Désactiver » and « Réinitialiser le mot de passe »:
	// to an administrator, for an active member other than themselves.
	Actions bool
}

func staffMemberRows(list []domain.Staff, u *staffUser) []staffMemberRow {
	out := make([]staffMemberRow, len(list))
	for i, st := range list {
		out[i] = staffMemberRow{Staff: st, Actions: u.actor.Role.CanManageStaff() && !st.Disabled && st.ID != u.actor.ID}
	}
	return out
}
