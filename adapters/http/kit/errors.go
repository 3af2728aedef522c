package kit

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// statusOf is the one table from domain error codes to HTTP statuses.
// An Unauthenticated error goes to the audience's Renderer.Unauthenticated
// (a login page, a JSON 401); its 401 is otherwise only the status of a
// login form shown again after wrong credentials.
var statusOf = map[domain.Code]int{
	domain.Invalid:         http.StatusBadRequest,
	domain.NotFound:        http.StatusNotFound,
	domain.Conflict:        http.StatusConflict,
	domain.Forbidden:       http.StatusForbidden,
	domain.Unauthenticated: http.StatusUnauthorized,
	domain.Unavailable:     http.StatusServiceUnavailable,
	domain.Internal:        http.StatusInternalServerError,
}

// StatusCoder is an error an adapter finds itself, before any use case,
// that knows its own HTTP status (the API's malformed body, unknown
// route…). Fail neither logs it nor sends it to the login page.
type StatusCoder interface {
	error
	HTTPStatus() int
}

// DeadLink reports whether err says a link from a mail is dead
// (expired, used, revoked or unknown): the audiences then show a page
// that explains it and offers a new one.
func DeadLink(err error) bool {
	return errors.Is(err, domain.ErrTokenExpired) || errors.Is(err, domain.ErrTokenUsed) ||
		errors.Is(err, domain.ErrTokenRevoked) || errors.Is(err, domain.ErrTokenUnknown)
}

// Status returns the HTTP status of err.
func Status(err error) int {
	var sc StatusCoder
	switch {
	case errors.As(err, new(*TooManyError)):
		return http.StatusTooManyRequests
	case errors.As(err, &sc):
		return sc.HTTPStatus()
	}
	if st, ok := statusOf[domain.ErrorCode(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// PathID is the route's {id}; one that is not a UUID names nothing, so
// it is ErrNotFound (the page « introuvable »), never a 400.
func PathID(r *http.Request) (uuid.UUID, error) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return uuid.Nil, ErrNotFound
	}
	return id, nil
}

// The web kit's own errors, with French messages.
var (
	ErrNotFound   = domain.ErrNotFound
	ErrBadRequest = &domain.Error{Code: domain.Invalid,
		Message: "La demande est incomplète ou mal formée. Veuillez revenir à la page précédente et recommencer."}
	ErrCrossOrigin = &domain.Error{Code: domain.Forbidden,
		Message: "Cette demande a été refusée : elle ne provient pas du portail des factures. Si vous n'êtes pas à l'origine de cette action, vous n'avez rien à faire."}
	ErrFormToken = &domain.Error{Code: domain.Forbidden,
		Message: "Ce formulaire a expiré ou ne provient pas du portail. Veuillez recharger la page et recommencer. Votre navigateur doit accepter les cookies du portail."}
	ErrPanic   = &domain.Error{Code: domain.Internal, Message: "Une erreur inattendue s'est produite. Veuillez réessayer plus tard."}
	ErrNoLogin = domain.Errorf(domain.Unauthenticated, "Veuillez vous connecter.")
)

// TooManyError answers a request over a rate limit (HTTP 429).
type TooManyError struct {
	RetryAfter time.Duration
}

func (e *TooManyError) Error() string { return "rate limit reached" }

// Message says when to try again, in French.
func (e *TooManyError) Message() string {
	wait := "quelques instants"
	if m := int(e.RetryAfter.Round(time.Minute) / time.Minute); m > 1 {
		wait = strconv.Itoa(m) + " minutes"
	} else if e.RetryAfter > 0 {
		wait = "une minute"
	}
	return "Trop de demandes ont été faites en peu de temps. Par sécurité, veuillez patienter " + wait + " avant de réessayer."
}

// retryAfterHeader is the Retry-After value: the wait in whole seconds,
// rounded, plus one.
func (e *TooManyError) retryAfterHeader() string {
	return strconv.Itoa(int(e.RetryAfter.Round(time.Second)/time.Second) + 1)
}

// busyRetryAfter is the Retry-After of domain.ErrBusy, in seconds: a
// hash slot frees up in well under a second.
const busyRetryAfter = "1"

// Busy reports whether err is domain.ErrBusy (every password-hashing
// slot taken) and, if so, sets Retry-After on w: the page that shows it
// answers 503 with its own form and the message.
func Busy(w http.ResponseWriter, err error) bool {
	if !errors.Is(err, domain.ErrBusy) {
		return false
	}
	w.Header().Set("Retry-After", busyRetryAfter)
	return true
}

// Titles name the error pages.
var Titles = map[int]string{
	http.StatusBadRequest:          "Demande invalide",
	http.StatusForbidden:           "Demande refusée",
	http.StatusNotFound:            "Page introuvable",
	http.StatusConflict:            "Action impossible",
	http.StatusTooManyRequests:     "Trop de demandes",
	http.StatusServiceUnavailable:  "Service momentanément indisponible",
	http.StatusInternalServerError: "Erreur inattendue",
}

// Title is the title of the error page of status st.
func Title(st int) string {
	if t := Titles[st]; t != "" {
		return t
	}
	return "Erreur"
}

// Failure is an error as an audience shows it: its status, its French
// message (the generic one for an Internal error), and the error itself
// for renderers that say more (the API's machine codes).
type Failure struct {
	Status  int
	Message string
	Err     error
}

// Renderer is how one audience (citizens' portal, back office, API)
// shows an error; Site.Fail decides everything else once.
type Renderer interface {
	// Audience prefixes the log messages ("", "back-office ", "API ").
	Audience() string
	// Unauthenticated answers a request without a valid login: the
	// login page, or a 401.
	Unauthenticated(w http.ResponseWriter, r *http.Request, err error)
	// RenderError writes the error page or document of f.
	RenderError(w http.ResponseWriter, r *http.Request, f Failure)
}

// Fail is the one error pipeline: an unauthenticated request goes to the
// audience's login, a rate-limited one gets 429 with Retry-After, anything
// else the status of the table and the error's French message, rendered
// by out. Only Internal is logged at error level, with its detail (a
// visitor sees a generic message for it); other 5xx at warning level.
func (s *Site) Fail(w http.ResponseWriter, r *http.Request, err error, out Renderer) {
	var (
		tm *TooManyError
		sc StatusCoder
	)
	switch {
	case errors.As(err, &tm):
		w.Header().Set("Retry-After", tm.retryAfterHeader())
		out.RenderError(w, r, Failure{Status: http.StatusTooManyRequests, Message: tm.Message(), Err: err})
		return
	case errors.As(err, &sc):
		out.RenderError(w, r, Failure{Status: sc.HTTPStatus(), Message: domain.ErrorMessage(err), Err: err})
		return
	case domain.ErrorCode(err) == domain.Unauthenticated:
		out.Unauthenticated(w, r, err)
		return
	}
	Busy(w, err)
	st := Status(err)
	switch {
	case domain.ErrorCode(err) == domain.Internal:
		s.Log.ErrorContext(r.Context(), out.Audience()+"request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	case st >= 500:
		s.Log.WarnContext(r.Context(), out.Audience()+"service unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	out.RenderError(w, r, Failure{Status: st, Message: domain.ErrorMessage(err), Err: err})
}

// HandlerFunc is the one handler signature of every page: its error
// becomes the audience's error answer through Site.Fail.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Handle adapts h: a POST's form is parsed first (ParseForm), and an error
// goes through Fail with out, once, here.
func (s *Site) Handle(h HandlerFunc, out Renderer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			if err := ParseForm(w, r); err != nil {
				s.Fail(w, r, err, out)
				return
			}
		}
		if err := h(w, r); err != nil {
			s.Fail(w, r, err, out)
		}
	})
}

// Serve runs h and sends its error through Fail with out, without
// reading any form: for handlers that read their own body (the API).
func (s *Site) Serve(h HandlerFunc, out Renderer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.Fail(w, r, err, out)
		}
	})
}

