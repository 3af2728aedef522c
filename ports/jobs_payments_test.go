package ports_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// receipts returns the subjects of the mails the payer got.
func (e *env) receipts() []string {
	var out []string
	for _, m := range e.mails.To(e.house.Account.Email) {
		out = append(out, m.Subject)
	}
	return out
}

func (e *env) payment(t *testing.T, id uuid.UUID) domain.Payment {
	t.Helper()
	pay, err := e.store.Payment(e.ctx, id)
	require.NoError(t, err)
	return pay
}

func TestAPaymentInTheTestEnvironmentIsNeverMoney(t *testing.T) {
	for name, echoed := range map[string]domain.Saisie{"echoed T": domain.SaisieTest, "no echo": ""} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			e.setBiller(t, func(b *domain.Biller) { b.Saisie = domain.SaisieTest })
			pay, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(2))
			require.NoError(t, err)
			assert.Equal(t, domain.SaisieTest, pay.Saisie)
			r := e.gateway.SetOutcome(pay.OperationID, domain.OutcomePaid)
			r.Saisie = echoed
			e.gateway.SetReport(pay.OperationID, r)
			e.advance(time.Minute)

			got, err := e.portal.Jobs().HandleNotification(e.ctx, notify(pay.OperationID))
			require.NoError(t, err)
			assert.Equal(t, domain.PaymentTest, got.State)
			assert.True(t, got.IsTest())
			for _, id := range e.invoiceIDs(2) {
				inv := e.invoice(t, id)
				assert.Equal(t, domain.InvoiceUnpaid, inv.State, "nothing is settled")
				assert.NoError(t, inv.Payable(domain.Biller{Saisie: domain.SaisieTest, MaxAmount: dec("1000")}, e.clock.Now()), "released at once: still to pay")
			}
			assert.Empty(t, e.receipts(), "no receipt mail for a test payment")
			events := details(e.timeline(t, pay.ID))
			assert.Contains(t, events[len(events)-1], "paiement de test, aucune somme reçue")

			list, err := e.portal.BackOfficePayments().Payments(e.ctx, e.reader(), ports.PaymentQuery{States: []domain.PaymentState{domain.PaymentTest}})
			require.NoError(t, err)
			require.Len(t, list.Rows, 1, "the back office filters test payments")

			var csv strings.Builder
			require.NoError(t, e.portal.BackOfficePayments().ExportPayments(e.ctx, e.reader(), ports.PaymentQuery{}, &csv))
			assert.Contains(t, csv.String(), ";test;Paiement de test;")
			assert.Contains(t, csv.String(), ";T;"+string(echoed)+";oui\r\n", "the CSV says it is a test")
		})
	}
}

func TestAnUndeterminedAttemptHoldsItsInvoicesAndIsStillAsked(t *testing.T) {
	e := newEnv(t)
	pay, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
	require.NoError(t, err)
	inv := e.house.Invoices[0].ID

	e.advance(domain.OperationWindow)
	_, err = e.portal.Jobs().Reconcile(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, domain.PaymentExpired, e.payment(t, pay.ID).State)
	assert.True(t, e.invoice(t, inv).Locked(e.clock.Now()), "held: PayFiP may notify two hours later")
	_, _, err = e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
	assert.Equal(t, domain.Conflict, domain.ErrorCode(err), "no second attempt while money can still come")

	// The reconciler keeps asking during the hold.
	asked := len(e.gateway.StatusQueries())
	e.advance(time.Hour)
	_, err = e.portal.Jobs().Reconcile(e.ctx)
	require.NoError(t, err)
	assert.Greater(t, len(e.gateway.StatusQueries()), asked, "asked again during the hold")

	e.gateway.SetOutcome(pay.OperationID, domain.OutcomePaid)
	e.advance(30 * time.Minute)
	n, err := e.portal.Jobs().Reconcile(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, domain.PaymentPaid, e.payment(t, pay.ID).State, "a late paid settles")
	assert.Equal(t, domain.InvoicePaid, e.invoice(t, inv).State)
	assert.Len(t, e.receipts(), 1)
}

