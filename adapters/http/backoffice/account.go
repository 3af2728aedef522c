package backoffice

import (
	"net/http"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
)

// The staff member's own account: their password, and who else works in
// the back office; an administrator manages them there (staff.go).

const (
	pageStaffAccount     = "account"
	flashStaffPassword   = "mot-de-passe"
	menuStaffAccount     = "compte"
	staffAccountPath     = "/gestion/mon-compte"
	staffAccountPassword = "/gestion/mon-compte/mot-de-passe"
)

type staffAccountPage struct {
	kit.Base
	Form    *kit.Form
	Members []domain.Staff
	// For an administrator (staff.go): the list's actions and
	// « Ajouter un agent ».
	Rows      []staffMemberRow
	CanManage bool
	AddForm   *kit.Form
	Roles     []roleChoice
}

func (s *BackOffice) staffAccountPage(r *http.Request, u *staffUser, f *kit.Form) (*staffAccountPage, error) {
	list, err := s.portal.BackOfficeAdmin().StaffMembers(r.Context(), u.actor)
	if err != nil {
		return nil, err
	}
	if f == nil {
		f = &kit.Form{Values: map[string]string{"current_password": "", "password": "", "confirm": ""}, Errors: map[string]string{}}
	}
	return &staffAccountPage{
		Base: kit.Base{Title: "Mon compte", Menu: menuStaffAccount,
			Errors: kit.ErrorSummary([]string{"current_password", "password", "confirm"}, f)},
		Form: f, Members: list, Rows: staffMemberRows(list, u),
		CanManage: u.actor.Role.CanManageStaff(), AddForm: newStaffAddForm(), Roles: roleChoices,
	}, nil
}

func (s *BackOffice) staffAccount(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	p, err := s.staffAccountPage(r, u, nil)
	if err != nil {
		return err
	}
	return s.renderStaff(w, r, u, http.StatusOK, pageStaffAccount, p)
}

// changeStaffPassword needs the current password. Its check is reserved
// against the member's own limit before it is made, as on the citizens'
// « Mes informations » (checkCurrentPassword): a borrowed session must
// not be a way to guess the password, and of many attempts sent at once
// at most LoginFailures.Events are checked. The reservation is given back
// unless the current password was wrong.
func (s *BackOffice) changeStaffPassword(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	f := kit.NewForm(r, "", "current_password", "password", "confirm")
	release, err := s.limits.ReserveLogin(r, "staff-account:"+u.actor.ID.String())
	if err != nil {
		return err
	}
	err = s.portal.BackOffice().ChangeStaffPassword(r.Context(), u.actor, u.secret,
		r.PostForm.Get("current_password"), r.PostForm.Get("password"), r.PostForm.Get("confirm"))
	release(err)
	if kit.FieldError(err) {
		f.Set(err)
		// Passwords are never shown again.
		f.Values = map[string]string{"current_password": "", "password": "", "confirm": ""}
		p, perr := s.staffAccountPage(r, u, f)
		if perr != nil {
			return perr
		}
		return s.renderStaff(w, r, u, http.StatusBadRequest, pageStaffAccount, p)
	}
	if err != nil {
		return err
	}
	return staffRedirect(w, r, staffAccountPath, flashStaffPassword)
}
