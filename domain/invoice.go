package domain

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// InvoiceState is where an invoice stands with the billing service.
type InvoiceState string

// The invoice states of the manual's three tabs.
const (
	InvoiceUnpaid InvoiceState = "unpaid"
	InvoicePaid   InvoiceState = "paid"
	// InvoiceTreasury: not paid in time, sent to the Trésor public, which
	// will post an "avis de somme à payer". It can no longer be paid here.
	InvoiceTreasury InvoiceState = "treasury"
	// InvoiceCancelled: the billing service withdrew the invoice (issued
	// by mistake, replaced). Citizens no longer see it.
	InvoiceCancelled InvoiceState = "cancelled"
)

// Valid reports whether s is a known state.
func (s InvoiceState) Valid() bool {
	return s == InvoiceUnpaid || s == InvoicePaid || s == InvoiceTreasury || s == InvoiceCancelled
}

// Label says the state in French, for the back office.
func (s InvoiceState) Label() string {
	switch s {
	case InvoicePaid:
		return "Réglée"
	case InvoiceTreasury:
		return "En trésorerie"
	case InvoiceCancelled:
		return "Annulée"
	}
	return "Non réglée"
}

// Tab is one of the manual's three invoice lists.
type Tab string

// The tabs of "Mes factures".
const (
	TabUnpaid   Tab = "non-reglees"
	TabPaid     Tab = "reglees"
	TabTreasury Tab = "tresorerie"
	// TabCancelled holds cancelled invoices; it is not one of the
	// citizen's tabs (Tabs), so a payer never lists them.
	TabCancelled Tab = "annulees"
)

// Valid reports whether t is a known tab.
func (t Tab) Valid() bool { return t == TabUnpaid || t == TabPaid || t == TabTreasury }

// Label is the tab's title in the manual.
func (t Tab) Label() string {
	switch t {
	case TabPaid:
		return "Factures réglées"
	case TabTreasury:
		return "Factures en trésorerie"
	}
	return "Factures non réglées"
}

// Tabs lists the tabs in the manual's order.
var Tabs = []Tab{TabUnpaid, TabPaid, TabTreasury}

