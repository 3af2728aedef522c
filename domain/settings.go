package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of the texts a billing service writes for its citizens.
const (
	MaxNoticeLength            = 2000
	MaxHomeTextLength          = 10000
	MaxSuspensionMessageLength = 500
)

// SuspensionMode is how the billing service pauses online payment: not
// at all, from now until lifted, or over a scheduled period.
type SuspensionMode string

// The suspension modes of the settings screen.
const (
	SuspensionOff       SuspensionMode = "none"
	SuspensionNow       SuspensionMode = "now"
	SuspensionScheduled SuspensionMode = "scheduled"
)

// Valid reports whether m is a known mode.
func (m SuspensionMode) Valid() bool {
	return m == SuspensionOff || m == SuspensionNow || m == SuspensionScheduled
}

// Mode says how s pauses payment.
func (s Suspension) Mode() SuspensionMode {
	switch {
	case !s.Active:
		return SuspensionOff
	case s.From.IsZero() && s.Until.IsZero():
		return SuspensionNow
	}
	return SuspensionScheduled
}

// NewSuspension returns the suspension a billing service asks for at now.
// A scheduled one needs a start or an end (or both); its end must come
// after its start and must not be already past: a period that is over
// would silently suspend nothing. The message is kept in every mode, so
// that it is there the next time payment is suspended.
func NewSuspension(mode SuspensionMode, message string, from, until, now time.Time) (Suspension, error) {
	message = strings.TrimSpace(message)
	if utf8.RuneCountInString(message) > MaxSuspensionMessageLength || !utf8.ValidString(message) {
		return Suspension{}, FieldError("suspension_message", "Le message de suspension doit comporter 500 caractères au plus.")
	}
	s := Suspension{Message: message}
	switch mode {
	case SuspensionOff:
	case SuspensionNow:
		s.Active = true
	case SuspensionScheduled:
		switch {
		case from.IsZero() && until.IsZero():
			return Suspension{}, FieldError("suspension_from", "Indiquez le début ou la fin de la suspension programmée.")
		case !from.IsZero() && !until.IsZero() && !until.After(from):
			return Suspension{}, FieldError("suspension_until", "La fin de la suspension doit être postérieure à son début.")
		case !until.IsZero() && !until.After(now):
			return Suspension{}, FieldError("suspension_until", "La fin de la suspension programmée est déjà passée.")
		}
		s.Active, s.From, s.Until = true, from, until
	default:
		return Suspension{}, FieldError("suspension_mode", "Choisissez « aucune », « immédiate » ou « programmée ».")
	}
	return s, nil
}

// Describe says the suspension in French for the audit log and the back
// office: "aucune", "immédiate", "programmée du 01/12/2026 à 08h00 au
// 01/12/2026 à 12h00".
func (s Suspension) Describe() string {
	switch s.Mode() {
	case SuspensionOff:
		return "aucune"
	case SuspensionNow:
		return "immédiate, jusqu'à levée"
	}
	d := "programmée"
	if !s.From.IsZero() {
		d += " du " + FrenchDateTime(s.From)
	}
	if !s.Until.IsZero() {
		d += " au " + FrenchDateTime(s.Until)
	} else {
		d += ", jusqu'à levée"
	}
	return d
}

// CheckTexts checks the texts of the biller's settings that Validate
// leaves alone: the notice, the home text and the suspension message.
func (b Biller) CheckTexts() error {
	switch {
	case utf8.RuneCountInString(b.Notice) > MaxNoticeLength || !utf8.ValidString(b.Notice):
		return FieldError("notice", "L'information importante doit comporter 2000 caractères au plus.")
	case utf8.RuneCountInString(b.HomeText) > MaxHomeTextLength || !utf8.ValidString(b.HomeText):
		return FieldError("home_text", "Le texte d'accueil doit comporter 10000 caractères au plus.")
	case utf8.RuneCountInString(b.Suspension.Message) > MaxSuspensionMessageLength:
		return FieldError("suspension_message", "Le message de suspension doit comporter 500 caractères au plus.")
	}
	return nil
}
