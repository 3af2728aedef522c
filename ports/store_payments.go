package ports

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// PaymentStore keeps the payment attempts and their timelines.
type PaymentStore interface {
	Payment(ctx context.Context, id uuid.UUID) (domain.Payment, error)
	// PaymentForUpdate returns the payment locked until the transaction ends.
	PaymentForUpdate(ctx context.Context, id uuid.UUID) (domain.Payment, error)
	PaymentByRefdet(ctx context.Context, refdet string) (domain.Payment, error)
	PaymentByOperation(ctx context.Context, operationID string) (domain.Payment, error)
	// LivePayments returns up to limit payments in state created or
	// in_progress, oldest first.
	LivePayments(ctx context.Context, limit int) ([]domain.Payment, error)
	// HeldPayments returns up to limit attempts that ended unpaid but
	// still hold their invoices at at (domain.Payment.Holds: abandoned or
	// expired, not in test, LockedUntil after at) and have an operation
	// id, by LockedUntil then id: the reconciler keeps asking about them.
	HeldPayments(ctx context.Context, at time.Time, limit int) ([]domain.Payment, error)
	// EndedUnpaidPayments returns up to limit attempts with an operation
	// id, not in test, that ended refused, abandoned or expired at or
	// after since (FinishedAt), by FinishedAt then id: the nightly pass.
	EndedUnpaidPayments(ctx context.Context, since time.Time, limit int) ([]domain.Payment, error)
	// SavePayment returns Conflict when another payment has the same refdet
	// or operation id.
	SavePayment(ctx context.Context, p domain.Payment) error

	// SavePaymentEvent appends a step to a payment's timeline (an event
	// saved again with its id replaces it).
	SavePaymentEvent(ctx context.Context, e domain.PaymentEvent) error
	// SavePaymentStep writes one step of a payment in one go: the
	// payment as SavePayment does, the invoices the step changed as
	// SaveInvoice does, when Event is set the step in the timeline as
	// AppendPaymentEvent does (it reports whether it was added), and the
	// mails the step causes as EnqueueMail does. Nothing is written when
	// one of them fails.
	SavePaymentStep(ctx context.Context, st PaymentStep) (bool, error)
	// AppendPaymentEvent adds e to the end of its payment's timeline in
	// one step, without the timeline being read first, and reports
	// whether it did: an event that repeats the timeline's last step
	// (same State, Code and Detail: a replayed notification) is not
	// added; one whose At is not after the last step's is moved to a
	// microsecond after it, so that the timeline keeps the order of
	// appending. Callers hold the payment locked (PaymentForUpdate) or
	// have just created it, so that appends to one timeline do not race.
	AppendPaymentEvent(ctx context.Context, e domain.PaymentEvent) (bool, error)
	// PaymentEvents returns a payment's timeline, oldest first (then by id).
	PaymentEvents(ctx context.Context, paymentID uuid.UUID) ([]domain.PaymentEvent, error)
}

// PaymentStep is what one step of a payment writes (SavePaymentStep).
type PaymentStep struct {
	Payment domain.Payment
	// Invoices are the invoices the step changed (locked, settled or
	// released), saved whole.
	Invoices []domain.Invoice
	// Event is the step in the payment's timeline; nil adds none.
	Event *domain.PaymentEvent
	// Mails are queued in the outbox with the step.
	Mails []OutboxMail
	// Was, when set, is the payment as it was read without a lock: the
	// step is written only if the stored payment still has its State
	// and UpdatedAt (nothing changed it since); otherwise nothing is
	// written and SavePaymentStep returns ErrPaymentChanged. A step with
	// Was carries no Invoices and no Mails.
	Was *domain.Payment
}

// ErrPaymentChanged is SavePaymentStep's answer when the payment changed
// since the step's Was: the caller reads it again, locked.
var ErrPaymentChanged = &domain.Error{Code: domain.Conflict, Message: "Ce paiement a changé entre-temps.",
	Err: errors.New("payment changed since it was read")}
