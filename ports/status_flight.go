package ports

import (
	"context"
	"sync"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
)

// statusFlights lets the status queries about one attempt (one PayFiP
// idOp) that arrive together share one call to the gateway: a replayed
// or repeated notification, the browser's return and PayFiP's own call
// cost PayFiP one query, not one each. The zero value is ready to use.
type statusFlights struct {
	mu     sync.Mutex
	calls  map[uuid.UUID]*statusCall
	joined func() // tests: a caller waits for a query under way
}

type statusCall struct {
	done chan struct{}
	r    domain.Report
	err  error
}

// errStatusGaveUp answers a caller that stopped waiting for a shared
// status query (its request ended); the attempt is left as it is.
var errStatusGaveUp = &domain.Error{Code: domain.Unavailable,
	Message: "Le résultat du paiement n'a pas pu être demandé au service de paiement. Veuillez réessayer plus tard."}

// status asks gw for pay's result, or, when a query about the same
// attempt is already under way, waits for its answer. The query runs
// without the first caller's cancellation, since others may wait for it;
// the gateway bounds its own time (payment.timeout).
func (f *statusFlights) status(ctx context.Context, gw PaymentGateway, pay domain.Payment) (domain.Report, error) {
	f.mu.Lock()
	if c, ok := f.calls[pay.ID]; ok {
		joined := f.joined
		f.mu.Unlock()
		if joined != nil {
			joined()
		}
		select {
		case <-c.done:
			return c.r, c.err
		case <-ctx.Done():
			return domain.Report{}, errStatusGaveUp
		}
	}
	// Should the gateway panic, the callers waiting get "unavailable".
	c := &statusCall{done: make(chan struct{}), err: errStatusGaveUp}
	if f.calls == nil {
		f.calls = make(map[uuid.UUID]*statusCall)
	}
	f.calls[pay.ID] = c
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.calls, pay.ID)
		f.mu.Unlock()
		close(c.done)
	}()
	c.r, c.err = gw.Status(context.WithoutCancel(ctx), pay)
	return c.r, c.err
}
