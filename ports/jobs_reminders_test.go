package ports_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The household's invoices are due on 3 April 2025 (portstest.NewInvoice):
// with reminders 5 days before, the window opens on 29 March, Paris time.
var (
	windowOpens    = time.Date(2025, 3, 27, 23, 0, 0, 0, time.UTC) // 28 March 00:00 in Paris: due in 6 days
	fiveDaysBefore = time.Date(2025, 3, 28, 23, 0, 0, 0, time.UTC) // 29 March 00:00 in Paris
)

func remindersEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	e.setBiller(t, func(b *domain.Biller) {
		b.Reminders = domain.Reminders{Enabled: true, DaysBefore: 5, DaysAfter: 2}
	})
	require.Equal(t, domain.NewDate(2025, 4, 3), e.house.Invoices[0].DueDate)
	return e
}

func (e *env) runReminders(t *testing.T) int {
	t.Helper()
	n, err := e.portal.Jobs().RunReminders(e.ctx)
	require.NoError(t, err)
	return n
}

func TestRemindersAreOffByDefault(t *testing.T) {
	e := newEnv(t)
	e.clock.Set(fiveDaysBefore)
	assert.Zero(t, e.runReminders(t))
	assert.Empty(t, e.mails.Mails())
}

func TestReminderBeforeDueGoesOnceInOneMailPerPayer(t *testing.T) {
	e := remindersEnv(t)
	e.clock.Set(windowOpens)
	assert.Zero(t, e.runReminders(t), "6 days before the due date")

	e.clock.Set(fiveDaysBefore)
	assert.Equal(t, 3, e.runReminders(t), "the payer with an active account; REF002 has none")
	mails := e.mails.Mails()
	require.Len(t, mails, 1, "one mail for the payer's three invoices")
	m := mails[0]
	assert.Equal(t, e.house.Account.Email, m.To)
	assert.Equal(t, "Rappel : 3 factures arrivent à échéance", m.Subject)
	for _, want := range []string{
		"- Facture n° 2025-000001 : Multi Services, 10,01\u00a0€, échéance le 03/04/2025",
		"- Facture n° 2025-000003 : Multi Services, 10,03\u00a0€, échéance le 03/04/2025",
		"https://factures.testville.fr/factures",
	} {
		assert.Contains(t, m.Text, want)
	}
	assert.Contains(t, m.HTML, `<a href="https://factures.testville.fr/factures">`)

	e.advance(time.Hour)
	assert.Zero(t, e.runReminders(t), "never twice for an invoice and kind")
	e.advance(48 * time.Hour)
	assert.Zero(t, e.runReminders(t), "nor on a later day")
	assert.Len(t, e.mails.Mails(), 1)
}

func TestReminderSkipsWhatMustNotBeReminded(t *testing.T) {
	e := remindersEnv(t)
	e.clock.Set(fiveDaysBefore)
	declared := e.house.Invoices[0]
	require.NoError(t, e.portal.Citizens().DeclarePaid(e.ctx, e.citizen, declared.ID))
	paid := e.invoice(t, e.house.Invoices[1].ID)
	_, err := paid.Settle(paid.PaymentID, e.clock.Now(), e.clock.Now())
	require.NoError(t, err)
	require.NoError(t, e.store.SaveInvoice(e.ctx, paid))

	assert.Equal(t, 1, e.runReminders(t), "neither the declared nor the paid invoice")
	require.Len(t, e.mails.Mails(), 1)
	assert.Equal(t, "Rappel : une facture arrive à échéance", e.mails.Mails()[0].Subject)
	assert.NotContains(t, e.mails.Mails()[0].Text, declared.Number)

	// The payer takes the declaration back: the invoice is reminded then.
	require.NoError(t, e.portal.Citizens().UndoDeclarePaid(e.ctx, e.citizen, declared.ID))
	assert.Equal(t, 1, e.runReminders(t))
}

func TestReminderRespectsThePayersChoice(t *testing.T) {
	e := remindersEnv(t)
	a := e.house.Account
	a.RemindersOff = true
	require.NoError(t, e.store.SaveAccount(e.ctx, a))
	e.clock.Set(fiveDaysBefore)
	assert.Zero(t, e.runReminders(t))
	assert.Empty(t, e.mails.Mails())

	// Turned back on before the due date: the reminder still goes.
	a.RemindersOff = false
	require.NoError(t, e.store.SaveAccount(e.ctx, a))
	e.advance(24 * time.Hour)
	assert.Equal(t, 3, e.runReminders(t))
}

func TestReminderAfterDueIsOptionalAndOnce(t *testing.T) {
	e := remindersEnv(t)
	e.clock.Set(fiveDaysBefore.Add(7 * 24 * time.Hour)) // 5 April: 2 days after the due date
	assert.Zero(t, e.runReminders(t), "the reminder after the due date is off")

	e.setBiller(t, func(b *domain.Biller) { b.Reminders.AfterEnabled = true })
	assert.Equal(t, 3, e.runReminders(t), "the past window is not reminded before, only after")
	require.Len(t, e.mails.Mails(), 1)
	m := e.mails.Mails()[0]
	assert.Equal(t, "Rappel : 3 factures dont l'échéance est passée", m.Subject)
	assert.Contains(t, m.Text, "ne sont pas encore réglées alors que leur échéance est passée")
	assert.Zero(t, e.runReminders(t))
}

func TestRemindersTwoInstancesAtOnceSendOnce(t *testing.T) {
	e := remindersEnv(t)
	e.clock.Set(fiveDaysBefore)
	n := twoInstancesAtOnce(t, e, ports.Jobs.RunReminders)
	assert.Equal(t, 3, n)
	assert.Len(t, e.mails.Mails(), 1)
}

func TestBoardCountsThisMonthsReminders(t *testing.T) {
	e := remindersEnv(t)
	e.clock.Set(fiveDaysBefore)
	require.Equal(t, 3, e.runReminders(t))
	board, err := e.portal.BackOffice().StaffBoard(e.ctx, agent(e, domain.RoleReader))
	require.NoError(t, err)
	assert.Equal(t, 3, board.RemindedBefore)
	assert.Zero(t, board.RemindedAfter)

	e.clock.Set(time.Date(2025, 4, 1, 0, 0, 0, 0, domain.Paris)) // a new Paris month
	board, err = e.portal.BackOffice().StaffBoard(e.ctx, agent(e, domain.RoleReader))
	require.NoError(t, err)
	assert.Zero(t, board.RemindedBefore, "March's reminders are not April's")
}

// twoInstancesAtOnce runs job on e's portal and on a second portal over
// the same store at the same time, and returns the sum of what both
// runs did.
func twoInstancesAtOnce(t *testing.T, e *env, job func(ports.Jobs, context.Context) (int, error)) int {
	other, err := ports.NewPortal(ports.Deps{
		Store: e.store, Sessions: e.store, Mailer: e.mails, Gateway: e.gateway, Clock: e.clock,
	}, ports.Config{PublicURL: "https://factures.testville.fr/", Argon2: fastArgon2, MailInline: true})
	require.NoError(t, err)
	var wg sync.WaitGroup
	counts := make([]int, 2)
	for i, p := range []*ports.Portal{e.portal, other} {
		wg.Go(func() {
			n, err := job(p.Jobs(), e.ctx)
			assert.NoError(t, err)
			counts[i] = n
		})
	}
	wg.Wait()
	return counts[0] + counts[1]
}
