package http

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The back office ("gestion") is the billing service's part of the portal,
// under /gestion/, on the same host as its citizens' portal. It has its
// own sessions (ports.Portal.StaffLogin), its own cookie, and its own
// layout (templates/gestion_layout.html). Every page is a template file
// templates/gestion_NAME.html defining "content": parsePages finds them
// all, so an area adds pages without touching this file.
//
// Conventions for an area of the back office (payments, settings…):
//   - a file gestion_AREA.go whose init() calls registerGestionArea with
//     a function registering its routes, and registerGestionFlashes with
//     its confirmations (?ok=code after a redirect);
//   - handlers have the signature of staffHandler; wrap them with
//     s.staffRead (any role) or s.staffWrite (role "gestionnaire": a
//     "lecture" staff member gets a 403 before the handler runs). Both
//     check the session's form token on POST (including
//     multipart/form-data). The use cases check role and biller again
//     with the ports.Actor they receive (u.actor);
//   - pages are structs embedding staffBase, rendered with s.renderStaff;
//     errors returned by a handler become a back-office error page.
//
// Routes of the areas: /gestion/ (this file: the dashboard),
// /gestion/paiements…, /gestion/factures-declarees, /gestion/releve
// (payments), /gestion/factures… (invoices), /gestion/redevables…
// (accounts), /gestion/messages…, /gestion/import, /gestion/parametres,
// /gestion/journal (audit log).

// staffUser is the logged-in staff member of a request.
type staffUser struct {
	session ports.Session
	actor   ports.Actor
	secret  string
}

// staffHandler serves a back-office page.
type staffHandler func(http.ResponseWriter, *http.Request, *staffUser) error

var (
	gestionAreas   []func(*Server, *http.ServeMux)
	gestionFlashes = map[string]string{}
)

// registerGestionArea adds the routes of an area of the back office; it
// is called from init functions.
func registerGestionArea(routes func(*Server, *http.ServeMux)) {
	gestionAreas = append(gestionAreas, routes)
}

// registerGestionFlashes adds confirmations shown after a redirect to a
// back-office page with ?ok=code. Only these fixed texts can appear.
func registerGestionFlashes(m map[string]string) {
	for k, v := range m {
		if _, dup := gestionFlashes[k]; dup {
			panic("http: back-office flash " + k + " registered twice")
		}
		gestionFlashes[k] = v
	}
}

const (
	flashStaffLoggedOut = "deconnexion"
	flashStaffExpired   = "session"
)

func init() {
	registerGestionFlashes(map[string]string{
		flashStaffLoggedOut: "Vous êtes déconnecté de la gestion.",
		flashStaffExpired:   "Votre session a expiré. Veuillez vous reconnecter.",
	})
}

// gestionRoutes registers the back office under /gestion/.
func (s *Server) gestionRoutes(mux *http.ServeMux) {
	mux.Handle("GET /gestion/connexion", s.staffAnonymous(s.showStaffLogin))
	mux.Handle("POST /gestion/connexion", s.staffAnonymous(s.staffLogin))
	mux.Handle("POST /gestion/deconnexion", s.staffRead(s.staffLogout))
	mux.Handle("GET /gestion/{$}", s.staffRead(s.staffHome))
	mux.Handle("GET /gestion", http.RedirectHandler("/gestion/", http.StatusMovedPermanently))
	for _, area := range gestionAreas {
		area(s, mux)
	}
	// Anything else under /gestion/ is a back-office 404, for staff only.
	mux.Handle("/gestion/", s.staffRead(func(http.ResponseWriter, *http.Request, *staffUser) error { return errNotFound }))
}

// Staff cookies are separate from citizens': a citizen's session never
// opens the back office and the other way round. SameSite=Strict: no
// back-office page is ever reached from another site with its session.
func (s *Server) staffCookieName() string {
	if s.secure {
		return "__Host-portail-gestion"
	}
	return "portail-gestion"
}

func (s *Server) staffSecret(r *http.Request) string {
	c, err := r.Cookie(s.staffCookieName())
	if err != nil {
		return ""
	}
	return c.Value
}

func (s *Server) setStaffCookie(w http.ResponseWriter, secret string) {
	http.SetCookie(w, &http.Cookie{
		Name: s.staffCookieName(), Value: secret, Path: "/",
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode,
	})
}

func (s *Server) clearStaffCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: s.staffCookieName(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode,
	})
}

// authenticateStaff returns the logged-in staff member of r, of the
// biller the request's host serves.
func (s *Server) authenticateStaff(r *http.Request) (*staffUser, error) {
	secret := s.staffSecret(r)
	if secret == "" {
		return nil, errNoLogin
	}
	sess, actor, err := s.portal.BackOffice().AuthenticateStaff(r.Context(), secret)
	if err != nil {
		return nil, err
	}
	if actor.BillerID != billerID(r) {
		return nil, errNoLogin
	}
	return &staffUser{session: sess, actor: actor, secret: secret}, nil
}

