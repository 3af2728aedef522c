package domain

import (
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Payer is a customer known to the billing software ("redevable"): the
// person invoices are addressed to. Payers come from the billing service's
// imports; a payer may or may not have activated an account.
type Payer struct {
	ID       uuid.UUID
	BillerID uuid.UUID
	// ExternalRef is the payer's reference in the billing software. It is
	// unique within the biller and makes imports idempotent.
	ExternalRef string
	// Name is shown above the invoice table ("Test SISTEC560").
	Name string
	// Email is the address the billing service knows; only it may
	// activate this payer's account. Normalised.
	Email string
	// Paperless is set once the payer asked to stop paper invoices.
	Paperless            bool
	PaperlessRequestedAt time.Time
	CreatedAt            time.Time
	UpdatedAt            time.Time
}

// Validate checks a payer's fields.
func (p Payer) Validate() error {
	switch {
	case p.ID == uuid.Nil || p.BillerID == uuid.Nil:
		return Errorf(Invalid, "Identifiant du redevable manquant.")
	case strings.TrimSpace(p.ExternalRef) == "" || utf8.RuneCountInString(p.ExternalRef) > 64:
		return FieldError("external_ref", "La référence du redevable est obligatoire (64 caractères au plus).")
	case strings.TrimSpace(p.Name) == "" || utf8.RuneCountInString(p.Name) > 200:
		return FieldError("name", "Le nom du redevable est obligatoire (200 caractères au plus).")
	case p.Email != "" && CheckEmail(p.Email) != nil:
		return FieldError("email", "L'adresse de messagerie du redevable est invalide.")
	}
	return nil
}

// RequestPaperless records the payer's wish to stop paper invoices. It
// reports whether anything changed: asking twice sends the service nothing
// new.
func (p *Payer) RequestPaperless(now time.Time) bool {
	if p.Paperless {
		return false
	}
	p.Paperless = true
	p.PaperlessRequestedAt = now
	p.UpdatedAt = now
	return true
}

// AccountState is the state of a portal account.
type AccountState string

// The account states: pending until the payer chose a password through the
// activation link, then active; closed once the payer or the service
// closed it (domain/retention.go), for good: a payer who comes back
// activates a new account.
const (
	AccountPending AccountState = "pending"
	AccountActive  AccountState = "active"
	AccountClosed  AccountState = "closed"
)

// Valid reports whether s is a known state.
func (s AccountState) Valid() bool {
	return s == AccountPending || s == AccountActive || s == AccountClosed
}

// Account holds a payer's portal credentials. One payer has at most one
// account; its email is unique within the biller.
type Account struct {
	ID       uuid.UUID
	BillerID uuid.UUID
	PayerID  uuid.UUID
	// Email is the login, normalised. It starts as the payer's address and
	// may change through a confirmed email change.
	Email string
	// PasswordHash is a self-describing encoded hash (argon2id); empty
	// while pending.
	PasswordHash string
	State        AccountState
	ActivatedAt  time.Time
	LastLoginAt  time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// NoticesOff and RemindersOff are the payer's choices in « Mes
	// informations »: both mails are on by default (issue 15, item 3).
	NoticesOff   bool
	RemindersOff bool
	// ClosedAt is when the account was closed; AnonymisedAt when the
	// retention job erased its personal data (domain/retention.go).
	ClosedAt     time.Time
	AnonymisedAt time.Time
}

// NewAccount returns the pending account of payer p.
func NewAccount(id uuid.UUID, p Payer, now time.Time) Account {
	return Account{
		ID: id, BillerID: p.BillerID, PayerID: p.ID, Email: p.Email,
		State: AccountPending, CreatedAt: now, UpdatedAt: now,
	}
}

// Active reports whether the account may log in.
func (a Account) Active() bool { return a.State == AccountActive && a.PasswordHash != "" }

// SetPassword stores a new password hash and activates the account: the
// manual's "mon compte est désormais activé".
func (a *Account) SetPassword(hash string, now time.Time) {
	a.PasswordHash = hash
	if a.State != AccountActive {
		a.State = AccountActive
		a.ActivatedAt = now
	}
	a.UpdatedAt = now
}

// NormalizeEmail trims an address and lower-cases it, so that
// "Demo@Demo.fr " and "demo@demo.fr" are one login.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// CheckEmail returns an Invalid error unless s is a plain address
// (local@domain, no display name), 6 to 80 characters as PayFiP requires
// (docs/payfip.md §3.3), without spaces or control characters.
func CheckEmail(s string) error {
	bad := FieldError("email", "Veuillez saisir une adresse de messagerie valide, par exemple nom@exemple.fr.")
	if len(s) < 6 || len(s) > 80 || strings.ContainsAny(s, " \t\r\n<>\"(),;:\\[]") {
		return bad
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" {
		return bad
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return bad
	}
	return nil
}

// CheckPassword returns an Invalid error unless pw is acceptable for a
// biller whose minimum length is min. Length counts characters, not bytes.
func CheckPassword(pw string, min int) error {
	n := utf8.RuneCountInString(pw)
	if n < min {
		return FieldError("password", "Le mot de passe doit comporter au moins "+strconv.Itoa(min)+" caractères.")
	}
	if len(pw) > 1024 {
		return FieldError("password", "Le mot de passe est trop long (1024 octets au plus).")
	}
	if strings.TrimSpace(pw) == "" {
		return FieldError("password", "Le mot de passe ne peut pas être fait que d'espaces.")
	}
	return nil
}
