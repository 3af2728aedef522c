package citizen

import (
	"net/http"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// profilePage is "Mes informations": the address, the password and the
// paper invoices.
type profilePage struct {
	kit.Base
	Profile      ports.Profile
	EmailForm    *kit.Form
	PasswordForm *kit.Form
}

var (
	emailFields    = []string{"email", "current_password"}
	passwordFields = []string{"current_password", "password", "confirm"}
)

func (s *Portal) profile(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	return s.renderProfile(w, r, u, http.StatusOK, &kit.Form{Prefix: "adresse-"}, &kit.Form{Prefix: "mdp-"})
}

func (s *Portal) renderProfile(w http.ResponseWriter, r *http.Request, u *user, st int, emailForm, pwForm *kit.Form) error {
	prof, err := s.portal.Citizens().Profile(r.Context(), u.citizen)
	if err != nil {
		return err
	}
	p := &profilePage{
		Base: kit.Base{Title: "Mes informations", Menu: menuProfile,
			Errors: append(kit.ErrorSummary(emailFields, emailForm), kit.ErrorSummary(passwordFields, pwForm)...)},
		Profile: prof, EmailForm: emailForm, PasswordForm: pwForm,
	}
	return s.render(w, r, st, pageProfile, p)
}

// checkCurrentPassword reserves a check of the current password against
// the account's limit before the form is handled, and refuses the form
// once too many wrong current passwords were typed: a borrowed session
// must not be a way to guess the password. release gives the reservation
// back unless the current password was wrong.
func (s *Portal) checkCurrentPassword(r *http.Request, u *user) (release func(error), err error) {
	return s.limits.ReserveLogin(r, "account:"+u.citizen.AccountID.String())
}

// changeEmail sends a confirmation link to the new address; the change
// happens only when it is followed (ports.PathConfirmEmail).
func (s *Portal) changeEmail(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	f := kit.NewForm(r, "adresse-", emailFields...)
	if err := s.limits.AllowMail(r, f.Values["email"]); err != nil {
		return err
	}
	release, err := s.checkCurrentPassword(r, u)
	if err != nil {
		return err
	}
	err = s.portal.Citizens().RequestEmailChange(r.Context(), u.citizen, f.Values["email"], r.PostForm.Get("current_password"))
	release(err)
	if kit.FieldError(err) {
		f.Set(err)
		return s.renderProfile(w, r, u, kit.Status(err), f, &kit.Form{Prefix: "mdp-"})
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/mes-informations", flashEmailSent)
}

// changePassword needs the current password; the account's other
// sessions end, this one goes on.
func (s *Portal) changePassword(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	f := kit.NewForm(r, "mdp-", passwordFields...)
	release, err := s.checkCurrentPassword(r, u)
	if err != nil {
		return err
	}
	pf := r.PostForm
	err = s.portal.Citizens().ChangePassword(r.Context(), u.citizen, u.secret, pf.Get("current_password"), pf.Get("password"), pf.Get("confirm"))
	release(err)
	if kit.FieldError(err) {
		f.Set(err)
		return s.renderProfile(w, r, u, kit.Status(err), &kit.Form{Prefix: "adresse-"}, f)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/mes-informations", flashPasswordChange)
}

// mailPreferences saves the notices and reminders the payer wants
// (issue 15); an unchecked box is not sent, so it means off.
func (s *Portal) mailPreferences(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	err := s.portal.Citizens().SetMailPreferences(r.Context(), u.citizen, r.PostForm.Get("avis") != "", r.PostForm.Get("rappels") != "")
	if err != nil {
		return err
	}
	return redirect(w, r, "/mes-informations", flashMailChoices)
}

// paperlessPage is the confirmation step of "Je ne souhaite plus recevoir
// mes factures au format papier".
type paperlessPage struct {
	kit.Base
	Profile ports.Profile
}

func (s *Portal) showPaperless(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	prof, err := s.portal.Citizens().Profile(r.Context(), u.citizen)
	if err != nil {
		return err
	}
	p := &paperlessPage{Base: kit.Base{Title: "Factures papier", Menu: menuProfile}, Profile: prof}
	return s.render(w, r, http.StatusOK, pagePaperless, p)
}

// paperless records the confirmed wish; the service is emailed.
func (s *Portal) paperless(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	if err := s.portal.Citizens().RequestPaperless(r.Context(), u.citizen); err != nil {
		return err
	}
	return redirect(w, r, "/mes-informations", flashPaperless)
}

// confirmEmailPage is opened from the link sent to the new address. The
// change is made by its button (a POST), not by opening the link: mail
// filters that open links to scan them must not use it.
type confirmEmailPage struct {
	kit.Base
	Link     string
	NewEmail string
}

func (s *Portal) showConfirmEmail(w http.ResponseWriter, r *http.Request) error {
	kit.NoReferrer(w)
	secret := r.URL.Query().Get("lien")
	if secret == "" {
		return s.deadLink(w, r, domain.ErrTokenUnknown, true)
	}
	newEmail, err := s.portal.CitizenAccounts().CheckEmailLink(r.Context(), kit.BillerID(r), secret)
	if kit.DeadLink(err) {
		return s.deadLink(w, r, err, true)
	}
	if err != nil {
		return err
	}
	p := &confirmEmailPage{Base: kit.Base{Title: "Confirmer votre nouvelle adresse"}, Link: secret, NewEmail: newEmail}
	return s.render(w, r, http.StatusOK, pageConfirmEmail, p)
}

func (s *Portal) confirmEmail(w http.ResponseWriter, r *http.Request) error {
	kit.NoReferrer(w)
	if err := s.limits.AllowAuth(r); err != nil {
		return err
	}
	_, err := s.portal.CitizenAccounts().ConfirmEmailChange(r.Context(), kit.BillerID(r), r.PostForm.Get("lien"))
	if kit.DeadLink(err) || domain.ErrorCode(err) == domain.Conflict {
		return s.deadLink(w, r, err, true)
	}
	if err != nil {
		return err
	}
	if _, aerr := s.authenticate(r); aerr == nil {
		return redirect(w, r, "/mes-informations", flashEmailConfirmed)
	}
	return redirect(w, r, "/connexion", flashEmailConfirmed)
}
