package postgres_test

import (
	"context"
	"net/url"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/postgres"
	"github.com/portail-factures/portail/adapters/postgres/pgtest"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

// fastArgon2 keeps tests quick; production uses ports.DefaultArgon2.
var fastArgon2 = ports.Argon2Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// payEnv is the portal over PostgreSQL with recording fakes, one biller
// allowing several invoices at once, and one active payer with three
// unpaid invoices.
type payEnv struct {
	db      *postgres.DB
	portal  *ports.Portal
	gateway *portstest.FakeGateway
	mails   *portstest.Mailbox
	house   portstest.Household
	citizen ports.Citizen
	ctx     context.Context
}

func newPayEnv(t *testing.T) *payEnv {
	t.Helper()
	e := &payEnv{db: pgtest.NewDB(t), gateway: &portstest.FakeGateway{}, mails: &portstest.Mailbox{}, ctx: t.Context()}
	p, err := ports.NewPortal(ports.Deps{
		Store: e.db, Sessions: e.db, Mailer: e.mails, Gateway: e.gateway,
		Clock: portstest.NewFixedClock(portstest.Epoch), Random: portstest.NewSeqRandom(1),
	}, ports.Config{PublicURL: "https://factures.testville.fr", Argon2: fastArgon2, MailInline: true})
	require.NoError(t, err)
	e.portal = p
	require.NoError(t, e.db.Atomic(e.ctx, func(tx ports.Tx) error {
		e.house = portstest.MustSeed(t, tx, "hash", 3)
		b := e.house.Biller
		b.MultiplePayments = true
		b.Saisie = domain.SaisieProduction // in T every result is a test payment
		portstest.MustSaveBiller(t, tx, b)
		return nil
	}))
	e.citizen = ports.Citizen{BillerID: e.house.Biller.ID, AccountID: e.house.Account.ID, PayerID: e.house.Payer.ID}
	return e
}

func (e *payEnv) invoice(t *testing.T, id uuid.UUID) domain.Invoice {
	t.Helper()
	inv, err := e.db.Invoice(e.ctx, id)
	require.NoError(t, err)
	return inv
}

// parallel runs fn in n goroutines released at once.
func parallel(n int, fn func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			fn(i)
		})
	}
	close(start)
	wg.Wait()
}

func TestConcurrentStartsOnOneInvoiceOneWins(t *testing.T) {
	e := newPayEnv(t)
	const n = 12
	ids := []uuid.UUID{e.house.Invoices[0].ID, e.house.Invoices[1].ID}
	errs := make([]error, n)
	pays := make([]domain.Payment, n)
	parallel(n, func(i int) {
		// Half select the two invoices in the other order: the locks are
		// taken in id order whatever the order asked, so no deadlock.
		sel := ids
		if i%2 == 1 {
			sel = []uuid.UUID{ids[1], ids[0]}
		}
		pays[i], _, errs[i] = e.portal.Citizens().StartPayment(e.ctx, e.citizen, sel)
	})
	winner := -1
	for i, err := range errs {
		if err == nil {
			assert.Equal(t, -1, winner, "starts %d and %d both won", winner, i)
			winner = i
			continue
		}
		assert.Equal(t, domain.Conflict, domain.ErrorCode(err), "start %d: %v", i, err)
	}
	require.NotEqual(t, -1, winner, "no start won")
	assert.Len(t, e.gateway.Requests(), 1, "exactly one operation is created at the DGFiP")
	for _, id := range ids {
		assert.Equal(t, pays[winner].ID, e.invoice(t, id).LockedBy, "the invoice is held by the winner")
	}
	live, err := e.db.LivePayments(e.ctx, 100)
	require.NoError(t, err)
	assert.Len(t, live, 1, "the losers stored no attempt")
}

func TestNotificationProcessedTwiceAtOnceSettlesOnce(t *testing.T) {
	e := newPayEnv(t)
	ids := []uuid.UUID{e.house.Invoices[0].ID, e.house.Invoices[2].ID}
	pay, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, ids)
	require.NoError(t, err)
	e.gateway.SetOutcome(pay.OperationID, domain.OutcomePaid)

	const n = 10
	got := make([]domain.Payment, n)
	errs := make([]error, n)
	parallel(n, func(i int) {
		got[i], errs[i] = e.portal.Jobs().HandleNotification(e.ctx, url.Values{"idop": {pay.OperationID}})
	})
	for i := range n {
		require.NoError(t, errs[i], "notification %d", i)
		assert.Equal(t, domain.PaymentPaid, got[i].State, "notification %d", i)
	}
	assert.Len(t, e.mails.To(e.house.Account.Email), 1, "one confirmation mail")
	for _, id := range ids {
		inv := e.invoice(t, id)
		assert.Equal(t, domain.InvoicePaid, inv.State)
		assert.Equal(t, pay.ID, inv.PaymentID)
		assert.Equal(t, uuid.Nil, inv.LockedBy, "the lock is released")
	}
	stored, err := e.db.Payment(e.ctx, pay.ID)
	require.NoError(t, err)
	assert.Empty(t, stored.Anomaly, "no double settlement noted")
	assert.Equal(t, domain.PaymentPaid, stored.State)
	assert.Equal(t, ids, stored.InvoiceIDs)
	unpaid, n2, err := e.db.ListInvoices(e.ctx, ports.InvoiceQuery{PayerID: e.house.Payer.ID, Tab: domain.TabUnpaid})
	require.NoError(t, err)
	assert.Equal(t, 1, n2)
	assert.Equal(t, e.house.Invoices[1].ID, unpaid[0].ID)
}
