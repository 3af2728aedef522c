// Package api is the billing software's API, under /api/v1/, documented in README.md
// (« The billing software's API ») and, for its clients, in its OpenAPI 3.1
// contract openapi.json (served at /api/v1/openapi.json; see openapi.go). Machine clients authenticate with a bearer key on every request:
// no session, no cookie, no form token. A browser cannot call it from
// another site: http.CrossOriginProtection refuses cross-site writes
// before they reach it, the API answers no CORS headers, and a browser
// never adds an Authorization header by itself.
//
// Invoice numbers that contain "/" are written %2F in paths; ServeMux
// decodes it within the segment.
package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// prefix starts every path of the API.
const prefix = "/api/"

// IsAPI reports whether r is a request to the API, which answers JSON.
func IsAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, prefix) }

// API serves the billing software's API over the kit's Site.
type API struct {
	site *kit.Site
}

// New returns the API of site.
func New(site *kit.Site) *API { return &API{site: site} }

// route is one path of the API and the handler of each method it serves.
type route struct {
	path    string
	methods map[string]http.Handler
}

// routes are the API's routes: each documented in openapi.json (a test
// checks both ways). All but the document itself need a key.
func (s *API) routes() []route {
	key := func(h handler) http.Handler { return s.serve(h) }
	return []route{
		{"/api/v1/payers/{ref}", map[string]http.Handler{"GET": key(s.getPayer), "PUT": key(s.putPayer)}},
		{"/api/v1/invoices/{number}", map[string]http.Handler{"GET": key(s.getInvoice), "PUT": key(s.putInvoice)}},
		{"/api/v1/invoices/{number}/pdf", map[string]http.Handler{"GET": key(s.getPDF), "PUT": key(s.putPDF)}},
		{"/api/v1/invoices/{number}/status", map[string]http.Handler{"POST": key(s.setStatus)}},
		{"/api/v1/payments", map[string]http.Handler{"GET": key(s.payments)}},
		{openAPIPath, map[string]http.Handler{"GET": http.HandlerFunc(serveOpenAPI)}},
	}
}

// Routes registers the API's routes under /api/v1/, and its JSON 404 for
// everything else under /api/.
func (s *API) Routes(mux *http.ServeMux) {
	for _, rt := range s.routes() {
		var allowed []string
		for _, method := range []string{"GET", "PUT", "POST"} { // a stable Allow header
			if h, ok := rt.methods[method]; ok {
				mux.Handle(method+" "+rt.path, h)
				allowed = append(allowed, method)
			}
		}
		if _, ok := rt.methods["GET"]; ok {
			allowed = append(allowed, "HEAD")
		}
		mux.Handle(rt.path, s.methodNotAllowed(allowed))
	}
	mux.Handle(prefix, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Fail(w, r, errRoute)
	}))
}

// handler serves one API route for an authenticated caller.
type handler func(w http.ResponseWriter, r *http.Request, a ports.Actor) error

// serve authenticates the request's key, counts it against the key's rate
// limit, then runs h; an error becomes the JSON error response.
func (s *API) serve(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := s.actor(r, s.site.Limits.ClientIP(r))
		if err == nil {
			err = s.site.Limits.AllowAPIKey(r.Context(), a.ID.String())
		}
		if err == nil {
			err = h(w, r, a)
		}
		if err != nil {
			s.Fail(w, r, err)
		}
	})
}

// actor reads the bearer key. Missing and wrong keys count against
// the client's address (Limits.APIKeyFailures), so that guessing keys
// (hopeless with 256 random bits) cannot even load the store; the login
// limits are not read, so a valid key works whatever people do on the
// portal from the same address.
func (s *API) actor(r *http.Request, ip string) (ports.Actor, error) {
	ctx := r.Context()
	if err := s.site.Limits.APIKeyFailuresExhausted(ctx, ip); err != nil {
		return ports.Actor{}, err
	}
	scheme, secret, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		return ports.Actor{}, errNoKey
	}
	a, err := s.site.Portal.BillingAPI().AuthenticateAPIKey(ctx, strings.TrimSpace(secret))
	if err == nil && a.BillerID != kit.BillerID(r) {
		// Each biller's API answers on its own host names, like its
		// portal: a key works there only.
		err = errOtherHost
	}
	if domain.ErrorCode(err) == domain.Unauthenticated {
		s.site.Limits.CountAPIKeyFailure(ctx, ip)
	}
	return a, err
}

