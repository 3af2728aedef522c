package domain

import (
	"errors"
	"fmt"
)

// Code classifies an error so that every adapter can translate it the same
// way: the HTTP adapter to a status, the API to a stable JSON code.
type Code string

// The error codes. They are few on purpose: an adapter maps each to one
// status, and a caller decides on the code, never on the text.
const (
	Invalid         Code = "invalid"         // the input breaks a rule; the message says which
	NotFound        Code = "not_found"       // absent, or not visible to the caller
	Conflict        Code = "conflict"        // the current state forbids the change
	Forbidden       Code = "forbidden"       // the caller may not do this
	Unauthenticated Code = "unauthenticated" // no valid identity
	Unavailable     Code = "unavailable"     // a dependency or the service is down, try later
	Internal        Code = "internal"        // a bug or an unexpected failure
)

// Valid reports whether c is one of the codes above.
func (c Code) Valid() bool {
	switch c {
	case Invalid, NotFound, Conflict, Forbidden, Unauthenticated, Unavailable, Internal:
		return true
	}
	return false
}

// Error is the error type of the whole product. Message is French and safe
// to show a citizen; internal detail lives in Err, for logs only.
type Error struct {
	Code    Code
	Message string
	// Field names the input field the error is about, when there is one,
	// so that a form can show the message beside that field.
	Field string
	Err   error
}

// Error returns the code, the message and the wrapped detail, for logs.
func (e *Error) Error() string {
	s := string(e.Code) + ": " + e.Message
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the wrapped detail.
func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is match two *Error values with the same code and
// message, so that sentinels such as ErrUnknownEmail work through copies
// and wrapping.
func (e *Error) Is(target error) bool {
	var t *Error
	if !errors.As(target, &t) {
		return false
	}
	return t.Code == e.Code && t.Message == e.Message
}

// Errorf returns a new *Error with a French message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an Invalid error about one input field.
func FieldError(field, message string) *Error {
	return &Error{Code: Invalid, Message: message, Field: field}
}

// WrapInternal wraps an unexpected failure. Its message is generic: the
// detail goes to the logs through Err, never to the citizen. A nil err
// gives nil, and an *Error passes unchanged.
func WrapInternal(err error) error {
	if err == nil {
		return nil
	}
	var de *Error
	if errors.As(err, &de) {
		return de
	}
	return &Error{Code: Internal, Message: msgInternal, Err: err}
}

// WrapUnavailable wraps the failure of a dependency that may come back.
func WrapUnavailable(err error) error {
	return &Error{Code: Unavailable, Message: msgUnavailable, Err: err}
}

// ErrorCode returns the code of err: its own code when it is (or wraps) an
// *Error, Internal otherwise, "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// ErrorMessage returns the French message of err that may be shown to a
// citizen. An error that is not an *Error gets the generic message, so that
// no infrastructure detail ever reaches a page.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return msgInternal
}

// ErrorField returns the input field err is about, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

const (
	msgInternal    = "Une erreur inattendue s'est produite. Veuillez réessayer plus tard."
	msgUnavailable = "Le service est momentanément indisponible. Veuillez réessayer dans quelques minutes."
)

// Sentinel errors. They are pointers, so errors.Is matches them through %w;
// their messages are the manual's words where the manual has some.
var (
	// ErrUnknownEmail is the manual's answer to an activation request for an
	// address the billing service does not know.
	ErrUnknownEmail = &Error{Code: NotFound, Field: "email",
		Message: "Activation impossible, adresse inconnue. Veuillez contacter le service concerné pour lui transmettre votre adresse de messagerie."}
	// ErrBadCredentials answers every failed login the same way, whether
	// the address is unknown, the account not active or the password wrong.
	ErrBadCredentials = &Error{Code: Unauthenticated,
		Message: "Adresse de messagerie ou mot de passe incorrect."}
	// ErrNotFound is what a payer gets for anything that is not theirs.
	ErrNotFound = &Error{Code: NotFound, Message: "Cette page n'existe pas ou n'est pas accessible avec votre compte."}
	// ErrTokenExpired, ErrTokenUsed and ErrTokenRevoked explain a dead link.
	ErrTokenExpired = &Error{Code: Invalid, Message: "Ce lien a expiré. Vous pouvez demander un nouveau lien."}
	ErrTokenUsed    = &Error{Code: Invalid, Message: "Ce lien a déjà été utilisé. Vous pouvez demander un nouveau lien."}
	ErrTokenRevoked = &Error{Code: Invalid, Message: "Ce lien n'est plus valable : un lien plus récent vous a été envoyé. Vous pouvez aussi demander un nouveau lien."}
	ErrTokenUnknown = &Error{Code: Invalid, Message: "Ce lien n'est pas valable. Vérifiez qu'il a été copié en entier, ou demandez un nouveau lien."}
	// ErrEmailTaken refuses an address that another account or payer of the
	// same biller already uses.
	ErrEmailTaken = &Error{Code: Conflict, Field: "email", Message: "Cette adresse de messagerie est déjà utilisée."}
	// ErrWrongPassword refuses a change of password when the current one
	// given is wrong.
	ErrWrongPassword = &Error{Code: Invalid, Field: "current_password", Message: "Le mot de passe actuel est incorrect."}
	// ErrBusy answers a login or a new password when every slot for
	// password hashing stayed taken for the short wait allowed: memory is
	// bounded, so the visitor is asked to try again (ports.HashSlots).
	ErrBusy = &Error{Code: Unavailable, Message: "Le service est très sollicité : réessayez dans un instant."}
)
