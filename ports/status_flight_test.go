package ports_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

// blockingGateway is the fake gateway whose status query announces
// itself on entered, then waits for release.
type blockingGateway struct {
	*portstest.FakeGateway
	entered chan struct{}
	release chan struct{}
}

func (g *blockingGateway) Status(ctx context.Context, p domain.Payment) (domain.Report, error) {
	g.entered <- struct{}{}
	<-g.release
	return g.FakeGateway.Status(ctx, p)
}

// TestConcurrentNotificationsShareOneStatusQuery: 100 notifications of
// one idOp arriving together make one status query to PayFiP; every
// caller gets its answer.
func TestConcurrentNotificationsShareOneStatusQuery(t *testing.T) {
	const n = 100
	e := newEnv(t)
	pay, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
	require.NoError(t, err)
	e.gateway.SetOutcome(pay.OperationID, domain.OutcomePaid)

	gw := &blockingGateway{FakeGateway: e.gateway, entered: make(chan struct{}, n), release: make(chan struct{})}
	p, err := ports.NewPortal(ports.Deps{
		Store: e.store, Sessions: e.store, Mailer: e.mails, Gateway: gw,
		Clock: e.clock, Random: portstest.NewSeqRandom(9),
	}, ports.Config{PublicURL: "https://factures.testville.fr/", Argon2: fastArgon2, MailInline: true})
	require.NoError(t, err)
	joined := make(chan struct{}, n)
	p.OnStatusShared(func() { joined <- struct{}{} })

	var wg sync.WaitGroup
	results := make([]domain.Payment, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = p.Jobs().HandleNotification(t.Context(), notify(pay.OperationID))
		}()
	}
	<-gw.entered // the first caller asks PayFiP and waits for its answer
	for waiting := 0; waiting < n-1; {
		select {
		case <-joined:
			waiting++
		case <-gw.entered:
			t.Fatalf("a second status query started while %d callers waited for the first", waiting)
		}
	}
	close(gw.release)
	wg.Wait()

	assert.Len(t, gw.StatusQueries(), 1, "one status query for %d notifications", n)
	for i := range n {
		require.NoError(t, errs[i])
		assert.Equal(t, pay.ID, results[i].ID)
		assert.Equal(t, results[0].State, results[i].State)
	}
	assert.NotEqual(t, domain.PaymentInProgress, results[0].State, "the answer was applied")

	// Once answered, the next notification asks again.
	close(gw.entered)
	gw.entered = make(chan struct{}, 1)
	_, err = p.Jobs().HandleNotification(t.Context(), notify(pay.OperationID))
	require.NoError(t, err)
	assert.Len(t, gw.StatusQueries(), 2)
}