// methodNotAllowed answers a known path with a method it does not
// serve.
func (s *API) methodNotAllowed(allowed []string) http.Handler {
	allow := strings.Join(allowed, ", ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		s.Fail(w, r, &problem{status: http.StatusMethodNotAllowed, code: "method_not_allowed",
			message: "Méthode " + r.Method + " non prise en charge sur cette adresse (possibles : " + allow + ")."})
	})
}

// problem is an error the API adapter finds itself, before any use
// case: a malformed body, a wrong content type, an unknown route.
type problem struct {
	status  int
	code    string
	message string
	field   string
}

func (e *problem) Error() string { return e.code + ": " + e.message }

// HTTPStatus makes problem a kit.StatusCoder: the kit's pipeline
// neither logs it nor sends it to a login.
func (e *problem) HTTPStatus() int { return e.status }

// The adapter's own API errors.
var (
	errNoKey = &domain.Error{Code: domain.Unauthenticated,
		Message: "Clé d'API manquante : envoyez l'en-tête « Authorization: Bearer <clé> »."}
	errOtherHost = &domain.Error{Code: domain.Unauthenticated,
		Message: "Cette clé d'API n'est pas valable à cette adresse : appelez l'API sur l'adresse du portail de votre service de facturation."}
	errRoute = &problem{status: http.StatusNotFound, code: "not_found",
		message: "Cette adresse n'existe pas dans l'API du portail (voir la documentation de /api/v1/)."}
	errJSONType = &problem{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type",
		message: "Le corps de la demande doit être du JSON (Content-Type: application/json)."}
	errPDFType = &problem{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type",
		message: "Le corps de la demande doit être un fichier PDF (Content-Type: application/pdf)."}
)

// codes are the API's machine codes of the domain's error codes;
// README.md (« Errors » of the API) lists them.
var codes = map[domain.Code]string{
	domain.Invalid:         "invalid_request",
	domain.NotFound:        "not_found",
	domain.Conflict:        "conflict",
	domain.Forbidden:       "forbidden",
	domain.Unauthenticated: "unauthorized",
	domain.Unavailable:     "unavailable",
	domain.Internal:        "internal_error",
}

// ErrorBody is the JSON of every API error.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// Fail answers err as JSON through the kit's pipeline with errorRenderer.
func (s *API) Fail(w http.ResponseWriter, r *http.Request, err error) {
	s.site.Fail(w, r, err, errorRenderer{s})
}

// errorRenderer renders the API's errors as JSON with a stable code and the
// French message. Only internal errors are logged at error level, with
// their detail, which the client never sees (kit.Site.Fail).
type errorRenderer struct{ s *API }

func (errorRenderer) Audience() string { return "API " }

// Unauthenticated answers 401 with the bearer challenge.
func (e errorRenderer) Unauthenticated(w http.ResponseWriter, r *http.Request, err error) {
	challenge := `Bearer realm="api"`
	if err != errNoKey {
		challenge += `, error="invalid_token"`
	}
	w.Header().Set("WWW-Authenticate", challenge)
	e.RenderError(w, r, kit.Failure{Status: http.StatusUnauthorized, Message: domain.ErrorMessage(err), Err: err})
}