func TestTheHoldEndsWithTheLockDuration(t *testing.T) {
	e := newEnv(t)
	pay, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
	require.NoError(t, err)
	e.gateway.SetOutcome(pay.OperationID, domain.OutcomeAbandoned)
	e.advance(domain.OperationWindow)
	_, err = e.portal.Jobs().HandleNotification(e.ctx, notify(pay.OperationID))
	require.NoError(t, err)
	assert.Equal(t, domain.PaymentAbandoned, e.payment(t, pay.ID).State)
	assert.True(t, e.invoice(t, e.house.Invoices[0].ID).Locked(e.clock.Now()))

	e.advance(2*time.Hour - domain.OperationWindow)
	asked := len(e.gateway.StatusQueries())
	_, err = e.portal.Jobs().Reconcile(e.ctx)
	require.NoError(t, err)
	assert.Len(t, e.gateway.StatusQueries(), asked, "no longer asked once the hold is over")
	_, _, err = e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
	assert.NoError(t, err, "payable again")
}

func TestAnUnknownOperationInItsFirstMinutesIsNotExpired(t *testing.T) {
	e := newEnv(t)
	pay, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
	require.NoError(t, err)
	e.gateway.SetOutcome(pay.OperationID, domain.OutcomeUnknown)
	e.advance(2 * time.Minute)
	got, err := e.portal.Jobs().HandleNotification(e.ctx, notify(pay.OperationID))
	require.NoError(t, err)
	assert.Equal(t, domain.PaymentInProgress, got.State, "P1 this early means not received yet")
}

func TestTheNightlyCheckAsksAgainAboutAttemptsThatEndedUnpaid(t *testing.T) {
	e := newEnv(t)
	pay, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
	require.NoError(t, err)
	e.gateway.SetOutcome(pay.OperationID, domain.OutcomeRefused)
	_, err = e.portal.Jobs().HandleNotification(e.ctx, notify(pay.OperationID))
	require.NoError(t, err)
	require.Equal(t, domain.PaymentRefused, e.payment(t, pay.ID).State)
	// Epoch is 10:30 in Paris; the DGFiP says "paid" during the night.
	e.gateway.SetOutcome(pay.OperationID, domain.OutcomePaid)

	e.advance(15 * time.Hour) // 01:30 in Paris
	n, err := e.portal.Jobs().RunNightlyPaymentCheck(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "not before 02:00")
	_, err = e.portal.Jobs().Reconcile(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, domain.PaymentRefused, e.payment(t, pay.ID).State, "a refused attempt is not polled during the day")

	e.advance(time.Hour) // 02:30
	n, err = e.portal.Jobs().RunNightlyPaymentCheck(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, domain.PaymentPaid, e.payment(t, pay.ID).State)
	assert.Equal(t, domain.InvoicePaid, e.invoice(t, e.house.Invoices[0].ID).State)
	events := details(e.timeline(t, pay.ID))
	assert.Contains(t, events[len(events)-1], "Vérification de nuit")

	asked := len(e.gateway.StatusQueries())
	n, err = e.portal.Jobs().RunNightlyPaymentCheck(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, n)
	assert.Len(t, e.gateway.StatusQueries(), asked, "once per night")
}

func TestTheNightlyCheckLooksBack48Hours(t *testing.T) {
	e := newEnv(t)
	pay, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
	require.NoError(t, err)
	e.gateway.SetOutcome(pay.OperationID, domain.OutcomeRefused)
	_, err = e.portal.Jobs().HandleNotification(e.ctx, notify(pay.OperationID))
	require.NoError(t, err)
	e.advance(49 * time.Hour) // 11:30 in Paris, two days later
	asked := len(e.gateway.StatusQueries())
	_, err = e.portal.Jobs().RunNightlyPaymentCheck(e.ctx)
	require.NoError(t, err)
	assert.Len(t, e.gateway.StatusQueries(), asked, "older than 48 hours: not asked")
}

