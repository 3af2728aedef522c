// Package backoffice is the billing service's back office: the pages
// under /gestion/, on the same host as its citizens' portal. It has its
// own sessions (ports.BackOffice.StaffLogin), its own cookie, its own
// layout (templates/layout.html) and its own error pages, over the web
// kit (adapters/http/kit). Routes lists every route it serves (routes.go);
// the root package adapters/http mounts it.
//
// Conventions for an area of the back office (payments, settings…):
//   - a file AREA.go with its handlers, pages and confirmation codes
//     (?ok=code after a redirect); its routes are lines of Routes, its
//     confirmations' French texts lines of flashes (both in routes.go);
//   - handlers are kit.HandlerFunc (staffFrom(r) is the staff member);
//     Routes wraps them with
//     s.staffRead (any role) or s.staffWrite (role "gestionnaire": a
//     "lecture" staff member gets a 403 before the handler runs). Both
//     check the session's form token on POST (including
//     multipart/form-data). The use cases check role and biller again
//     with the ports.Actor they receive (u.actor);
//   - pages are structs embedding kit.Base, rendered with s.renderStaff
//     from templates/NAME.html, which defines "content" (New parses every
//     file of templates/ but the layout, so an area adds pages without
//     touching this file); errors returned by a handler become a
//     back-office error page (staffErrors).
package backoffice

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"slices"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

//go:embed templates/*.html
var templateFiles embed.FS

// layout frames every back-office page.
const layout = "templates/layout.html"

// BackOffice serves the back office over the kit's Site.
type BackOffice struct {
	site   *kit.Site
	portal *ports.Portal
	clock  ports.Clock
	limits *kit.Limiters
	pages  *kit.Pages
}

// New parses every back-office page (its start-up check) and returns the
// back office of site.
func New(site *kit.Site) (*BackOffice, error) {
	files, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("http: back-office pages: %w", err)
	}
	files = slices.DeleteFunc(files, func(f string) bool { return f == layout })
	s := &BackOffice{site: site, portal: site.Portal, clock: site.Clock, limits: site.Limits}
	if s.pages, err = site.ParsePages(kit.Layout{FS: templateFiles, File: layout}, templateFiles, files, chartFuncs); err != nil {
		return nil, err
	}
	return s, nil
}

// staffUser is the logged-in staff member of a request.
type staffUser struct {
	session ports.Session
	actor   ports.Actor
	secret  string
}

const (
	flashStaffLoggedOut = "deconnexion"
	flashStaffExpired   = "session"
)

// Staff cookies are separate from citizens': a citizen's session never
// opens the back office and the other way round. SameSite=Strict: no
// back-office page is ever reached from another site with its session.
const staffCookie = "portail-gestion"

func (s *BackOffice) staffSecret(r *http.Request) string {
	return s.site.CookieValue(r, staffCookie)
}

func (s *BackOffice) setStaffCookie(w http.ResponseWriter, secret string) {
	s.site.SetCookie(w, &http.Cookie{Name: staffCookie, Value: secret, SameSite: http.SameSiteStrictMode})
}

func (s *BackOffice) clearStaffCookie(w http.ResponseWriter) {
	s.site.ClearCookie(w, staffCookie, http.SameSiteStrictMode)
}

// authenticateStaff returns the logged-in staff member of r, of the
// biller the request's host serves.
func (s *BackOffice) authenticateStaff(r *http.Request) (*staffUser, error) {
	secret := s.staffSecret(r)
	if secret == "" {
		return nil, kit.ErrNoLogin
	}
	sess, actor, err := s.portal.BackOffice().AuthenticateStaff(r.Context(), secret)
	if err != nil {
		return nil, err
	}
	if actor.BillerID != kit.BillerID(r) {
		return nil, kit.ErrNoLogin
	}
	return &staffUser{session: sess, actor: actor, secret: secret}, nil
}

// staffRead serves a back-office page to any staff member of the biller.
func (s *BackOffice) staffRead(h kit.HandlerFunc) http.Handler {
	return s.staffOnly(false, h)
}

// staffWrite serves a back-office action reserved to the role
// "gestionnaire".
func (s *BackOffice) staffWrite(h kit.HandlerFunc) http.Handler {
	return s.staffOnly(true, h)
}

func (s *BackOffice) staffOnly(write bool, h kit.HandlerFunc) http.Handler {
	return s.site.Private(func(r *http.Request) (kit.Visitor, error) {
		u, err := s.authenticateStaff(r)
		if err != nil {
			return kit.Visitor{}, err
		}
		// Its error pages show the staff member's menu: they know u.
		return kit.Visitor{Request: withStaff(r, u), Token: u.session.CSRFToken, Errors: staffErrors{s, u}}, nil
	}, staffErrors{s: s}, kit.ParseUploadForm, func(w http.ResponseWriter, r *http.Request) error {
		if write && !staffFrom(r).actor.Role.CanWrite() {
			return ports.ErrReadOnly
		}
		return h(w, r)
	})
}

// staffKey is the context key of the logged-in staff member.
type staffKey struct{}

// withStaff keeps the logged-in staff member in the request.
func withStaff(r *http.Request, u *staffUser) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), staffKey{}, u))
}

// staffFrom is the logged-in staff member of a back-office handler.
func staffFrom(r *http.Request) *staffUser {
	u, _ := r.Context().Value(staffKey{}).(*staffUser)
	return u
}

// staffAnonymous serves the back office's login form: a POST must carry
// the double-submit token, like the citizens' forms before login.
func (s *BackOffice) staffAnonymous(h kit.HandlerFunc) http.Handler {
	return s.site.Anonymous(h, staffErrors{s: s})
}

