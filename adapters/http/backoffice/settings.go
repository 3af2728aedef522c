package backoffice

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The settings screen (/gestion/parametres): what citizens read (notice,
// home text), how they pay (several invoices, suspension, lock), and the
// PayFiP contract. Instants are typed in Paris time (datetime-local) and
// read with domain.Paris.

const (
	pageStaffSettings  = "settings"
	flashSettingsSaved = "parametres"
)

// settingsFields are the form's fields, in the page's order.
var settingsFields = []string{
	"notice", "home_text", "multiple_payments",
	"suspension_mode", "suspension_message", "suspension_from", "suspension_until",
	"treasury_delay_days", "min_password_length", "lock_duration", "numcli", "saisie",
	"min_amount", "max_amount",
	"reminders_enabled", "reminder_days_before", "reminder_after_enabled", "reminder_days_after", // settings_reminders.go
	"certificate_offered", "certificate_title", "certificate_legal", "certificate_match", // settings_certificate.go
	"retention_months", // settings_retention.go
}

type staffSettingsPage struct {
	kit.Base
	Form *kit.Form
	// SuspendedNow says whether citizens cannot pay at this moment.
	SuspendedNow bool
	Saisies      []saisieChoice
	Modes        []modeChoice
	// PayFiPMode and PayFiPMin, PayFiPMax are the instance's protocol and
	// the limits of one payment it imposes on the biller's bounds.
	PayFiPMode           string
	PayFiPMin, PayFiPMax decimal.Decimal
	// CanManageAPIKeys shows the link to « Clés d'API » (apikeys.go).
	CanManageAPIKeys bool
}

type saisieChoice struct {
	Value domain.Saisie
	Label string
}

type modeChoice struct {
	Value domain.SuspensionMode
	Label string
	Hint  string
}

var saisieChoices = []saisieChoice{
	{domain.SaisieTest, "T – test"},
	{domain.SaisieActivation, "X – activation"},
	{domain.SaisieProduction, "W – production"},
}

var modeChoices = []modeChoice{
	{domain.SuspensionOff, "Aucune suspension", "Les redevables peuvent payer en ligne."},
	{domain.SuspensionNow, "Suspendre maintenant", "Jusqu'à ce que vous choisissiez « Aucune suspension »."},
	{domain.SuspensionScheduled, "Suspension programmée", "Du début à la fin indiqués ci-dessous ; l'un des deux peut rester vide."},
}

func (s *BackOffice) showSettings(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	b, err := s.portal.BackOfficeAdmin().Settings(r.Context(), u.actor)
	if err != nil {
		return err
	}
	return s.renderSettings(w, r, u, http.StatusOK, b, settingsForm(ports.SettingsInputOf(b)))
}

func (s *BackOffice) renderSettings(w http.ResponseWriter, r *http.Request, u *staffUser, st int, b domain.Biller, f *kit.Form) error {
	p := &staffSettingsPage{
		Base: kit.Base{Title: "Paramètres", Menu: menuStaffSettings, Errors: kit.ErrorSummary(settingsFields, f)},
		Form: f, SuspendedNow: b.Suspension.In(s.clock.Now()), Saisies: saisieChoices, Modes: modeChoices,
		PayFiPMode: b.PayFiPMode.Label(), CanManageAPIKeys: u.actor.Role.CanManageAPIKeys(),
	}
	p.PayFiPMin, p.PayFiPMax = domain.PayFiPAmountLimits(b.PayFiPMode)
	return s.renderStaff(w, r, u, st, pageStaffSettings, p)
}

// settingsForm writes the input as the form shows it.
func settingsForm(in ports.SettingsInput) *kit.Form {
	f := &kit.Form{Values: map[string]string{
		"notice": in.Notice, "home_text": in.HomeText,
		"suspension_mode": string(in.SuspensionMode), "suspension_message": in.SuspensionMessage,
		"suspension_from": localDateTime(in.SuspensionFrom), "suspension_until": localDateTime(in.SuspensionUntil),
		"treasury_delay_days": strconv.Itoa(in.TreasuryDelayDays), "min_password_length": strconv.Itoa(in.MinPasswordLength),
		"lock_duration": strconv.Itoa(int(in.LockDuration / time.Minute)), "numcli": in.Numcli, "saisie": string(in.Saisie),
		"min_amount": formAmount(in.MinAmount), "max_amount": formAmount(in.MaxAmount),
	}, Errors: map[string]string{}}
	if in.MultiplePayments {
		f.Values["multiple_payments"] = "1"
	}
	remindersForm(f, in.Reminders)
	certificateForm(f, in.Certificate)
	retentionForm(f, in.RetentionMonths)
	return f
}

// formAmount writes an amount for a text input, with a French comma and
// no thousands separator ("9999,99"), as domain.ParseAmount reads it.
func formAmount(d decimal.Decimal) string {
	return strings.Replace(d.StringFixed(2), ".", ",", 1)
}

// localDateTime writes an instant for a datetime-local input, in Paris.
func localDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(domain.Paris).Format("2006-01-02T15:04")
}

