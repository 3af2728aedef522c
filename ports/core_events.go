package ports

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// Where a gateway report came from, as a payment's timeline says it.
const (
	sourceCallback     = "Retour du site de paiement (mode URL, non authentifié)"
	sourceNotification = "Notification, résultat demandé à la DGFiP"
	sourceReconcile    = "Vérification périodique auprès de la DGFiP"
	sourceNightly      = "Vérification de nuit auprès de la DGFiP"
)

// paymentEvent appends a step to pay's timeline through tx, in the
// transaction of the change it records. A step that repeats the last
// one exactly (a replayed notification, the reconciler asking again
// while the result is pending) is not added twice. Steps of one instant
// are spaced by a microsecond so that the timeline keeps their order in
// every store.
func (p *Portal) paymentEvent(ctx context.Context, tx Tx, pay domain.Payment, code, detail string) error {
	e, err := p.newEvent(pay, code, detail)
	if err != nil {
		return err
	}
	// The store appends without the timeline being read: it skips a
	// repeat of the last step and orders the step after it.
	if _, err := tx.AppendPaymentEvent(ctx, e); err != nil {
		return domain.WrapInternal(err)
	}
	return nil
}

// newEvent is the step (code, detail) of pay in its timeline, now: what
// paymentEvent appends, or a PaymentStep carries.
func (p *Portal) newEvent(pay domain.Payment, code, detail string) (domain.PaymentEvent, error) {
	id, err := p.newID()
	if err != nil {
		return domain.PaymentEvent{}, err
	}
	return domain.PaymentEvent{
		ID: id, PaymentID: pay.ID, BillerID: pay.BillerID, At: p.clock.Now().Truncate(time.Microsecond),
		State: pay.State, Code: code, Detail: detail,
	}, nil
}

// recordRefusedReport notes in the timeline a report that did not match
// the attempt (refdet, amount or client number), in a transaction of its
// own since the one that applied it was rolled back. A failure is only
// logged: the refusal itself is what the caller returns.
func (p *Portal) recordRefusedReport(ctx context.Context, id uuid.UUID, r domain.Report, source string, cause error) {
	detail := source + " : résultat refusé, il ne correspond pas à ce paiement (référence, montant ou identifiant collectivité)."
	if r.Outcome == domain.OutcomePaid && !r.Confirmed && !domain.IsReportMismatch(cause) {
		detail = source + " : « " + r.Outcome.Label() + " » refusé. " + domain.ErrorMessage(cause)
	}
	err := p.store.Atomic(ctx, func(tx Tx) error {
		pay, err := tx.PaymentForUpdate(ctx, id)
		if err != nil {
			return domain.WrapInternal(err)
		}
		return p.paymentEvent(ctx, tx, pay, r.Code, detail)
	})
	if err != nil {
		p.log.WarnContext(ctx, "refused report not recorded in the timeline", "payment", id, "err", err)
	}
}

// createdDetail says the start of an attempt.
func createdDetail(pay domain.Payment, invs []domain.Invoice) string {
	until := ""
	if len(invs) > 0 {
		until = " ; factures réservées jusqu'au " + domain.FrenchDateTime(invs[0].LockedUntil)
	}
	return "Paiement créé : " + strings.Join(pay.InvoiceNumbers, ", ") + ", " + domain.FormatEuros(pay.Total) + until + "."
}

// reportDetail says what a report was and what it did.
func reportDetail(source string, r domain.Report, pay domain.Payment, changed bool) string {
	s := source + " : " + r.Outcome.Label()
	if r.Method != "" {
		s += " (" + r.Method.Label() + ")"
	}
	switch {
	case !changed:
		s += ", sans changement"
	case pay.State == domain.PaymentTest:
		s += " en environnement de test (saisie T) : paiement de test, aucune somme reçue ; factures libérées"
	case r.Outcome == domain.OutcomePaid && !pay.Confirmed:
		s += ", à confirmer par le service ou par le relevé de règlement"
	case r.Outcome == domain.OutcomePaid && pay.Confirmed && r.Confirmed:
		s += ", confirmé par la DGFiP"
	case pay.Live() && !pay.AbandonReportedAt.IsZero():
		s += " ; l'opération peut encore aboutir, les factures restent réservées"
	case pay.Holds(pay.UpdatedAt):
		s += " ; un paiement peut encore arriver : les factures restent réservées jusqu'au " + domain.FrenchDateTime(pay.LockedUntil)
	}
	return s + "."
}