func (e errorRenderer) RenderError(w http.ResponseWriter, r *http.Request, f kit.Failure) {
	var p *problem
	body := ErrorDetail{Code: codes[domain.ErrorCode(f.Err)], Message: f.Message, Field: domain.ErrorField(f.Err)}
	switch {
	case errors.As(f.Err, &p):
		body = ErrorDetail{Code: p.code, Message: p.message, Field: p.field}
	case errors.As(f.Err, new(*kit.TooManyError)):
		body = ErrorDetail{Code: "rate_limited", Message: f.Message}
	}
	e.s.writeJSON(w, r, f.Status, ErrorBody{Error: body})
}

// writeJSON encodes v into a buffer first, so that a failure cannot
// leave half a response.
func (s *API) writeJSON(w http.ResponseWriter, r *http.Request, st int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		s.site.Log.ErrorContext(r.Context(), "API response not encoded", "err", err)
		st = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":{"code":"internal_error","message":"Une erreur inattendue s'est produite."}}` + "\n")
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(st)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

// maxJSONBytes bounds a JSON body: a payer or an invoice is a few hundred
// bytes.
const maxJSONBytes = 64 << 10

// decodeJSON reads r's body strictly into v: JSON content type, valid
// UTF-8, one object, no unknown field, no field twice, nothing after it,
// at most maxJSONBytes.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if !hasMediaType(r, "application/json") {
		return errJSONType
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBytes))
	if err != nil {
		return jsonProblem(err)
	}
	// encoding/json would turn invalid bytes into U+FFFD silently.
	if !utf8.Valid(body) {
		return invalidJSON("Le corps de la demande n'est pas en UTF-8 valide.", "")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return invalidJSON("Le corps de la demande doit contenir un seul objet JSON.", "")
	}
	// encoding/json keeps the last of two members with one name (in any
	// case): which one the client meant is unknown, so neither is taken.
	if name := duplicateMember(body); name != "" {
		return invalidJSON("Le champ « "+name+" » apparaît deux fois.", name)
	}
	return nil
}

// duplicateMember returns the first member name that appears twice in one
// object of data, a valid JSON text, names compared as encoding/json
// matches them (case aside); "" when there is none.
func duplicateMember(data []byte) string {
	type level struct {
		object  bool
		wantKey bool
		seen    map[string]bool
	}
	var stack []*level
	// done marks the end of a value: in an object, a key comes next.
	done := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].wantKey = true
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, &level{object: true, wantKey: true, seen: map[string]bool{}})
			case '[':
				stack = append(stack, &level{})
			default:
				stack = stack[:len(stack)-1]
				done()
			}
		case string:
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
				top := stack[n-1]
				folded := strings.ToLower(t)
				if top.seen[folded] {
					return t
				}
				top.seen[folded], top.wantKey = true, false
				continue
			}
			done()
		default:
			done()
		}
	}
}

func invalidJSON(message, field string) *problem {
	return &problem{status: http.StatusBadRequest, code: "invalid_json", message: message, field: field}
}

// jsonProblem explains a decoding error in French, naming the field when
// the decoder knows it.
func jsonProblem(err error) error {
	var (
		tooBig  *http.MaxBytesError
		typeErr *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &tooBig):
		return &problem{status: http.StatusRequestEntityTooLarge, code: "payload_too_large",
			message: "Le corps de la demande dépasse " + strconv.FormatInt(tooBig.Limit>>10, 10) + " Kio."}
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return invalidJSON("Le corps de la demande doit être un objet JSON.", "")
	case errors.As(err, &typeErr):
		msg := "Le champ « " + typeErr.Field + " » doit être une chaîne de caractères."
		if typeErr.Value == "number" {
			msg += ` Les montants et les dates s'écrivent entre guillemets : "12.34", "2026-01-31".`
		}
		return invalidJSON(msg, typeErr.Field)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return invalidJSON("Champ inconnu : « "+field+" ».", field)
	}
	return invalidJSON("Le corps de la demande n'est pas un JSON valide.", "")
}

// hasMediaType reports whether r's Content-Type is want, parameters
// (charset) aside.
func hasMediaType(r *http.Request, want string) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == want
}