// parseLocalDateTime reads a datetime-local input in Paris time; empty is
// the zero instant. Seconds are accepted, as some browsers send them.
func parseLocalDateTime(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, true
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, v, domain.Paris); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// settingsInput reads the form; the errors it finds are the form's.
func settingsInput(r *http.Request, f *kit.Form) ports.SettingsInput {
	in := ports.SettingsInput{
		Notice: f.Values["notice"], HomeText: f.Values["home_text"], MultiplePayments: f.Values["multiple_payments"] != "",
		SuspensionMode: domain.SuspensionMode(f.Values["suspension_mode"]), SuspensionMessage: f.Values["suspension_message"],
		Numcli: f.Values["numcli"], Saisie: domain.Saisie(f.Values["saisie"]),
	}
	number := func(name string) int {
		n, err := strconv.Atoi(strings.TrimSpace(f.Values[name]))
		if err != nil {
			f.Errors[name] = "Saisissez un nombre entier."
		}
		return n
	}
	in.TreasuryDelayDays = number("treasury_delay_days")
	in.MinPasswordLength = number("min_password_length")
	in.LockDuration = time.Duration(number("lock_duration")) * time.Minute
	amount := func(name string) decimal.Decimal {
		d, err := domain.ParseAmount(f.Values[name])
		if err != nil {
			f.Errors[name] = domain.ErrorMessage(err)
		}
		return d
	}
	in.Reminders = remindersInput(f, number)
	in.Certificate = certificateInput(f)
	in.RetentionMonths = retentionInput(r, f)
	in.MinAmount = amount("min_amount")
	in.MaxAmount = amount("max_amount")
	instant := func(name string) time.Time {
		t, ok := parseLocalDateTime(f.Values[name])
		if !ok {
			f.Errors[name] = "Saisissez une date et une heure, par exemple 2026-12-01T08:00."
		}
		return t
	}
	in.SuspensionFrom = instant("suspension_from")
	in.SuspensionUntil = instant("suspension_until")
	if in.SuspensionMode != domain.SuspensionScheduled {
		// The instants of another mode are not kept: they would be stale
		// the day a suspension is scheduled again.
		in.SuspensionFrom, in.SuspensionUntil = time.Time{}, time.Time{}
		delete(f.Errors, "suspension_from")
		delete(f.Errors, "suspension_until")
	}
	return in
}

func (s *BackOffice) saveSettings(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	f := kit.NewForm(r, "", settingsFields...)
	in := settingsInput(r, f)
	var err error
	if len(f.Errors) == 0 {
		err = s.portal.BackOfficeAdmin().UpdateSettings(r.Context(), u.actor, in)
		if err == nil {
			return staffRedirect(w, r, "/gestion/parametres", flashSettingsSaved)
		}
		if !kit.FieldError(err) {
			return err
		}
		f.Set(err)
	}
	b, berr := s.portal.BackOfficeAdmin().Settings(r.Context(), u.actor)
	if berr != nil {
		return berr
	}
	return s.renderSettings(w, r, u, http.StatusBadRequest, b, f)
}
