package citizen

import (
	"net/http"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// loginPage is "LE PORTAIL DES FACTURES – Veuillez vous connecter".
type loginPage struct {
	kit.Base
	Form     *kit.Form
	Remember bool
	// RememberDays is how long "Se souvenir de moi" keeps the session.
	RememberDays int
	// Next is where to go after login (a local path).
	Next string
}

func (s *Portal) showLogin(w http.ResponseWriter, r *http.Request) error {
	next := localPath(r.URL.Query().Get("suite"))
	if _, err := s.authenticate(r); err == nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, http.StatusOK, pageLogin, s.loginPage(&kit.Form{}, false, next))
}

func (s *Portal) loginPage(f *kit.Form, remember bool, next string) *loginPage {
	return &loginPage{Base: kit.Base{Title: "Connexion", Errors: kit.ErrorSummary(nil, f)}, Form: f, Remember: remember,
		RememberDays: int(s.portal.Config().RememberTTL.Hours() / 24), Next: next}
}

// login is "Connexion". Every failure gets the domain's one message.
// Failed logins are counted per address, and every attempt per IP.
func (s *Portal) login(w http.ResponseWriter, r *http.Request) error {
	f := kit.NewForm(r, "", "email", "password")
	email := domain.NormalizeEmail(f.Values["email"])
	remember := r.PostForm.Get("remember") != ""
	next := localPath(r.PostForm.Get("suite"))
	if err := s.limits.AllowAuth(r); err != nil {
		return err
	}
	release, err := s.limits.ReserveLogin(r, "login:"+email)
	if err != nil {
		return err
	}
	secret, sess, err := s.portal.CitizenAccounts().Login(r.Context(), kit.BillerID(r), email, r.PostForm.Get("password"), remember, s.sessionSecret(r))
	release(err)
	if domain.ErrorCode(err) == domain.Unauthenticated || kit.Busy(w, err) {
		f.Message = domain.ErrorMessage(err)
		return s.render(w, r, kit.Status(err), pageLogin, s.loginPage(f, remember, next))
	}
	if err != nil {
		return err
	}
	// The session id changes at every login (ports.Portal.Login destroys
	// the previous one): a planted cookie never becomes a session.
	s.setSessionCookie(w, secret, sess)
	return redirect(w, r, next, "")
}

// logout is "Se déconnecter": the session is destroyed and the cookie
// cleared.
func (s *Portal) logout(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	if err := s.portal.CitizenAccounts().Logout(r.Context(), u.secret); err != nil {
		return err
	}
	s.clearSessionCookie(w)
	return redirect(w, r, "/connexion", flashLoggedOut)
}

// emailPage is the activation and the forgotten-password screens: one
// address field.
type emailPage struct {
	kit.Base
	Form *kit.Form
}

func (s *Portal) showActivation(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, pageActivation, &emailPage{Base: kit.Base{Title: "J'active mon compte"}, Form: &kit.Form{}})
}

// requestActivation is "Activation": an unknown address gets the
// manual's "Activation impossible, adresse inconnue", beside the field.
func (s *Portal) requestActivation(w http.ResponseWriter, r *http.Request) error {
	f := kit.NewForm(r, "", "email")
	if err := s.limits.AllowMailRequest(r, f.Values["email"]); err != nil {
		return err
	}
	err := s.portal.CitizenAccounts().RequestActivation(r.Context(), kit.BillerID(r), f.Values["email"])
	if kit.FieldError(err) {
		f.Set(err)
		p := &emailPage{Base: kit.Base{Title: "J'active mon compte", Errors: kit.ErrorSummary([]string{"email"}, f)}, Form: f}
		return s.render(w, r, kit.Status(err), pageActivation, p)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/activation", flashActivation)
}

func (s *Portal) showForgot(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, pageForgot, &emailPage{Base: kit.Base{Title: "Mot de passe oublié"}, Form: &kit.Form{}})
}

