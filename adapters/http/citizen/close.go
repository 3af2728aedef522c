package citizen

import (
	"net/http"

	"github.com/portail-factures/portail/adapters/http/kit"
)

// « Clore mon compte », from « Mes informations » (issue 16, item 7): a
// confirmation page with the current password, then the account is closed,
// the session ends and the login page says what happened.

// pageCloseAccount is the confirmation step.
const pageCloseAccount = "close_account"

// flashAccountClosed is shown on the login page after the closure.
const flashAccountClosed = "compte-clos"

var closeFields = []string{"current_password"}

type closeAccountPage struct {
	kit.Base
	Form      *kit.Form
	Retention string
}

func (s *Portal) showCloseAccount(w http.ResponseWriter, r *http.Request) error {
	return s.renderCloseAccount(w, r, http.StatusOK, &kit.Form{})
}

func (s *Portal) renderCloseAccount(w http.ResponseWriter, r *http.Request, st int, f *kit.Form) error {
	u := userFrom(r)
	retention, err := s.portal.Citizens().Retention(r.Context(), u.citizen)
	if err != nil {
		return err
	}
	p := &closeAccountPage{
		Base: kit.Base{Title: "Clore mon compte", Menu: menuProfile, Errors: kit.ErrorSummary(closeFields, f)},
		Form: f, Retention: retention,
	}
	return s.render(w, r, st, pageCloseAccount, p)
}

// closeAccount closes the account once the current password is checked
// (under the same limit as the other forms of « Mes informations »),
// ends the session and sends the browser to the login page.
func (s *Portal) closeAccount(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	f := kit.NewForm(r, "", closeFields...)
	f.Values["current_password"] = ""
	release, err := s.checkCurrentPassword(r, u)
	if err != nil {
		return err
	}
	err = s.portal.Citizens().CloseAccount(r.Context(), u.citizen, r.PostForm.Get("current_password"))
	release(err)
	if kit.FieldError(err) {
		f.Set(err)
		return s.renderCloseAccount(w, r, kit.Status(err), f)
	}
	if err != nil {
		return err
	}
	s.clearSessionCookie(w)
	return redirect(w, r, "/connexion", flashAccountClosed)
}