func TestAnAttemptThatNeverReachedPayFiPFreesItsInvoicesWithinMinutes(t *testing.T) {
	e := newEnv(t)
	b, err := e.store.Biller(e.ctx, e.biller())
	require.NoError(t, err)
	// The portal stopped after storing the attempt, before the gateway
	// gave an operation: saved as StartPayment's first transaction does.
	invs := []domain.Invoice{e.invoice(t, e.house.Invoices[0].ID)}
	pay, err := domain.NewPayment(uuid.New(), "CRASHED123456", b, e.house.Payer, e.house.Account, invs, e.clock.Now())
	require.NoError(t, err)
	require.NoError(t, e.store.SavePayment(e.ctx, pay))
	require.NoError(t, e.store.SaveInvoice(e.ctx, invs[0]))

	e.advance(time.Minute)
	_, err = e.portal.Jobs().Reconcile(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, domain.PaymentCreated, e.payment(t, pay.ID).State, "the gateway may still be answering")

	e.advance(domain.UnstartedGrace)
	n, err := e.portal.Jobs().Reconcile(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, domain.PaymentFailed, e.payment(t, pay.ID).State)
	assert.False(t, e.invoice(t, invs[0].ID).Locked(e.clock.Now()), "no operation exists: nothing held")
	_, _, err = e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
	assert.NoError(t, err)
	assert.Less(t, domain.UnstartedGrace, 5*time.Minute)
}

func TestAnUnconfirmedPaymentAwaitsTheServiceThenIsConfirmed(t *testing.T) {
	e := newEnv(t)
	pay := e.paidUnconfirmed(t)
	inv := e.invoice(t, e.house.Invoices[0].ID)
	assert.Equal(t, domain.StatusAwaitingConfirmation, inv.StatusText(e.clock.Now()))
	assert.Equal(t, domain.TabUnpaid, inv.Tab())
	require.Len(t, e.receipts(), 1)
	assert.Contains(t, e.receipts()[0], "en attente de confirmation par le service")
	mail, _ := e.mails.Last()
	assert.Contains(t, mail.Text, "Paiement reçu, en attente de confirmation par le service")
	assert.NotContains(t, mail.Text, "a été accepté")

	require.NoError(t, e.portal.BackOfficePayments().ConfirmPayment(e.ctx, e.manager(), pay.ID))
	inv = e.invoice(t, inv.ID)
	assert.Equal(t, "Réglée", inv.StatusText(e.clock.Now()))
	assert.Equal(t, domain.TabPaid, inv.Tab())
	require.Len(t, e.receipts(), 2)
	assert.True(t, strings.HasPrefix(e.receipts()[1], "Confirmation de votre paiement"), "the confirmed receipt follows")
}

func TestAForgedPaidForAnAttemptThatIsOverIsRefused(t *testing.T) {
	e := newEnv(t)
	pay, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
	require.NoError(t, err)
	e.gateway.SetOutcome(pay.OperationID, domain.OutcomeRefused)
	_, err = e.portal.Jobs().HandleNotification(e.ctx, notify(pay.OperationID))
	require.NoError(t, err)

	forged := domain.Report{Outcome: domain.OutcomePaid, Refdet: pay.Refdet, Amount: pay.Total, Numcli: pay.Numcli, Code: "P"}
	e.gateway.SetReport(pay.OperationID, forged)
	_, err = e.portal.Jobs().HandleNotification(e.ctx, notify(pay.OperationID))
	assert.Equal(t, domain.Conflict, domain.ErrorCode(err))
	assert.Equal(t, domain.PaymentRefused, e.payment(t, pay.ID).State)
	assert.Equal(t, domain.InvoiceUnpaid, e.invoice(t, e.house.Invoices[0].ID).State)
	assert.Empty(t, e.receipts(), "the payer is not told it was paid")
	events := details(e.timeline(t, pay.ID))
	assert.Contains(t, events[len(events)-1], "refusé")
}
