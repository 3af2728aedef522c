package http

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/portail-factures/portail/domain"
)

// statusOf is the one table from domain error codes to HTTP statuses.
// An Unauthenticated error sends the browser to the login page (fail);
// its 401 is only the status of the login form shown again after wrong
// credentials.
var statusOf = map[domain.Code]int{
	domain.Invalid:         http.StatusBadRequest,
	domain.NotFound:        http.StatusNotFound,
	domain.Conflict:        http.StatusConflict,
	domain.Forbidden:       http.StatusForbidden,
	domain.Unauthenticated: http.StatusUnauthorized,
	domain.Unavailable:     http.StatusServiceUnavailable,
	domain.Internal:        http.StatusInternalServerError,
}

// status returns the HTTP status of err.
func status(err error) int {
	if errors.As(err, new(*tooManyError)) {
		return http.StatusTooManyRequests
	}
	if st, ok := statusOf[domain.ErrorCode(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// The adapter's own errors, with French messages.
var (
	errNotFound   = domain.ErrNotFound
	errBadRequest = &domain.Error{Code: domain.Invalid,
		Message: "La demande est incomplète ou mal formée. Veuillez revenir à la page précédente et recommencer."}
	errCrossOrigin = &domain.Error{Code: domain.Forbidden,
		Message: "Cette demande a été refusée : elle ne provient pas du portail des factures. Si vous n'êtes pas à l'origine de cette action, vous n'avez rien à faire."}
	errFormToken = &domain.Error{Code: domain.Forbidden,
		Message: "Ce formulaire a expiré ou ne provient pas du portail. Veuillez recharger la page et recommencer. Votre navigateur doit accepter les cookies du portail."}
	errPanic   = &domain.Error{Code: domain.Internal, Message: "Une erreur inattendue s'est produite. Veuillez réessayer plus tard."}
	errNoLogin = domain.Errorf(domain.Unauthenticated, "Veuillez vous connecter.")
)

// tooManyError answers a request over a rate limit (HTTP 429).
type tooManyError struct {
	retryAfter time.Duration
}

func (e *tooManyError) Error() string { return "rate limit reached" }

// message says when to try again, in French.
func (e *tooManyError) message() string {
	wait := "quelques instants"
	if m := int(e.retryAfter.Round(time.Minute) / time.Minute); m > 1 {
		wait = strconv.Itoa(m) + " minutes"
	} else if e.retryAfter > 0 {
		wait = "une minute"
	}
	return "Trop de demandes ont été faites en peu de temps. Par sécurité, veuillez patienter " + wait + " avant de réessayer."
}

// errorPage is the French page of every error.
type errorPage struct {
	basePage
	Status  int
	Message string
}

// titles name the error pages.
var titles = map[int]string{
	http.StatusBadRequest:          "Demande invalide",
	http.StatusForbidden:           "Demande refusée",
	http.StatusNotFound:            "Page introuvable",
	http.StatusConflict:            "Action impossible",
	http.StatusTooManyRequests:     "Trop de demandes",
	http.StatusServiceUnavailable:  "Service momentanément indisponible",
	http.StatusInternalServerError: "Erreur inattendue",
}

// fail answers err: an unauthenticated request goes to the login page, a
// rate-limited one gets 429, anything else the error page with the
// status of the table and the error's French message. Only Internal is
// logged at error level, with its detail; a citizen sees a generic
// message for it.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if isAPI(r) { // machine clients get JSON, even from the middleware
		s.apiFail(w, r, err)
		return
	}
	var tm *tooManyError
	switch {
	case errors.As(err, &tm):
		w.Header().Set("Retry-After", strconv.Itoa(int(tm.retryAfter.Round(time.Second)/time.Second)+1))
		s.renderError(w, r, http.StatusTooManyRequests, tm.message())
		return
	case domain.ErrorCode(err) == domain.Unauthenticated:
		s.toLogin(w, r)
		return
	}
	st := status(err)
	switch {
	case st >= 500 && domain.ErrorCode(err) == domain.Internal:
		s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	case st >= 500:
		s.log.WarnContext(r.Context(), "service unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	s.renderError(w, r, st, domain.ErrorMessage(err))
}

// toLogin sends a visitor without a valid session to the login page,
// forgetting the cookie. After a GET the login page brings them back.
func (s *Server) toLogin(w http.ResponseWriter, r *http.Request) {
	q := url.Values{}
	if _, err := r.Cookie(s.sessionCookieName()); err == nil {
		s.clearSessionCookie(w)
		q.Set("message", flashSessionExpired)
	}
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		q.Set("suite", r.URL.RequestURI())
	}
	target := "/connexion"
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// localPath returns p when it is a path of this site ("/factures?…"),
// and "/" otherwise, so that ?suite= cannot send anyone elsewhere.
// Browsers drop tabs and newlines from URLs and read "\" as "/", so
// "/\t/evil.example" or "/\\evil.example" would leave the site.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.ContainsRune(p, '\\') || strings.IndexFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
		return "/"
	}
	if strings.HasPrefix(p, "//") {
		return "/"
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return p
}

// renderError writes the error page; if even that fails, plain text.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, st int, message string) {
	title := titles[st]
	if title == "" {
		title = "Erreur"
	}
	p := &errorPage{basePage: basePage{Title: title}, Status: st, Message: message}
	if err := s.render(w, r, st, pageError, p); err != nil {
		s.log.ErrorContext(r.Context(), "error page not rendered", "err", err)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(st)
		_, _ = w.Write([]byte(message + "\n"))
	}
}

func asTooMany(err error, target **tooManyError) bool { return errors.As(err, target) }

func asMaxBytes(err error, target **http.MaxBytesError) bool { return errors.As(err, target) }