// The back office's menu entries.
const (
	menuStaffHome     = "tableau"
	menuStaffPayments = "paiements"
	menuStaffInvoices = "factures"
	menuStaffPayers   = "redevables"
	menuStaffMessages = "messages"
	menuStaffImport   = "import"
	menuStaffSettings = "parametres"
	menuStaffAudit    = "journal"
)

// renderStaff fills the base and writes a back-office page through a
// buffer. u is nil on the login page.
func (s *BackOffice) renderStaff(w http.ResponseWriter, r *http.Request, u *staffUser, st int, name string, p kit.Page) error {
	b := p.PageBase()
	token := ""
	if u != nil {
		b.Staff = u.actor.Label
		b.RoleName = u.actor.Role.Label()
		b.CanWrite = u.actor.Role.CanWrite()
		token = u.session.CSRFToken
	}
	s.site.FillBase(w, r, b, token, flashes, "ok")
	return s.pages.Render(w, st, name, p)
}

// staffRedirect sends the browser to a back-office page after a POST,
// with the confirmation code ok (one of flashes).
func staffRedirect(w http.ResponseWriter, r *http.Request, target, ok string) error {
	return kit.Redirect(w, r, target, "ok", ok)
}

// staffErrors renders the back office's errors: its login page without a
// session, otherwise a back-office error page, with the menu of u (nil
// before login).
type staffErrors struct {
	s *BackOffice
	u *staffUser
}

func (staffErrors) Audience() string { return "back-office " }

func (e staffErrors) Unauthenticated(w http.ResponseWriter, r *http.Request, _ error) {
	expired := e.s.staffSecret(r) != ""
	if expired {
		e.s.clearStaffCookie(w)
	}
	kit.ToLogin(w, r, "/gestion/connexion", "/gestion/", expired, "ok", flashStaffExpired)
}

func (e staffErrors) RenderError(w http.ResponseWriter, r *http.Request, f kit.Failure) {
	p := kit.NewErrorPage(r, kit.Base{Menu: "-"}, f)
	e.s.site.RenderError(w, r, f, "back-office ", func() error {
		return e.s.renderStaff(w, r, e.u, f.Status, pageStaffError, p)
	})
}

const (
	pageStaffLogin = "login"
	pageStaffHome  = "home"
	pageStaffError = "error"
)

type staffLoginPage struct {
	kit.Base
	Form *kit.Form
	Next string
}

func (s *BackOffice) showStaffLogin(w http.ResponseWriter, r *http.Request) error {
	if u, err := s.authenticateStaff(r); err == nil && u != nil {
		http.Redirect(w, r, "/gestion/", http.StatusSeeOther)
		return nil
	}
	f := &kit.Form{Values: map[string]string{"email": ""}, Errors: map[string]string{}}
	p := &staffLoginPage{Base: kit.Base{Title: "Connexion à la gestion"}, Form: f,
		Next: staffLocalPath(r.URL.Query().Get("suite"))}
	return s.renderStaff(w, r, nil, http.StatusOK, pageStaffLogin, p)
}

// staffLocalPath keeps a return address within the back office.
func staffLocalPath(p string) string {
	p = kit.LocalPath(p)
	if len(p) < len("/gestion/") || p[:len("/gestion/")] != "/gestion/" {
		return "/gestion/"
	}
	return p
}

// staffLogin checks a staff member's credentials. The same limits as the
// citizens' login apply: attempts per IP, failures per address.
func (s *BackOffice) staffLogin(w http.ResponseWriter, r *http.Request) error {
	f := kit.NewForm(r, "", "email", "password")
	email := domain.NormalizeEmail(f.Values["email"])
	next := staffLocalPath(r.PostForm.Get("suite"))
	if err := s.limits.AllowAuth(r); err != nil {
		return err
	}
	release, err := s.limits.ReserveLogin(r, "staff:"+kit.BillerID(r).String()+":"+email)
	if err != nil {
		return err
	}
	secret, _, _, err := s.portal.BackOffice().StaffLogin(r.Context(), kit.BillerID(r), email, r.PostForm.Get("password"), s.staffSecret(r))
	release(err)
	if domain.ErrorCode(err) == domain.Unauthenticated || kit.Busy(w, err) {
		f.Message = domain.ErrorMessage(err)
		p := &staffLoginPage{Base: kit.Base{Title: "Connexion à la gestion", Errors: kit.ErrorSummary(nil, f)}, Form: f, Next: next}
		return s.renderStaff(w, r, nil, kit.Status(err), pageStaffLogin, p)
	}
	if err != nil {
		return err
	}
	s.setStaffCookie(w, secret)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *BackOffice) staffLogout(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	if err := s.portal.BackOffice().StaffLogout(r.Context(), u.secret, u.actor); err != nil {
		return err
	}
	s.clearStaffCookie(w)
	return staffRedirect(w, r, "/gestion/connexion", flashStaffLoggedOut)
}

type staffHomePage struct {
	kit.Base
	Board  ports.StaffBoard
	Charts chartsView
}

// staffHome is the back office's dashboard: what needs attention.
func (s *BackOffice) staffHome(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	board, err := s.portal.BackOffice().StaffBoard(r.Context(), u.actor)
	if err != nil {
		return err
	}
	charts, err := s.portal.BackOffice().StaffCharts(r.Context(), u.actor)
	if err != nil {
		return err
	}
	p := &staffHomePage{Base: kit.Base{Title: "Tableau de bord", Menu: menuStaffHome}, Board: board, Charts: newChartsView(charts)}
	return s.renderStaff(w, r, u, http.StatusOK, pageStaffHome, p)
}