// Invoice is one invoice of a payer ("facture").
type Invoice struct {
	ID       uuid.UUID
	BillerID uuid.UUID
	PayerID  uuid.UUID
	// Number is the billing software's number ("2017-020-002059"), unique
	// within the biller.
	Number    string
	IssueDate Date
	DueDate   Date // "échéance"
	Amount    decimal.Decimal
	Object    string // "Multi Services"
	// PDF names the invoice's document in the store; empty when there is none.
	PDF   string
	State InvoiceState
	// PaidAt and PaymentID record the settlement (PaymentID is Nil when the
	// service recorded a payment made elsewhere, at the counter for example).
	PaidAt    time.Time
	PaymentID uuid.UUID
	// AwaitingConfirmation is set while the payment that settled the
	// invoice is known only from the legacy URL mode's unauthenticated
	// callback: the citizen reads « Paiement reçu, en attente de
	// confirmation par le service » until the service confirms it.
	AwaitingConfirmation bool
	// DeclaredPaidAt is set while the payer says they paid by other means
	// ("Marquer la facture comme réglée"), until the service confirms or
	// the payer takes it back.
	DeclaredPaidAt time.Time
	TreasuryAt     time.Time
	// LockedBy and LockedUntil hold the invoice for a live payment attempt,
	// so that it cannot be paid twice at once.
	LockedBy    uuid.UUID
	LockedUntil time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Validate checks an invoice's fields.
func (inv Invoice) Validate() error {
	switch {
	case inv.ID == uuid.Nil || inv.BillerID == uuid.Nil || inv.PayerID == uuid.Nil:
		return Errorf(Invalid, "Identifiant de facture manquant.")
	case strings.TrimSpace(inv.Number) == "" || utf8.RuneCountInString(inv.Number) > 64:
		return FieldError("number", "Le numéro de facture est obligatoire (64 caractères au plus).")
	case !inv.IssueDate.Valid():
		return FieldError("issue_date", "La date de la facture est invalide.")
	case !inv.DueDate.Valid():
		return FieldError("due_date", "La date d'échéance est invalide.")
	case inv.DueDate.Before(inv.IssueDate):
		return FieldError("due_date", "L'échéance ne peut pas précéder la date de la facture.")
	case utf8.RuneCountInString(inv.Object) > 200:
		return FieldError("object", "L'objet de la facture est trop long (200 caractères au plus).")
	case !inv.State.Valid():
		return FieldError("state", "État de facture inconnu.")
	}
	return CheckAmount(inv.Amount)
}

// Tab returns the list the invoice appears in. An invoice the payer
// declared paid shows under "Factures réglées", marked as declared, until
// the service decides. An invoice whose payment awaits the service's
// confirmation stays under "Factures non réglées", with its status and no
// pay button, like one whose payment is in progress: the money is not
// known to have arrived yet.
func (inv Invoice) Tab() Tab {
	switch {
	case inv.State == InvoicePaid && inv.AwaitingConfirmation:
		return TabUnpaid
	case inv.State == InvoicePaid:
		return TabPaid
	case inv.State == InvoiceTreasury:
		return TabTreasury
	case inv.State == InvoiceCancelled:
		return TabCancelled
	case !inv.DeclaredPaidAt.IsZero():
		return TabPaid
	}
	return TabUnpaid
}

// PaidOnline reports whether the invoice was settled by a payment made
// through the portal, not one the service recorded (at the counter, a
// declared payment confirmed). Such a settlement may still await the
// service's confirmation (AwaitingConfirmation): until then, the money is
// not known to have arrived.
func (inv Invoice) PaidOnline() bool {
	return inv.State == InvoicePaid && inv.PaymentID != uuid.Nil
}

// PaymentUnconfirmed reports whether the invoice is settled by an online
// payment the service has not confirmed yet (AwaitingConfirmation): the
// billing software must not book it as money received.
func (inv Invoice) PaymentUnconfirmed() bool {
	return inv.PaidOnline() && inv.AwaitingConfirmation
}

// Declared reports whether the payer declared the invoice paid and the
// service has not settled it yet.
func (inv Invoice) Declared() bool {
	return inv.State == InvoiceUnpaid && !inv.DeclaredPaidAt.IsZero()
}

// StatusText says the invoice's state in words, never by colour alone
// (RGAA criterion 3.1).
func (inv Invoice) StatusText(now time.Time) string {
	switch {
	case inv.State == InvoicePaid && inv.AwaitingConfirmation:
		return StatusAwaitingConfirmation
	case inv.State == InvoicePaid:
		return "Réglée"
	case inv.State == InvoiceTreasury:
		return "Transmise en trésorerie"
	case inv.State == InvoiceCancelled:
		return "Annulée"
	case inv.Declared():
		return "Déclarée réglée par vos soins"
	case inv.Locked(now):
		return "Paiement en cours"
	}
	return "Non réglée"
}

// StatusAwaitingConfirmation is the status of an invoice paid on the word
// of the legacy URL mode's callback, until the service confirms it.
const StatusAwaitingConfirmation = "Paiement reçu, en attente de confirmation par le service"

// Locked reports whether a live payment attempt holds the invoice at now.
func (inv Invoice) Locked(now time.Time) bool {
	return inv.LockedBy != uuid.Nil && now.Before(inv.LockedUntil)
}

// Payable returns nil when the invoice may be paid online at now, or the
// French reason why not. It checks, in order: settled, in treasury,
// declared paid, suspended by the service, held by a live attempt, and the
// amount bounds.
func (inv Invoice) Payable(b Biller, now time.Time) error {
	switch {
	case inv.State == InvoicePaid && inv.AwaitingConfirmation:
		return Errorf(Conflict, "Un paiement de la facture %s a été reçu ; il est en attente de confirmation par le service.", inv.Number)
	case inv.State == InvoicePaid:
		return Errorf(Conflict, "La facture %s est déjà réglée.", inv.Number)
	case inv.State == InvoiceTreasury:
		return Errorf(Conflict, "La facture %s a été transmise en trésorerie : elle ne peut plus être réglée sur le portail. Un avis de somme à payer vous sera adressé par courrier.", inv.Number)
	case inv.State == InvoiceCancelled:
		return Errorf(Conflict, "La facture %s a été annulée par le service de facturation.", inv.Number)
	case inv.Declared():
		return Errorf(Conflict, "Vous avez indiqué avoir réglé la facture %s. Marquez-la comme non réglée pour la payer en ligne.", inv.Number)
	case b.Suspension.In(now):
		return &Error{Code: Unavailable, Message: b.Suspension.Text()}
	case inv.Locked(now):
		return Errorf(Conflict, "Un paiement de la facture %s est en cours. Une nouvelle tentative sera possible à partir du %s.",
			inv.Number, FrenchDateTime(inv.LockedUntil))
	}
	return inv.AmountPayable(b)
}

// Actions lists what the payer may do with the invoice at now, for the
// detail screen.
type Actions struct {
	// Pay is true when "Payer la facture" is offered; otherwise PayBlocked
	// says why (the suspension message, "Paiement en cours"…), or is nil
	// when paying makes no sense (already paid).
	Pay        bool
	PayBlocked error
	// DeclarePaid offers "Marquer la facture comme réglée"; UndoDeclare
	// offers "Marquer la facture comme non réglée".
	DeclarePaid bool
	UndoDeclare bool
}

// Actions returns the actions the invoice allows at now.
func (inv Invoice) Actions(b Biller, now time.Time) Actions {
	var a Actions
	if inv.State == InvoiceUnpaid {
		if err := inv.Payable(b, now); err != nil {
			a.PayBlocked = err
		} else {
			a.Pay = true
		}
		a.DeclarePaid = !inv.Declared() && !inv.Locked(now)
		a.UndoDeclare = inv.Declared()
	}
	return a
}

// DeclarePaid records that the payer says they paid the invoice by other
// means. Only an unpaid invoice with no live attempt may be declared.
func (inv *Invoice) DeclarePaid(now time.Time) error {
	switch {
	case inv.State != InvoiceUnpaid:
		return Errorf(Conflict, "Seule une facture non réglée peut être marquée comme réglée.")
	case inv.Locked(now):
		return Errorf(Conflict, "Un paiement de cette facture est en cours : attendez son résultat.")
	case inv.Declared():
		return nil
	}
	inv.DeclaredPaidAt = now
	inv.UpdatedAt = now
	return nil
}

// UndoDeclarePaid takes back a declaration of payment.
func (inv *Invoice) UndoDeclarePaid(now time.Time) error {
	if inv.State != InvoiceUnpaid {
		return Errorf(Conflict, "Cette facture a été réglée : elle ne peut plus être marquée comme non réglée.")
	}
	if inv.Declared() {
		inv.DeclaredPaidAt = time.Time{}
		inv.UpdatedAt = now
	}
	return nil
}

// TreasuryDue reports whether the unpaid invoice must go to treasury at
// now: the Paris date is past due date + the biller's delay. A declared
// payment does not stop it (the service has not seen the money), but a
// live attempt does, until it ends.
func (inv Invoice) TreasuryDue(b Biller, now time.Time) bool {
	return inv.State == InvoiceUnpaid && !inv.Locked(now) &&
		!Today(now).Before(b.TreasuryDate(inv.DueDate))
}

// MoveToTreasury sends the invoice to the Trésor public. It reports
// whether anything changed; doing it twice is harmless.
func (inv *Invoice) MoveToTreasury(now time.Time) (bool, error) {
	switch inv.State {
	case InvoiceTreasury:
		return false, nil
	case InvoicePaid:
		return false, Errorf(Conflict, "La facture %s est réglée : elle ne peut pas être transmise en trésorerie.", inv.Number)
	case InvoiceCancelled:
		return false, Errorf(Conflict, "La facture %s est annulée : elle ne peut pas être transmise en trésorerie.", inv.Number)
	}
	if inv.Locked(now) {
		return false, Errorf(Conflict, "Un paiement de la facture %s est en cours.", inv.Number)
	}
	inv.State = InvoiceTreasury
	inv.TreasuryAt = now
	inv.DeclaredPaidAt = time.Time{}
	inv.UpdatedAt = now
	return true, nil
}

// StaffActions are the changes the billing service may record by hand on
// an invoice at now, for the back office: each is offered only when the
// domain would accept it.
type StaffActions struct {
	// MarkPaid records a payment made outside the portal (Settle).
	MarkPaid bool
	// Treasury sends it to the Trésor public (MoveToTreasury).
	Treasury bool
	// Cancel withdraws it (Cancel).
	Cancel bool
}

// StaffActions returns what staff may do with the invoice at now. A live
// payment attempt blocks everything until it ends.
func (inv Invoice) StaffActions(now time.Time) StaffActions {
	if inv.Locked(now) {
		return StaffActions{}
	}
	switch inv.State {
	case InvoiceUnpaid:
		return StaffActions{MarkPaid: true, Treasury: true, Cancel: true}
	case InvoiceTreasury:
		return StaffActions{MarkPaid: true, Cancel: true}
	}
	return StaffActions{}
}

// PaidOn is the instant recorded for a payment the billing service knows
// by its day only: noon in Paris, or now when that is still to come today.
func PaidOn(day Date, now time.Time) time.Time {
	t := day.Time(Paris).Add(12 * time.Hour)
	if t.After(now) && day == Today(now) {
		return now
	}
	return t
}

// Cancel withdraws the invoice. It reports whether anything changed;
// cancelling twice is harmless. A settled invoice cannot be cancelled (the
// money was received: the service refunds it outside the portal), nor one
// a live payment attempt holds.
func (inv *Invoice) Cancel(now time.Time) (bool, error) {
	switch inv.State {
	case InvoiceCancelled:
		return false, nil
	case InvoicePaid:
		return false, Errorf(Conflict, "La facture %s est réglée : elle ne peut pas être annulée.", inv.Number)
	}
	if inv.Locked(now) {
		return false, Errorf(Conflict, "Un paiement de la facture %s est en cours.", inv.Number)
	}
	inv.State = InvoiceCancelled
	inv.DeclaredPaidAt = time.Time{}
	inv.UpdatedAt = now
	return true, nil
}

// Settle records the invoice as paid by payment (uuid.Nil for a payment
// made outside the portal) at instant at. Settling again with the same
// payment changes nothing; an invoice already settled by another payment
// returns a Conflict whose *SettledBefore says who paid it first: the
// money arrived twice and the service must refund.
// A settled invoice leaves treasury: the money is what counts.
func (inv *Invoice) Settle(payment uuid.UUID, at, now time.Time) (bool, error) {
	if inv.State == InvoicePaid {
		if inv.PaymentID == payment {
			return false, nil
		}
		return false, &Error{Code: Conflict, Message: "La facture " + inv.Number + " était déjà réglée par un autre paiement.",
			Err: &SettledBefore{Number: inv.Number, PaymentID: inv.PaymentID, PaidAt: inv.PaidAt}}
	}
	inv.State = InvoicePaid
	inv.PaidAt = at
	inv.PaymentID = payment
	inv.DeclaredPaidAt = time.Time{}
	inv.Unlock(payment)
	inv.UpdatedAt = now
	return true, nil
}

// Lock holds the invoice for payment until until.
func (inv *Invoice) Lock(payment uuid.UUID, until time.Time) {
	inv.LockedBy = payment
	inv.LockedUntil = until
}

// Unlock releases the invoice if payment holds it.
func (inv *Invoice) Unlock(payment uuid.UUID) {
	if inv.LockedBy == payment {
		inv.LockedBy = uuid.Nil
		inv.LockedUntil = time.Time{}
	}
}

// FrenchDateTime writes an instant in Paris time: "21/07/2017 à 14h05".
func FrenchDateTime(t time.Time) string {
	return t.In(Paris).Format("02/01/2006 à 15h04")
}

// Total is the sum of the invoices' amounts, what paying them together
// costs (the selection page shows it before CheckSelection's bounds).
func Total(invoices []Invoice) decimal.Decimal {
	total := decimal.Zero
	for _, inv := range invoices {
		total = total.Add(inv.Amount)
	}
	return total
}
