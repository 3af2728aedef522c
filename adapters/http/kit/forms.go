package kit

import (
	"errors"
	"fmt"
	"mime"
	"net/http"

	"github.com/portail-factures/portail/domain"
)

// Form is what a form shows again after an error: the values typed
// (never a password) and the messages, each tied to its field
// (RGAA 11.10: aria-invalid and aria-describedby).
type Form struct {
	// Prefix makes the ids unique when a page has several forms.
	Prefix string
	Values map[string]string
	Errors map[string]string
	// Message is an error that belongs to no field.
	Message string
}

// SummaryLine is one line of the error summary: the message and the id of
// the field it is about ("" when none).
type SummaryLine struct {
	ID      string
	Message string
}

// NewForm keeps the values of the named fields from the request.
func NewForm(r *http.Request, prefix string, names ...string) *Form {
	f := &Form{Prefix: prefix, Values: map[string]string{}, Errors: map[string]string{}}
	for _, n := range names {
		f.Values[n] = r.PostForm.Get(n)
	}
	return f
}

// FieldError reports whether err is one a form shows beside a field or
// in its summary: an Invalid error, or any domain error that names a
// field (the manual's "Activation impossible, adresse inconnue" is a
// NotFound about the email field, "adresse déjà utilisée" a Conflict).
func FieldError(err error) bool {
	return domain.ErrorCode(err) == domain.Invalid || domain.ErrorField(err) != ""
}

// Set records err on its field, or as the form's message. A field the
// form does not show has its message at the top instead.
func (f *Form) Set(err error) {
	msg := domain.ErrorMessage(err)
	field := domain.ErrorField(err)
	if _, shown := f.Values[field]; field != "" && shown {
		f.Errors[field] = msg
		return
	}
	f.Message = msg
}

// ErrorSummary returns the error summary of the forms, in field order.
func ErrorSummary(order []string, forms ...*Form) []SummaryLine {
	var out []SummaryLine
	for _, f := range forms {
		if f == nil {
			continue
		}
		if f.Message != "" {
			out = append(out, SummaryLine{Message: f.Message})
		}
		for _, n := range order {
			if m := f.Errors[n]; m != "" {
				out = append(out, SummaryLine{ID: f.Prefix + n, Message: m})
			}
		}
	}
	return out
}

// Field describes one input for the "input" and "textarea" partials.
type Field struct {
	ID, Name, Label, Type, Autocomplete string
	Value, Error, HintText              string
	MaxLength                           int
}

// Field returns the input name of the form with its label, type and
// autocomplete token (WCAG 1.3.5). A password is never shown again.
func (f *Form) Field(name, label, typ, autocomplete string) Field {
	fd := Field{ID: name, Name: name, Label: label, Type: typ, Autocomplete: autocomplete}
	if f != nil {
		fd.ID = f.Prefix + name
		fd.Error = f.Errors[name]
		if typ != "password" {
			fd.Value = f.Values[name]
		}
	}
	return fd
}

// Hint adds a help text, tied to the field by aria-describedby.
func (fd Field) Hint(text string) Field { fd.HintText = text; return fd }

// Max sets the field's maxlength.
func (fd Field) Max(n int) Field { fd.MaxLength = n; return fd }

// Describedby lists the ids of the hint and the error of the field.
func (fd Field) Describedby() string {
	s := ""
	if fd.HintText != "" {
		s = fd.ID + "-aide"
	}
	if fd.Error != "" {
		if s != "" {
			s += " "
		}
		s += fd.ID + "-erreur"
	}
	return s
}

// maxFormBytes bounds a form's body: the longest, a contact message, is
// 5 000 characters.
const maxFormBytes = 64 << 10

// ParseForm reads the query and the body (once) into r.Form and
// r.PostForm.
func ParseForm(w http.ResponseWriter, r *http.Request) error {
	if r.PostForm != nil {
		return nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return ErrBadRequest
	}
	return nil
}

// MaxUploadBytes bounds an upload (an import file, a settlement report).
// Bigger imports go through `portal import`.
const MaxUploadBytes = 64 << 20

// ParseUploadForm parses a POST's form, multipart or not.
func ParseUploadForm(w http.ResponseWriter, r *http.Request) error {
	if r.PostForm != nil {
		return nil
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
		r.Body = http.MaxBytesReader(w, r.Body, MaxUploadBytes)
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			return errUploadTooBig(err)
		}
		return nil
	}
	return ParseForm(w, r)
}

func errUploadTooBig(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &domain.Error{Code: domain.Invalid,
			Message: fmt.Sprintf("Le fichier dépasse %d Mo. Pour un fichier plus gros, utilisez la commande « portal import ».", MaxUploadBytes>>20)}
	}
	return ErrBadRequest
}
