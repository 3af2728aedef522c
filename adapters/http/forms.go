package http

import (
	"net/http"

	"github.com/portail-factures/portail/domain"
)

// form is what a form shows again after an error: the values typed
// (never a password) and the messages, each tied to its field
// (RGAA 11.10: aria-invalid and aria-describedby).
type form struct {
	// Prefix makes the ids unique when a page has several forms.
	Prefix string
	Values map[string]string
	Errors map[string]string
	// Message is an error that belongs to no field.
	Message string
}

// summaryLine is one line of the error summary: the message and the id of
// the field it is about ("" when none).
type summaryLine struct {
	ID      string
	Message string
}

// newForm keeps the values of the named fields from the request.
func newForm(r *http.Request, prefix string, names ...string) *form {
	f := &form{Prefix: prefix, Values: map[string]string{}, Errors: map[string]string{}}
	for _, n := range names {
		f.Values[n] = r.PostForm.Get(n)
	}
	return f
}

// fieldError reports whether err is one a form shows beside a field or
// in its summary: an Invalid error, or any domain error that names a
// field (the manual's "Activation impossible, adresse inconnue" is a
// NotFound about the email field, "adresse déjà utilisée" a Conflict).
func fieldError(err error) bool {
	return domain.ErrorCode(err) == domain.Invalid || domain.ErrorField(err) != ""
}

// Set records err on its field, or as the form's message. A field the
// form does not show has its message at the top instead.
func (f *form) Set(err error) {
	msg := domain.ErrorMessage(err)
	field := domain.ErrorField(err)
	if _, shown := f.Values[field]; field != "" && shown {
		f.Errors[field] = msg
		return
	}
	f.Message = msg
}

// errorSummary returns the error summary of the forms, in field order.
func errorSummary(order []string, forms ...*form) []summaryLine {
	var out []summaryLine
	for _, f := range forms {
		if f == nil {
			continue
		}
		if f.Message != "" {
			out = append(out, summaryLine{Message: f.Message})
		}
		for _, n := range order {
			if m := f.Errors[n]; m != "" {
				out = append(out, summaryLine{ID: f.Prefix + n, Message: m})
			}
		}
	}
	return out
}

// field describes one input for the "input" and "textarea" partials.
type field struct {
	ID, Name, Label, Type, Autocomplete string
	Value, Error, HintText              string
	MaxLength                           int
}

// Field returns the input name of the form with its label, type and
// autocomplete token (WCAG 1.3.5). A password is never shown again.
func (f *form) Field(name, label, typ, autocomplete string) field {
	fd := field{ID: name, Name: name, Label: label, Type: typ, Autocomplete: autocomplete}
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
func (fd field) Hint(text string) field { fd.HintText = text; return fd }

// Max sets the field's maxlength.
func (fd field) Max(n int) field { fd.MaxLength = n; return fd }

// Describedby lists the ids of the hint and the error of the field.
func (fd field) Describedby() string {
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