// requestReset is "Oublié ?" → "Valider": the same answer whether or not
// the address is known (ports.Portal.RequestPasswordReset).
func (s *Portal) requestReset(w http.ResponseWriter, r *http.Request) error {
	f := kit.NewForm(r, "", "email")
	if err := s.limits.AllowMailRequest(r, f.Values["email"]); err != nil {
		return err
	}
	err := s.portal.CitizenAccounts().RequestPasswordReset(r.Context(), kit.BillerID(r), f.Values["email"])
	if kit.FieldError(err) {
		f.Set(err)
		p := &emailPage{Base: kit.Base{Title: "Mot de passe oublié", Errors: kit.ErrorSummary([]string{"email"}, f)}, Form: f}
		return s.render(w, r, kit.Status(err), pageForgot, p)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/mot-de-passe-oublie", flashReset)
}

// passwordPage is "Saisissez votre nouveau mot de passe".
type passwordPage struct {
	kit.Base
	Form      *kit.Form
	Link      string // the link's secret, posted back in a hidden field
	Email     string
	MinLength int
}

// deadLinkPage explains why a link cannot be used and offers a new one.
type deadLinkPage struct {
	kit.Base
	Message string
	// EmailChange is set for a change-of-address link: a new one is asked
	// for from "Mes informations".
	EmailChange bool
}

func (s *Portal) deadLink(w http.ResponseWriter, r *http.Request, err error, emailChange bool) error {
	p := &deadLinkPage{Base: kit.Base{Title: "Lien non valable"}, Message: domain.ErrorMessage(err), EmailChange: emailChange}
	return s.render(w, r, kit.Status(err), pageDeadLink, p)
}

func (s *Portal) showSetPassword(w http.ResponseWriter, r *http.Request) error {
	kit.NoReferrer(w)
	secret := r.URL.Query().Get("lien")
	info, err := s.portal.CitizenAccounts().CheckPasswordLink(r.Context(), kit.BillerID(r), secret)
	if kit.DeadLink(err) {
		return s.deadLink(w, r, err, false)
	}
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, pageSetPassword, newPasswordPage(info, secret, &kit.Form{}))
}

func newPasswordPage(info ports.LinkInfo, secret string, f *kit.Form) *passwordPage {
	return &passwordPage{Base: kit.Base{Title: "Nouveau mot de passe", Errors: kit.ErrorSummary([]string{"password", "confirm"}, f)},
		Form: f, Link: secret, Email: info.Email, MinLength: info.MinPasswordLength}
}

// setPassword is "Enregistrer": the link is used once and the account is
// active; the citizen then logs in.
func (s *Portal) setPassword(w http.ResponseWriter, r *http.Request) error {
	kit.NoReferrer(w)
	if err := s.limits.AllowAuth(r); err != nil {
		return err
	}
	secret := r.PostForm.Get("lien")
	f := kit.NewForm(r, "", "password", "confirm")
	err := s.portal.CitizenAccounts().SetPassword(r.Context(), kit.BillerID(r), secret, r.PostForm.Get("password"), r.PostForm.Get("confirm"))
	switch {
	case kit.DeadLink(err):
		return s.deadLink(w, r, err, false)
	case kit.FieldError(err) || kit.Busy(w, err):
		f.Set(err)
		info, lerr := s.portal.CitizenAccounts().CheckPasswordLink(r.Context(), kit.BillerID(r), secret)
		if kit.DeadLink(lerr) {
			return s.deadLink(w, r, lerr, false)
		}
		if lerr != nil {
			return lerr
		}
		return s.render(w, r, kit.Status(err), pageSetPassword, newPasswordPage(info, secret, f))
	case err != nil:
		return err
	}
	return redirect(w, r, "/connexion", flashPasswordSet)
}

// homePage is the home page: the important notice until closed, then the
// service's text.
type homePage struct {
	kit.Base
	Dashboard ports.Dashboard
}

func (s *Portal) home(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	d, err := s.portal.Citizens().Dashboard(r.Context(), u.citizen, u.session)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, pageHome, &homePage{Base: kit.Base{Title: "Accueil", Menu: menuHome}, Dashboard: d})
}

// closeNotice is "Fermer" on the important notice: closed for the rest of
// the session.
func (s *Portal) closeNotice(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	if err := s.portal.Citizens().CloseNotice(r.Context(), u.session); err != nil {
		return err
	}
	return redirect(w, r, "/", "")
}