// Visitor is a logged-in visitor as Site.Private serves them: Request is
// the request carrying them (for the handler and its error pages), Token
// the session's form token, Errors the renderer of their error pages.
type Visitor struct {
	Request *http.Request
	Token   string
	Errors  Renderer
}

// Private serves h to the visitor login finds in the request. Without
// one, login's error goes through Fail with anonymous (the audience's
// login page). Every POST is parsed by parse (ParseForm, or
// ParseUploadForm for uploads) and must carry the session's form token,
// compared in constant time: with http.CrossOriginProtection this is the
// second wall against cross-site request forgery.
func (s *Site) Private(login func(*http.Request) (Visitor, error), anonymous Renderer, parse func(http.ResponseWriter, *http.Request) error, h HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := login(r)
		if err != nil {
			s.Fail(w, r, err, anonymous)
			return
		}
		s.Serve(func(w http.ResponseWriter, r *http.Request) error {
			if r.Method == http.MethodPost {
				if err := parse(w, r); err != nil {
					return err
				}
				if err := CheckSessionToken(r, v.Token); err != nil {
					return err
				}
			}
			return h(w, r)
		}, v.Errors).ServeHTTP(w, v.Request)
	})
}

// Anonymous serves a form filled before login: a POST must carry the
// double-submit token (CheckFormToken).
func (s *Site) Anonymous(h HandlerFunc, out Renderer) http.Handler {
	return s.Handle(func(w http.ResponseWriter, r *http.Request) error {
		if err := s.CheckFormToken(r); err != nil {
			return err
		}
		return h(w, r)
	}, out)
}

// ToLogin sends a visitor without a valid login to the audience's
// loginPath. expired says the request brought a session cookie, which
// the caller has cleared: the login page then says so, with the flash
// code flash in the query parameter flashParam. After a GET of another
// page than home, the login page brings the visitor back (?suite=).
func ToLogin(w http.ResponseWriter, r *http.Request, loginPath, home string, expired bool, flashParam, flash string) {
	q := url.Values{}
	if expired {
		q.Set(flashParam, flash)
	}
	if r.Method == http.MethodGet && r.URL.Path != home {
		q.Set("suite", r.URL.RequestURI())
	}
	if len(q) > 0 {
		loginPath += "?" + q.Encode()
	}
	http.Redirect(w, r, loginPath, http.StatusSeeOther)
}
