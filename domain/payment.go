package domain

import (
	"encoding/base32"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// PaymentState is where one attempt to pay through the DGFiP stands
// (docs/payfip.md §3.11).
type PaymentState string

// The payment states. Created and InProgress are live; the others are
// final, except that a confirmed payment still wins over any of them.
const (
	PaymentCreated    PaymentState = "created"     // stored, invoices locked, gateway not called yet
	PaymentInProgress PaymentState = "in_progress" // the gateway gave an operation id; the payer is at the DGFiP
	PaymentPaid       PaymentState = "paid"
	PaymentRefused    PaymentState = "refused"
	PaymentAbandoned  PaymentState = "abandoned"
	PaymentExpired    PaymentState = "expired" // no result, and the operation can no longer complete
	PaymentFailed     PaymentState = "failed"  // the gateway refused to create the operation
	// PaymentRejected: a "paid" known only from the legacy URL mode's
	// unauthenticated callback, which the billing service says it never
	// received (docs/payfip.md §4.1: such a callback can be forged). Its
	// invoices are open again. Only a confirmed report can make it paid.
	PaymentRejected PaymentState = "rejected"
	// PaymentTest: a result obtained in PayFiP's test environment (saisie
	// T, sent or echoed): paid with a test card, it is never money. The
	// attempt ends here, its invoices are released and nothing is settled
	// or mailed (docs/payfip.md §3.12).
	PaymentTest PaymentState = "test"
)

// Valid reports whether s is a known state.
func (s PaymentState) Valid() bool {
	switch s {
	case PaymentCreated, PaymentInProgress, PaymentPaid, PaymentRefused, PaymentAbandoned, PaymentExpired, PaymentFailed, PaymentRejected, PaymentTest:
		return true
	}
	return false
}

// Final reports whether the attempt is over.
func (s PaymentState) Final() bool {
	return s != PaymentCreated && s != PaymentInProgress
}

// Label says the state in French.
func (s PaymentState) Label() string {
	switch s {
	case PaymentCreated, PaymentInProgress:
		return "Paiement en cours"
	case PaymentPaid:
		return "Paiement accepté"
	case PaymentRefused:
		return "Paiement refusé"
	case PaymentAbandoned:
		return "Paiement abandonné"
	case PaymentExpired:
		return "Paiement non abouti"
	case PaymentFailed:
		return "Paiement impossible"
	case PaymentRejected:
		return "Paiement non reçu par le service"
	case PaymentTest:
		return "Paiement de test"
	}
	return string(s)
}

// PaymentStates lists every state, in the order the back office offers
// them as filters.
var PaymentStates = []PaymentState{PaymentCreated, PaymentInProgress, PaymentPaid, PaymentRefused,
	PaymentAbandoned, PaymentExpired, PaymentFailed, PaymentRejected, PaymentTest}

// OperationWindow is how long a PayFiP operation may still complete after
// it was created: an idOp is usable for 15 minutes, and EO waits 20 before
// taking "result unknown" or "abandoned" as final (docs/payfip.md §3.7,
// §3.9). Within it, an unknown operation (P1) means "not received yet".
// The attempt's invoices stay held longer, until its LockedUntil: the
// DGFiP may notify a result two hours later or during the night (§3.5).
const OperationWindow = 20 * time.Minute

// UnstartedGrace is how long an attempt may stay in state Created, stored
// but without its operation at the gateway, before the reconciler closes
// it and frees its invoices (CloseUnstarted). Starting takes one SOAP call
// of at most 15 seconds; an attempt still Created after two minutes was
// left by a portal that stopped between the two steps, so the browser
// never left for the DGFiP and no money can come.
const UnstartedGrace = 2 * time.Minute

// Outcome is what the gateway says of an attempt.
type Outcome string

// The outcomes, with the PayFiP resultrans or fault code they come from.
const (
	OutcomePaid      Outcome = "paid"      // P (card) or V (direct debit)
	OutcomeRefused   Outcome = "refused"   // R (card) or Z (direct debit)
	OutcomeAbandoned Outcome = "abandoned" // A
	OutcomePending   Outcome = "pending"   // fault P5: result not known yet
	OutcomeUnknown   Outcome = "unknown"   // fault P1: the operation is unknown or purged
)

// Valid reports whether o is a known outcome.
func (o Outcome) Valid() bool {
	switch o {
	case OutcomePaid, OutcomeRefused, OutcomeAbandoned, OutcomePending, OutcomeUnknown:
		return true
	}
	return false
}

// Label says the outcome in French, for a payment's timeline.
func (o Outcome) Label() string {
	switch o {
	case OutcomePaid:
		return "paiement accepté"
	case OutcomeRefused:
		return "paiement refusé"
	case OutcomeAbandoned:
		return "paiement abandonné par le redevable"
	case OutcomePending:
		return "résultat pas encore connu"
	case OutcomeUnknown:
		return "opération inconnue ou expirée à la DGFiP"
	}
	return string(o)
}

// PaymentMethod is how the payer paid.
type PaymentMethod string

// The PayFiP payment means.
const (
	MethodCard        PaymentMethod = "card"         // resultrans P or R
	MethodDirectDebit PaymentMethod = "direct_debit" // resultrans V or Z
)

// Label says the means of payment in French; empty when unknown.
func (m PaymentMethod) Label() string {
	switch m {
	case MethodCard:
		return "carte bancaire"
	case MethodDirectDebit:
		return "prélèvement"
	}
	return string(m)
}

// Report is the gateway's word on one attempt. Refdet, Amount and Numcli
// echo the request; when present they must match the attempt.
type Report struct {
	Outcome       Outcome
	Method        PaymentMethod
	Authorization string    // numauto
	TransactionAt time.Time // dattrans + heurtrans, Paris time
	Refdet        string
	Amount        decimal.Decimal // zero when the report carries none
	Numcli        string
	// Confirmed is true when the report comes from a server-to-server call
	// the portal made itself (web-service mode), false for the legacy
	// URL mode's unauthenticated callback (docs/payfip.md §4.1).
	Confirmed bool
	// Code is the gateway's own code (resultrans or fault), for the logs
	// and the back office.
	Code string
	// Saisie is the environment the gateway echoed (T, X or W); empty when
	// the report carries none. T means a test payment (docs/payfip.md §3.12).
	Saisie Saisie
}

// Payment is one attempt to pay one or several invoices through PayFiP.
type Payment struct {
	ID        uuid.UUID
	BillerID  uuid.UUID
	PayerID   uuid.UUID
	AccountID uuid.UUID
	// Refdet is the debt reference sent to PayFiP: 6 to 30 ASCII letters
	// and digits, unique.
	Refdet string
	// Numcli is the biller's PayFiP client number when the attempt began.
	Numcli string
	// Year is the exercice (exer) sent to PayFiP.
	Year           int
	InvoiceIDs     []uuid.UUID
	InvoiceNumbers []string
	Total          decimal.Decimal
	Email          string // mel: where PayFiP sends its receipt, ASCII (PayFiPEmail)
	Object         string // objet, before the gateway reduces it to its alphabet
	// Saisie is the PayFiP environment the attempt was created in (the
	// biller's at the time); ReportedSaisie the one the gateway echoed with
	// its last result, empty until then. Empty Saisie: an attempt recorded
	// before the portal kept it.
	Saisie         Saisie
	ReportedSaisie Saisie
	// LockedUntil is when the attempt's hold on its invoices ends: its
	// creation plus the biller's lock duration. Until then an attempt that
	// ended without a result may still be paid (Holds).
	LockedUntil time.Time
	State       PaymentState
	// OperationID is the gateway's id (PayFiP's idOp).
	OperationID   string
	Authorization string
	TransactionAt time.Time
	Method        PaymentMethod
	// Confirmed is false for a "paid" known only from an unauthenticated
	// callback, until the billing service confirms it.
	Confirmed bool
	// AbandonReportedAt is when the payer abandoned at the DGFiP while the
	// operation could still complete; the invoices stay locked until then.
	AbandonReportedAt time.Time
	// Anomaly describes a problem the billing service must look at, such
	// as money received for an invoice another payment already settled.
	Anomaly    string
	LastCode   string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	FinishedAt time.Time
}

// RefdetRandomBytes is the number of random bytes NewRefdet needs.
const RefdetRandomBytes = 15

// NewRefdet makes a debt reference from 15 random bytes: 24 upper-case
// letters and digits, hard to guess so that a forged legacy callback
// cannot target someone else's attempt (docs/payfip.md §4.1).
func NewRefdet(random []byte) (string, error) {
	if len(random) != RefdetRandomBytes {
		return "", Errorf(Internal, "Référence de paiement invalide.")
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(random), nil
}

// CheckRefdet returns an error unless s has 6 to 30 ASCII letters and
// digits, the format PayFiP accepts (docs/payfip.md §3.3, code R3).
func CheckRefdet(s string) error {
	if len(s) < 6 || len(s) > 30 {
		return Errorf(Invalid, "La référence de paiement doit comporter de 6 à 30 lettres et chiffres.")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return Errorf(Invalid, "La référence de paiement ne peut contenir que des lettres et des chiffres.")
		}
	}
	return nil
}

// CheckSelection returns nil when the invoices may be paid together by
// payer at now: at least one, distinct, all the payer's, all payable,
// several only when the biller allows it, and a total within the biller's
// bounds. It returns the exact total.
func CheckSelection(b Biller, payer Payer, invoices []Invoice, now time.Time) (decimal.Decimal, error) {
	if len(invoices) == 0 {
		return decimal.Zero, FieldError("invoices", "Veuillez sélectionner au moins une facture.")
	}
	if len(invoices) > 1 && !b.MultiplePayments {
		return decimal.Zero, FieldError("invoices", "Votre service de facturation ne permet de régler qu'une facture à la fois.")
	}
	if len(invoices) > 100 {
		return decimal.Zero, FieldError("invoices", "Vous ne pouvez pas régler plus de 100 factures à la fois.")
	}
	seen := make(map[uuid.UUID]bool, len(invoices))
	total := decimal.Zero
	for _, inv := range invoices {
		if inv.BillerID != b.ID || inv.PayerID != payer.ID || payer.BillerID != b.ID {
			return decimal.Zero, ErrNotFound
		}
		if seen[inv.ID] {
			return decimal.Zero, FieldError("invoices", "Une facture a été sélectionnée deux fois.")
		}
		seen[inv.ID] = true
		if err := inv.Payable(b, now); err != nil {
			return decimal.Zero, err
		}
		total = total.Add(inv.Amount)
	}
	min, max := b.AmountBounds()
	if total.LessThan(min) {
		return decimal.Zero, FieldError("invoices", "Le montant minimum d'un paiement en ligne est de "+FormatEuros(min)+".")
	}
	if total.GreaterThan(max) {
		return decimal.Zero, FieldError("invoices", "Le montant maximum d'un paiement en ligne est de "+FormatEuros(max)+" : sélectionnez moins de factures.")
	}
	return total, nil
}

// NewPayment begins an attempt to pay invoices: it checks the selection,
// locks every invoice for the biller's lock duration and returns the
// attempt in state Created. The caller saves the payment and the invoices
// in one transaction before the browser leaves for the DGFiP.
func NewPayment(id uuid.UUID, refdet string, b Biller, payer Payer, account Account, invoices []Invoice, now time.Time) (Payment, error) {
	if err := CheckRefdet(refdet); err != nil {
		return Payment{}, err
	}
	if account.PayerID != payer.ID {
		return Payment{}, ErrNotFound
	}
	total, err := CheckSelection(b, payer, invoices, now)
	if err != nil {
		return Payment{}, err
	}
	mel, err := PayFiPEmail(account.Email)
	if err != nil {
		return Payment{}, err
	}
	p := Payment{
		ID: id, BillerID: b.ID, PayerID: payer.ID, AccountID: account.ID,
		Refdet: refdet, Numcli: b.Numcli, Year: Today(now).Year,
		Total: total, Email: mel, State: PaymentCreated, Saisie: b.Saisie,
		LockedUntil: now.Add(b.LockDuration), CreatedAt: now, UpdatedAt: now,
	}
	for i := range invoices {
		invoices[i].Lock(id, p.LockedUntil)
		invoices[i].UpdatedAt = now
		p.InvoiceIDs = append(p.InvoiceIDs, invoices[i].ID)
		p.InvoiceNumbers = append(p.InvoiceNumbers, invoices[i].Number)
	}
	p.Object = PaymentObject(b, p.InvoiceNumbers)
	return p, nil
}

// PaymentObject is the label sent to PayFiP (objet): the invoice numbers,
// cut to what PayFiP takes in the biller's mode (PayFiPObjetMax).
func PaymentObject(b Biller, numbers []string) string {
	s := "Facture " + strings.Join(numbers, " ")
	if len(numbers) > 1 {
		s = "Factures " + strings.Join(numbers, " ")
	}
	if r, max := []rune(s), PayFiPObjetMax(b.PayFiPMode); len(r) > max {
		s = string(r[:max])
	}
	return s
}

// Begin records the gateway's operation id: the payer is being sent to
// the DGFiP.
func (p *Payment) Begin(operationID string, now time.Time) error {
	if p.State != PaymentCreated {
		return Errorf(Conflict, "Ce paiement a déjà été commencé.")
	}
	p.OperationID = operationID
	p.State = PaymentInProgress
	p.UpdatedAt = now
	return nil
}

// Fail ends an attempt the gateway refused to create.
func (p *Payment) Fail(code string, now time.Time) bool {
	if p.State != PaymentCreated {
		return false
	}
	p.State = PaymentFailed
	p.LastCode = code
	p.FinishedAt = now
	p.UpdatedAt = now
	return true
}

// Live reports whether the attempt may still complete.
func (p Payment) Live() bool { return !p.State.Final() }

// Apply moves the attempt according to the gateway's report r received at
// now, and reports whether anything changed. It is idempotent: a repeated
// report changes nothing, and a final state never moves again, except
// that a confirmed "paid" always wins over refused, abandoned, expired or
// failed because the money was received (a "paid" after "expired" still
// settles the invoices). A result obtained in the test environment ends
// the attempt as PaymentTest, never as paid. A report whose refdet,
// amount or client number differs from the attempt is refused and
// changes nothing, and so is an unconfirmed (URL mode) "paid" for an
// attempt already over: anyone can post one (docs/payfip.md §4.1).
func (p *Payment) Apply(r Report, now time.Time) (bool, error) {
	if !r.Outcome.Valid() {
		return false, Errorf(Invalid, "Résultat de paiement inconnu.")
	}
	if err := p.matches(r); err != nil {
		return false, err
	}
	if r.Outcome == OutcomePaid && !r.Confirmed {
		switch p.State {
		case PaymentRefused, PaymentAbandoned, PaymentExpired, PaymentFailed, PaymentTest:
			return false, Errorf(Conflict, "Ce paiement est déjà terminé (« %s ») : un résultat non authentifié ne peut pas le déclarer payé.", p.State.Label())
		}
	}
	changed := p.apply(r, now)
	if changed && r.Code != "" {
		p.LastCode = r.Code
	}
	if changed && r.Saisie != "" {
		p.ReportedSaisie = r.Saisie
	}
	return changed, nil
}

// result reports whether the outcome is the payer's result (paid,
// refused, abandoned), not a "not known" answer.
func (o Outcome) result() bool {
	return o == OutcomePaid || o == OutcomeRefused || o == OutcomeAbandoned
}

// IsTest reports whether the attempt belongs to PayFiP's test
// environment: created in T, reported in T, or ended as a test payment.
func (p Payment) IsTest() bool {
	return p.State == PaymentTest || p.Saisie == SaisieTest || p.ReportedSaisie == SaisieTest
}

// testResult reports whether the result r is a test payment: the attempt
// was created in T, or the DGFiP itself echoed T. The echo of an
// unauthenticated callback does not count on its own: a forged "T" must
// not end a real attempt.
func (p Payment) testResult(r Report) bool {
	return p.Saisie == SaisieTest || (r.Saisie == SaisieTest && r.Confirmed)
}

func (p *Payment) apply(r Report, now time.Time) bool {
	if r.Outcome.result() && p.testResult(r) {
		switch p.State {
		case PaymentCreated, PaymentInProgress, PaymentAbandoned, PaymentExpired:
			p.endWith(PaymentTest, r, now)
			return true
		}
		return false
	}
	if r.Saisie == SaisieTest && !p.testResult(r) {
		// An unauthenticated callback claiming a test result for a real
		// attempt: nothing to learn from it.
		return false
	}
	switch r.Outcome {
	case OutcomePaid:
		if p.State == PaymentRejected && !r.Confirmed {
			// The service said this money never came: a replayed or
			// forged unauthenticated callback must not undo that.
			return false
		}
		if p.State == PaymentTest {
			return false
		}
		if p.State == PaymentPaid {
			if r.Confirmed && !p.Confirmed {
				p.Confirmed = true
				p.UpdatedAt = now
				return true
			}
			return false
		}
		p.endWith(PaymentPaid, r, now)
		return true
	case OutcomeRefused:
		if p.State.Final() {
			return false
		}
		p.State = PaymentRefused
		p.Method = r.Method
		p.TransactionAt = r.TransactionAt
		p.finish(now)
		return true
	case OutcomeAbandoned:
		if p.State.Final() {
			return false
		}
		if p.stillOpen(now) {
			// The idOp may still be completed: keep the attempt live.
			if p.AbandonReportedAt.IsZero() {
				p.AbandonReportedAt = now
				p.UpdatedAt = now
				return true
			}
			return false
		}
		p.State = PaymentAbandoned
		p.finish(now)
		return true
	default: // OutcomePending, OutcomeUnknown
		// P5, or P1 in the operation's first minutes, means "not known
		// yet" (docs/payfip.md §3.9); either, later, means it never came.
		return p.Expire(now)
	}
}

// Expire ends an attempt whose result never came, once its window has
// passed. It reports whether it changed.
func (p *Payment) Expire(now time.Time) bool {
	if p.State.Final() || p.stillOpen(now) {
		return false
	}
	p.State = PaymentExpired
	if !p.AbandonReportedAt.IsZero() {
		p.State = PaymentAbandoned
	}
	p.finish(now)
	return true
}

// CloseUnstarted ends, as failed, an attempt still in state Created
// UnstartedGrace after its creation: the portal stopped before the
// gateway gave an operation, so the browser never left and no money can
// come. Its invoices are released at once. It reports whether it changed.
func (p *Payment) CloseUnstarted(now time.Time) bool {
	if p.State != PaymentCreated || now.Before(p.CreatedAt.Add(UnstartedGrace)) {
		return false
	}
	p.State = PaymentFailed
	p.finish(now)
	return true
}

// Unstarted reports whether the gateway never gave the attempt an
// operation: the portal stopped between creating the attempt and asking
// the DGFiP, so the browser never left and no money can come. Such an
// attempt is closed by CloseUnstarted, never asked about.
func (p Payment) Unstarted() bool { return p.State == PaymentCreated }

// Expired reports whether a live attempt with no result is over for good
// at now because lock, the biller's lock duration, has passed since its
// creation (LockExpired). It is the rule when the DGFiP cannot be asked
// (URL mode): until then a payer may still come back with a result. A
// final attempt is never Expired: it already has its result.
func (p Payment) Expired(now time.Time, lock time.Duration) bool {
	return p.Live() && p.LockExpired(now, lock)
}

// LockExpired reports whether lock, the biller's lock duration counted
// from the attempt's creation, is over at now. Without a way to ask the
// DGFiP (URL mode), an attempt with no result is closed only then: until
// the end of its lock a payer may still come back with a result.
func (p Payment) LockExpired(now time.Time, lock time.Duration) bool {
	return !now.Before(p.CreatedAt.Add(lock))
}

// Holds reports whether the attempt, over without being paid, still
// holds its invoices at now: it was abandoned or expired at the DGFiP,
// outside the test environment, and its lock has not ended, so a late
// "paid" may still come (docs/payfip.md §3.5, §3.11). A refusal, a
// failure to start, a test result or a rejection release at once.
func (p Payment) Holds(now time.Time) bool {
	return (p.State == PaymentAbandoned || p.State == PaymentExpired) &&
		p.Saisie != SaisieTest && now.Before(p.LockedUntil)
}

func (p *Payment) stillOpen(now time.Time) bool {
	return now.Before(p.CreatedAt.Add(OperationWindow))
}

// endWith ends the attempt in state s with what PayFiP reported of a
// completed card operation: means, authorisation, time and whether the
// report was authenticated.
func (p *Payment) endWith(s PaymentState, r Report, now time.Time) {
	p.State = s
	p.Method = r.Method
	p.Authorization = r.Authorization
	p.TransactionAt = r.TransactionAt
	p.Confirmed = r.Confirmed
	p.finish(now)
}

func (p *Payment) finish(now time.Time) {
	p.FinishedAt = now
	p.UpdatedAt = now
}

func (p Payment) matches(r Report) error {
	mismatch := func(what string) error {
		return &Error{Code: Conflict, Message: "Le résultat de paiement reçu ne correspond pas à ce paiement.",
			Err: &mismatchError{what: what}}
	}
	if r.Refdet != "" && r.Refdet != p.Refdet {
		return mismatch("refdet")
	}
	if !r.Amount.IsZero() && !r.Amount.Equal(p.Total) {
		return mismatch("amount")
	}
	if r.Numcli != "" && r.Numcli != p.Numcli {
		return mismatch("numcli")
	}
	return nil
}

type mismatchError struct{ what string }

func (e *mismatchError) Error() string { return "report " + e.what + " differs from the payment's" }

// IsReportMismatch reports whether err is Apply's refusal of a report
// whose refdet, amount or client number differ from the attempt's.
func IsReportMismatch(err error) bool {
	var m *mismatchError
	return errors.As(err, &m)
}

// SettleInvoices applies a paid attempt to its invoices: each is settled
// by p, and the attempt's locks are released. While p is unconfirmed its
// invoices are marked AwaitingConfirmation; applying it again once
// confirmed clears the mark. An invoice that another payment already
// settled stays paid once (p only releases its hold on it) and the double
// payment is noted in p.Anomaly for the billing service; DoublePayments
// gives the refunds to record. It returns the invoices changed.
func SettleInvoices(p *Payment, invoices []Invoice, now time.Time) []Invoice {
	var changed []Invoice
	at := p.TransactionAt
	if at.IsZero() {
		at = now
	}
	for _, inv := range invoices {
		ok, err := inv.Settle(p.ID, at, now)
		if err != nil {
			if before := (*SettledBefore)(nil); errors.As(err, &before) {
				err = doublePaymentNote(*p, inv, *before, now)
				if inv.LockedBy == p.ID {
					inv.Unlock(p.ID)
					inv.UpdatedAt = now
					changed = append(changed, inv)
				}
			}
			if msg := ErrorMessage(err); !strings.Contains(p.Anomaly, msg) {
				p.Anomaly = strings.TrimSpace(p.Anomaly + " " + msg)
				p.UpdatedAt = now
			}
			continue
		}
		if inv.PaymentID == p.ID && inv.AwaitingConfirmation != p.Unconfirmed() {
			// Settled on the word of an unauthenticated callback: shown as
			// awaiting the service until the payment is confirmed.
			inv.AwaitingConfirmation = p.Unconfirmed()
			inv.UpdatedAt = now
			ok = true
		}
		if ok {
			changed = append(changed, inv)
		}
	}
	return changed
}

// Closing is what a final attempt brings to its invoices
// (SettleOrRelease).
type Closing struct {
	// Invoices are the invoices changed, to save.
	Invoices []Invoice
	// Refunds are the double payments to record, when a paid attempt
	// reached invoices another payment had already settled.
	Refunds []Refund
	// Anomaly is true when settling added to the attempt's Anomaly: the
	// attempt changed and must be saved, and the billing service told.
	Anomaly bool
}

// SettleOrRelease brings a final attempt's invoices in line with its
// state: a paid attempt settles them (SettleInvoices) and gives the
// refunds of any it paid twice (DoublePayments); any other final state
// releases them (ReleaseInvoices). A live attempt changes nothing.
func SettleOrRelease(p *Payment, invoices []Invoice, now time.Time) Closing {
	switch {
	case p.Live():
		return Closing{}
	case p.State == PaymentPaid:
		anomaly := p.Anomaly
		refunds := DoublePayments(*p, invoices, now)
		changed := SettleInvoices(p, invoices, now)
		return Closing{Invoices: changed, Refunds: refunds, Anomaly: p.Anomaly != anomaly}
	default:
		return Closing{Invoices: ReleaseInvoices(*p, invoices, now)}
	}
}

// ReleaseInvoices frees the invoices a finished, unpaid attempt held. An
// attempt that Holds them keeps them until their lock ends by itself. It
// returns the invoices changed.
func ReleaseInvoices(p Payment, invoices []Invoice, now time.Time) []Invoice {
	var changed []Invoice
	if p.Holds(now) {
		return nil
	}
	for _, inv := range invoices {
		if inv.LockedBy == p.ID {
			inv.Unlock(p.ID)
			inv.UpdatedAt = now
			changed = append(changed, inv)
		}
	}
	return changed
}
