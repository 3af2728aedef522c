package domain

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// Defaults of a biller's settings. The manual's password minimum of 5
// characters remains possible by configuration; 8 is the default because
// five characters are too few for an account that shows personal data.
const (
	DefaultMinPasswordLength = 8
	// DefaultLockDuration is the manual's "délai d'attente de 2 heures"
	// before a new attempt after an unfinished payment.
	DefaultLockDuration = 2 * time.Hour
	// DefaultTreasuryDelayDays is how many days after the due date an
	// unpaid invoice is sent to the Trésor public.
	DefaultTreasuryDelayDays = 30
	// MinPasswordLengthFloor is the least a biller may configure.
	MinPasswordLengthFloor = 5
)

// Default amount bounds of one payment: PayFiP's own limits through the
// web service (docs/payfip.md §3.3). In the URL mode the maximum is
// lowered to PayFiPMaxAmountURL (Biller.AmountBounds).
var (
	DefaultMinAmount = PayFiPMinAmount
	DefaultMaxAmount = PayFiPMaxAmountWS
)

// Saisie is PayFiP's environment letter: T test, X activation, W production
// (docs/payfip.md §3.3 and §3.12).
type Saisie string

// The PayFiP environments.
const (
	SaisieTest       Saisie = "T"
	SaisieActivation Saisie = "X"
	SaisieProduction Saisie = "W"
)

// Valid reports whether s is a known environment.
func (s Saisie) Valid() bool {
	return s == SaisieTest || s == SaisieActivation || s == SaisieProduction
}

// InTest reports whether the biller is in PayFiP's test environment
// (saisie T): a payment started now is a test payment, never money, and
// its invoices stay to pay. Payers and staff are warned while it lasts
// (docs/payfip.md §3.12).
func (b Biller) InTest() bool { return b.Saisie == SaisieTest }

// Suspension is the billing service's pause of online payment, for
// maintenance on the invoices. When From or Until are set it is scheduled;
// otherwise it holds as long as Active is true.
type Suspension struct {
	Active bool
	// Message is shown to citizens in place of the pay button.
	Message string
	From    time.Time // zero: from now
	Until   time.Time // zero: until lifted
}

// DefaultSuspensionMessage is shown when the billing service gave none.
const DefaultSuspensionMessage = "Le service de facturation a suspendu temporairement le paiement en ligne pour une maintenance sur les factures. Veuillez réessayer plus tard."

// In reports whether payment is suspended at instant now.
func (s Suspension) In(now time.Time) bool {
	if !s.Active {
		return false
	}
	if !s.From.IsZero() && now.Before(s.From) {
		return false
	}
	if !s.Until.IsZero() && !now.Before(s.Until) {
		return false
	}
	return true
}

// Text returns the message citizens see while payment is suspended.
func (s Suspension) Text() string {
	if s.Message == "" {
		return DefaultSuspensionMessage
	}
	return s.Message
}

// Notice returns the message citizens see at now in place of every pay
// button, or "" when payment is not suspended at now.
func (s Suspension) Notice(now time.Time) string {
	if !s.In(now) {
		return ""
	}
	return s.Text()
}

// Biller is a local authority's billing service ("service de facturation"):
// a commune's water service, a syndicat, a school canteen's régie.
type Biller struct {
	ID   uuid.UUID
	Name string
	// Hosts are the host names the biller's portal answers on
	// ("factures.demoville.fr"), normalised by NormalizeHost; each belongs
	// to one biller only.
	Hosts []string
	// Numcli is the 6-digit PayFiP client number, kept as a string because
	// its leading zeros matter ("004200").
	Numcli string
	Saisie Saisie
	// Email is the service's own address: contact messages and paperless
	// requests are sent there.
	Email string
	// Notice is the important information shown highlighted after login,
	// closed with "Fermer". Empty: none.
	Notice string
	// HomeText is the explanatory text of the home page, shown at every login.
	HomeText string
	// MultiplePayments allows paying several invoices at once.
	MultiplePayments  bool
	Suspension        Suspension
	TreasuryDelayDays int
	MinPasswordLength int
	// LockDuration is how long an unfinished payment attempt keeps its
	// invoices from being paid again.
	LockDuration time.Duration
	MinAmount    decimal.Decimal
	MaxAmount    decimal.Decimal
	CreatedAt    time.Time
	UpdatedAt    time.Time

	// Reminders are the « Avis et relances » settings (issue 15, item 2).
	Reminders Reminders

	// Certificate is the « Attestation annuelle » setting (issue 15,
	// item 5): off for a new biller.
	Certificate CertificateSettings

	// RetentionMonths is how long a closed account's personal data are
	// kept before the retention job erases them (domain/retention.go);
	// zero means DefaultRetentionMonths.
	RetentionMonths int

	// PayFiPMode is the protocol of the instance's gateway, set by the use
	// cases from their configuration when they load the biller; it is not
	// stored. Zero: the web service. MinAmount and MaxAmount apply within
	// its limits (AmountBounds).
	PayFiPMode PayFiPMode
}

