package ports

import (
	"context"

	"github.com/portail-factures/portail/domain"
)

// PaymentCount names what a PaymentObserver counts: an attempt started,
// an attempt that ended (by its final state), or a double payment met.
type PaymentCount string

// The payment counts. Each is counted once, after the transaction that
// made it true committed.
const (
	PaymentStarted   PaymentCount = "started"   // an attempt stored, its invoices locked
	PaymentSettled   PaymentCount = "settled"   // ended paid (confirmed or on the legacy callback's word)
	PaymentRefused   PaymentCount = "refused"   // the payer's bank refused
	PaymentAbandoned PaymentCount = "abandoned" // the payer left the DGFiP's page
	PaymentExpired   PaymentCount = "expired"   // no result while the invoices were held, or never started
	PaymentFailed    PaymentCount = "failed"    // the DGFiP refused to create the operation
	PaymentRejected  PaymentCount = "rejected"  // the service never received an unconfirmed payment's money
	PaymentTested    PaymentCount = "test"      // ended in PayFiP's test mode: no money taken
	PaymentDouble    PaymentCount = "double"    // an invoice paid twice: one refund to make
)

// PaymentCounts lists every count, for an observer that shows zeros.
var PaymentCounts = []PaymentCount{PaymentStarted, PaymentSettled, PaymentRefused, PaymentAbandoned,
	PaymentExpired, PaymentFailed, PaymentRejected, PaymentTested, PaymentDouble}

// PaymentObserver is told of the payments' events as they happen, for
// the operators' figures (the metrics adapter counts them). It must not
// block: it is called on the request's or the job's path.
type PaymentObserver interface {
	CountPayment(ctx context.Context, c PaymentCount)
}

// noPaymentObserver is the default observer: it counts nothing.
type noPaymentObserver struct{}

func (noPaymentObserver) CountPayment(context.Context, PaymentCount) {}

// countEnded tells the observer that an attempt moved from state before
// to its state in pay, if that ended it, and of the double payments
// (refunds) the step recorded. Called once the step committed.
func (p *Portal) countEnded(ctx context.Context, before domain.PaymentState, pay domain.Payment, doubles int) {
	if before != pay.State {
		if c, ok := endCounts[pay.State]; ok {
			p.observer.CountPayment(ctx, c)
		}
	}
	p.countDoubles(ctx, doubles)
}

// countDoubles tells the observer of n double payments (refunds to make)
// a committed step recorded.
func (p *Portal) countDoubles(ctx context.Context, n int) {
	for range n {
		p.observer.CountPayment(ctx, PaymentDouble)
	}
}

// endCounts is the count of each final state.
var endCounts = map[domain.PaymentState]PaymentCount{
	domain.PaymentPaid:      PaymentSettled,
	domain.PaymentRefused:   PaymentRefused,
	domain.PaymentAbandoned: PaymentAbandoned,
	domain.PaymentExpired:   PaymentExpired,
	domain.PaymentFailed:    PaymentFailed,
	domain.PaymentRejected:  PaymentRejected,
	domain.PaymentTest:      PaymentTested,
}