// maxUploadBytes bounds a back-office upload (an import file, a
// settlement report). Bigger imports go through `portal import`.
const maxUploadBytes = 64 << 20

// parseStaffForm parses a POST's form, multipart or not.
func parseStaffForm(w http.ResponseWriter, r *http.Request) error {
	if r.PostForm != nil {
		return nil
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
		r.Body = http.MaxBytesReader(w, r.Body, maxUploadBytes)
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			return errUploadTooBig(err)
		}
		return nil
	}
	return parseForm(w, r)
}

func errUploadTooBig(err error) error {
	var mbe *http.MaxBytesError
	if asMaxBytes(err, &mbe) {
		return &domain.Error{Code: domain.Invalid,
			Message: fmt.Sprintf("Le fichier dépasse %d Mo. Pour un fichier plus gros, utilisez la commande « portal import ».", maxUploadBytes>>20)}
	}
	return errBadRequest
}

// staffRead serves a back-office page to any staff member of the biller.
func (s *Server) staffRead(h staffHandler) http.Handler {
	return s.staffOnly(false, h)
}

// staffWrite serves a back-office action reserved to the role
// "gestionnaire".
func (s *Server) staffWrite(h staffHandler) http.Handler {
	return s.staffOnly(true, h)
}

func (s *Server) staffOnly(write bool, h staffHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := s.authenticateStaff(r)
		if err != nil {
			s.staffFail(w, r, nil, err)
			return
		}
		if r.Method == http.MethodPost {
			if err := parseStaffForm(w, r); err != nil {
				s.staffFail(w, r, u, err)
				return
			}
			if !sameToken(r.PostForm.Get(tokenField), u.session.CSRFToken) {
				s.staffFail(w, r, u, errFormToken)
				return
			}
		}
		if write && !u.actor.Role.CanWrite() {
			s.staffFail(w, r, u, ports.ErrReadOnly)
			return
		}
		if err := h(w, r, u); err != nil {
			s.staffFail(w, r, u, err)
		}
	})
}

// staffAnonymous serves the back office's login form: a POST must carry
// the double-submit token, like the citizens' forms before login.
func (s *Server) staffAnonymous(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			if err := parseForm(w, r); err != nil {
				s.staffFail(w, r, nil, err)
				return
			}
			c, err := r.Cookie(s.formCookieName())
			if err != nil || !sameToken(r.PostForm.Get(tokenField), c.Value) {
				s.staffFail(w, r, nil, errFormToken)
				return
			}
		}
		if err := h(w, r); err != nil {
			s.staffFail(w, r, nil, err)
		}
	})
}

// staffBase is what the back office's layout needs; every back-office
// page struct embeds it.
type staffBase struct {
	Title      string
	BillerName string
	// Staff is the logged-in member's label; empty on the login page.
	Staff    string
	RoleName string
	// CanWrite shows the buttons that change something.
	CanWrite  bool
	Menu      string
	FormToken string
	Flash     string
	Errors    []summaryLine
	Dev       bool
}

func (b *staffBase) sbase() *staffBase { return b }