// NewBiller returns a biller with the default settings.
func NewBiller(id uuid.UUID, name, numcli, email string, now time.Time) (Biller, error) {
	b := Biller{
		ID: id, Name: name, Numcli: numcli, Saisie: SaisieTest, Email: NormalizeEmail(email),
		TreasuryDelayDays: DefaultTreasuryDelayDays,
		MinPasswordLength: DefaultMinPasswordLength,
		LockDuration:      DefaultLockDuration,
		MinAmount:         DefaultMinAmount,
		MaxAmount:         DefaultMaxAmount,
		CreatedAt:         now, UpdatedAt: now,
		Reminders:       DefaultReminders(),
		RetentionMonths: DefaultRetentionMonths,
	}
	return b, b.Validate()
}

// Validate checks the biller's settings.
func (b Biller) Validate() error {
	switch {
	case b.ID == uuid.Nil:
		return Errorf(Invalid, "Identifiant du service manquant.")
	case b.Name == "":
		return FieldError("name", "Le nom du service est obligatoire.")
	case !ValidNumcli(b.Numcli):
		return FieldError("numcli", "L'identifiant collectivité PayFiP doit comporter 6 chiffres.")
	case !b.Saisie.Valid():
		return FieldError("saisie", "Le mode de saisie PayFiP doit être T, X ou W.")
	case !validHosts(b.Hosts):
		return FieldError("hosts", "Chaque nom d'hôte doit être un nom de domaine valide, sans schéma ni chemin (factures.exemple.fr).")
	case b.Email != "" && CheckEmail(b.Email) != nil:
		return FieldError("email", "L'adresse de messagerie du service est invalide.")
	case b.TreasuryDelayDays < 0 || b.TreasuryDelayDays > 3650:
		return FieldError("treasury_delay_days", "Le délai de transmission en trésorerie doit être compris entre 0 et 3650 jours.")
	case b.MinPasswordLength < MinPasswordLengthFloor || b.MinPasswordLength > 128:
		return FieldError("min_password_length", "La longueur minimale du mot de passe doit être comprise entre 5 et 128 caractères.")
	case b.LockDuration < time.Minute || b.LockDuration > 7*24*time.Hour:
		return FieldError("lock_duration", "Le délai d'attente entre deux tentatives de paiement doit être compris entre 1 minute et 7 jours.")
	}
	if err := b.Reminders.Validate(); err != nil {
		return err
	}
	if err := b.Certificate.Check(); err != nil {
		return err
	}
	if b.RetentionMonths != 0 {
		if err := CheckRetention(b.RetentionMonths); err != nil {
			return err
		}
	}
	if b.Reminders.AfterEnabled && b.Reminders.DaysAfter > b.TreasuryDelayDays {
		return FieldError("reminder_days_after", fmt.Sprintf("Le rappel après l'échéance doit partir avant la transmission en trésorerie, soit au plus %d jours après l'échéance.", b.TreasuryDelayDays))
	}
	return b.checkAmountBounds()
}

// ValidNumcli reports whether s is a PayFiP client number: 6 digits.
func ValidNumcli(s string) bool {
	if len(s) != 6 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// TreasuryDate returns the first day on which an invoice due on due is in
// treasury if still unpaid: the day after due + delay.
func (b Biller) TreasuryDate(due Date) Date {
	return due.AddDays(b.TreasuryDelayDays + 1)
}

// NormalizeHost returns the host name of a Host header or a configured
// host: lower case, without the port and without a final dot.
func NormalizeHost(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	if i := strings.LastIndexByte(h, ':'); i >= 0 && i+1 < len(h) && strings.Trim(h[i+1:], "0123456789") == "" {
		h = h[:i]
	}
	return strings.TrimSuffix(h, ".")
}

// validHosts checks that every host is a plausible DNS name (or an IP
// address) already normalised, with no repeats.
func validHosts(hosts []string) bool {
	seen := make(map[string]bool, len(hosts))
	for _, h := range hosts {
		if h == "" || len(h) > 253 || h != NormalizeHost(h) || seen[h] {
			return false
		}
		seen[h] = true
		for _, r := range h {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
				return false
			}
		}
	}
	return true
}