type staffPage interface{ sbase() *staffBase }

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
func (s *Server) renderStaff(w http.ResponseWriter, r *http.Request, u *staffUser, st int, name string, p staffPage) error {
	t := s.pages[name]
	if t == nil {
		return domain.WrapInternal(fmt.Errorf("no page %q", name))
	}
	b := p.sbase()
	b.BillerName = s.billerName(r)
	b.Dev = s.dev != nil
	if u != nil {
		b.Staff = u.actor.Label
		b.RoleName = u.actor.Role.Label()
		b.CanWrite = u.actor.Role.CanWrite()
		b.FormToken = u.session.CSRFToken
	} else {
		b.FormToken = s.formToken(w, r)
	}
	if b.Flash == "" {
		b.Flash = gestionFlashes[r.URL.Query().Get("ok")]
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "gestion_layout", p); err != nil {
		return domain.WrapInternal(fmt.Errorf("page %s: %w", name, err))
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(st)
	_, _ = w.Write(buf.Bytes())
	return nil
}

// staffRedirect sends the browser to a back-office page after a POST,
// with the confirmation code ok (registered with registerGestionFlashes).
func staffRedirect(w http.ResponseWriter, r *http.Request, target, ok string) error {
	if ok != "" {
		u, err := url.Parse(target)
		if err == nil {
			q := u.Query()
			q.Set("ok", ok)
			u.RawQuery = q.Encode()
			target = u.String()
		}
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

// staffFail answers a back-office error: to the login page without a
// session, otherwise a back-office error page. Only Internal errors are
// logged at error level.
func (s *Server) staffFail(w http.ResponseWriter, r *http.Request, u *staffUser, err error) {
	var tm *tooManyError
	switch {
	case asTooMany(err, &tm):
		w.Header().Set("Retry-After", strconv.Itoa(int(tm.retryAfter.Seconds())+1))
		s.renderStaffError(w, r, u, http.StatusTooManyRequests, tm.message())
		return
	case domain.ErrorCode(err) == domain.Unauthenticated:
		q := url.Values{}
		if s.staffSecret(r) != "" {
			s.clearStaffCookie(w)
			q.Set("ok", flashStaffExpired)
		}
		if r.Method == http.MethodGet && r.URL.Path != "/gestion/" {
			q.Set("suite", r.URL.RequestURI())
		}
		target := "/gestion/connexion"
		if len(q) > 0 {
			target += "?" + q.Encode()
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
		return
	}
	st := status(err)
	switch {
	case st >= 500 && domain.ErrorCode(err) == domain.Internal:
		s.log.ErrorContext(r.Context(), "back-office request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	case st >= 500:
		s.log.WarnContext(r.Context(), "back-office service unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	s.renderStaffError(w, r, u, st, domain.ErrorMessage(err))
}

type staffErrorPage struct {
	staffBase
	Status  int
	Message string
}

func (s *Server) renderStaffError(w http.ResponseWriter, r *http.Request, u *staffUser, st int, message string) {
	title := titles[st]
	if title == "" {
		title = "Erreur"
	}
	p := &staffErrorPage{staffBase: staffBase{Title: title, Menu: "-"}, Status: st, Message: message}
	if err := s.renderStaff(w, r, u, st, pageStaffError, p); err != nil {
		s.log.ErrorContext(r.Context(), "back-office error page not rendered", "err", err)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(st)
		_, _ = w.Write([]byte(message + "\n"))
	}
}

const (
	pageStaffLogin = "gestion_login"
	pageStaffHome  = "gestion_home"
	pageStaffError = "gestion_error"
)

type staffLoginPage struct {
	staffBase
	Form *form
	Next string
}

func (s *Server) showStaffLogin(w http.ResponseWriter, r *http.Request) error {
	if u, err := s.authenticateStaff(r); err == nil && u != nil {
		http.Redirect(w, r, "/gestion/", http.StatusSeeOther)
		return nil
	}
	f := &form{Values: map[string]string{"email": ""}, Errors: map[string]string{}}
	p := &staffLoginPage{staffBase: staffBase{Title: "Connexion à la gestion"}, Form: f,
		Next: staffLocalPath(r.URL.Query().Get("suite"))}
	return s.renderStaff(w, r, nil, http.StatusOK, pageStaffLogin, p)
}

// staffLocalPath keeps a return address within the back office.
func staffLocalPath(p string) string {
	p = localPath(p)
	if len(p) < len("/gestion/") || p[:len("/gestion/")] != "/gestion/" {
		return "/gestion/"
	}
	return p
}

// staffLogin checks a staff member's credentials. The same limits as the
// citizens' login apply: attempts per IP, failures per address.
func (s *Server) staffLogin(w http.ResponseWriter, r *http.Request) error {
	f := newForm(r, "", "email", "password")
	email := domain.NormalizeEmail(f.Values["email"])
	next := staffLocalPath(r.PostForm.Get("suite"))
	now := s.clock.Now()
	if err := allow(r.Context(), s.limits.authIP, s.limits.clientIP(r), now); err != nil {
		return err
	}
	release, err := s.reserveLogin(r, "staff:"+billerID(r).String()+":"+email, now)
	if err != nil {
		return err
	}
	secret, _, _, err := s.portal.BackOffice().StaffLogin(r.Context(), billerID(r), email, r.PostForm.Get("password"), s.staffSecret(r))
	release(err)
	if domain.ErrorCode(err) == domain.Unauthenticated {
		f.Message = domain.ErrorMessage(err)
		p := &staffLoginPage{staffBase: staffBase{Title: "Connexion à la gestion", Errors: errorSummary(nil, f)}, Form: f, Next: next}
		return s.renderStaff(w, r, nil, http.StatusUnauthorized, pageStaffLogin, p)
	}
	if err != nil {
		return err
	}
	s.setStaffCookie(w, secret)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) staffLogout(w http.ResponseWriter, r *http.Request, u *staffUser) error {
	if err := s.portal.BackOffice().StaffLogout(r.Context(), u.secret, u.actor); err != nil {
		return err
	}
	s.clearStaffCookie(w)
	return staffRedirect(w, r, "/gestion/connexion", flashStaffLoggedOut)
}

type staffHomePage struct {
	staffBase
	Board ports.StaffBoard
}

// staffHome is the back office's dashboard: what needs attention.
func (s *Server) staffHome(w http.ResponseWriter, r *http.Request, u *staffUser) error {
	board, err := s.portal.BackOffice().StaffBoard(r.Context(), u.actor)
	if err != nil {
		return err
	}
	p := &staffHomePage{staffBase: staffBase{Title: "Tableau de bord", Menu: menuStaffHome}, Board: board}
	return s.renderStaff(w, r, u, http.StatusOK, pageStaffHome, p)
}
