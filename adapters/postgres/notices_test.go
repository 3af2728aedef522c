package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

// atOnce runs job on four portal instances over e's database at the same
// moment, and returns the first instance and the sum of what they
// returned.
func atOnce(t *testing.T, e *payEnv, clock ports.Clock, job func(ports.Jobs, context.Context) (int, error)) (*ports.Portal, int) {
	t.Helper()
	const instances = 4
	portals := make([]*ports.Portal, instances)
	for i := range portals {
		p, err := ports.NewPortal(ports.Deps{Store: e.db, Sessions: e.db, Mailer: e.mails, Gateway: e.gateway, Clock: clock},
			ports.Config{PublicURL: "https://factures.testville.fr", Argon2: fastArgon2, MailInline: true})
		require.NoError(t, err)
		portals[i] = p
	}
	counts := make([]int, instances)
	parallel(instances, func(i int) {
		n, err := job(portals[i].Jobs(), e.ctx)
		assert.NoError(t, err)
		counts[i] = n
	})
	total := 0
	for _, n := range counts {
		total += n
	}
	return portals[0], total
}

// TestRemindersFromInstancesAtOnceSendOnce: portal instances over one
// database run the reminders job at the same moment; each invoice is
// reminded once, in one mail of one instance, over several batches.
func TestRemindersFromInstancesAtOnceSendOnce(t *testing.T) {
	e := newPayEnv(t)
	const extra = 1200 // beyond two batches of 500
	b := e.house.Biller
	b.Reminders = domain.Reminders{Enabled: true, DaysBefore: 5}
	require.NoError(t, e.db.Atomic(e.ctx, func(tx ports.Tx) error {
		portstest.MustSaveBiller(t, tx, b)
		for i := range extra {
			portstest.MustSaveInvoices(t, tx, portstest.NewInvoice(t, e.house.Payer, fmt.Sprintf("2025-R%05d", i), "5.00"))
		}
		return nil
	}))
	want := extra + len(e.house.Invoices)
	clock := portstest.NewFixedClock(time.Date(2025, 3, 29, 12, 0, 0, 0, domain.Paris)) // due on 3 April: 5 days before
	first, total := atOnce(t, e, clock, ports.Jobs.RunReminders)
	assert.Equal(t, want, total, "each invoice reminded by one instance")
	listed := 0
	for _, m := range e.mails.Mails() {
		listed += strings.Count(m.Text, "- Facture n° ")
	}
	assert.Equal(t, want, listed, "each invoice in one mail")
	sent, err := e.db.CountNotices(e.ctx, b.ID, clock.Now().Add(-time.Hour))
	require.NoError(t, err)
	assert.Equal(t, want, sent[domain.NoticeReminderBefore])

	n, err := first.Jobs().RunReminders(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "a later run finds nothing")
}

// TestNoticesFromInstancesAtOnceSendOnce: four instances run the
// new-invoice notices job at once over many payers, so that a batch reads
// many accounts at once (AccountsByPayers) and records its invoices at
// once (RecordNotices): each invoice is announced once, in one mail to its
// own payer, and the payers the notice must skip get none.
func TestNoticesFromInstancesAtOnceSendOnce(t *testing.T) {
	e := newPayEnv(t)
	b := e.house.Biller
	arrived := portstest.Epoch.Add(time.Hour)
	const payers, each = 60, 21    // 1,260 invoices: three batches of 500
	numbers := map[string]string{} // invoice number → its payer's address
	for _, inv := range e.house.Invoices {
		numbers[inv.Number] = e.house.Payer.Email // arrived at Epoch, as the account was activated
	}
	want := payers*each + len(e.house.Invoices)
	skipped := map[string]bool{} // the addresses that must get nothing
	require.NoError(t, e.db.Atomic(e.ctx, func(tx ports.Tx) error {
		for i := range payers + 3 {
			p := portstest.NewPayer(t, b, fmt.Sprintf("FAM%03d", i))
			portstest.MustSavePayer(t, tx, p)
			a := portstest.NewAccount(t, p)
			a.SetPassword("hash", portstest.Epoch)
			switch i {
			case payers: // no account
			case payers + 1: // notices off
				a.NoticesOff = true
				portstest.MustSaveAccount(t, tx, a)
			case payers + 2: // activated after the invoices arrived
				a.ActivatedAt = arrived.Add(time.Minute)
				portstest.MustSaveAccount(t, tx, a)
			default:
				portstest.MustSaveAccount(t, tx, a)
			}
			if i >= payers {
				skipped[p.Email] = true
			}
			for k := range each {
				inv := portstest.NewInvoice(t, p, fmt.Sprintf("N%03d-%02d", i, k), "7.00")
				inv.CreatedAt, inv.UpdatedAt = arrived, arrived
				portstest.MustSaveInvoices(t, tx, inv)
				if i < payers {
					numbers[inv.Number] = p.Email
				}
			}
		}
		return nil
	}))
	clock := portstest.NewFixedClock(arrived.Add(time.Hour))
	first, total := atOnce(t, e, clock, ports.Jobs.RunNotices)
	assert.Equal(t, want, total, "each invoice announced by one instance")
	listed := map[string]int{}
	mails := 0
	for _, m := range e.mails.Mails() {
		if !strings.Contains(m.Text, "nouvelle") {
			continue
		}
		mails++
		assert.False(t, skipped[m.To], "no notice to %s", m.To)
		for line := range strings.SplitSeq(m.Text, "\n") {
			number, ok := strings.CutPrefix(line, "- Facture n° ")
			if !ok {
				continue
			}
			number, _, _ = strings.Cut(number, " ")
			listed[number]++
			assert.Equal(t, numbers[number], m.To, "invoice %s in its own payer's mail", number)
		}
	}
	assert.Len(t, listed, want, "every invoice listed")
	for number, n := range listed {
		assert.Equal(t, 1, n, "invoice %s listed once", number)
	}
	assert.LessOrEqual(t, mails, payers+1+2, "one mail per payer, each of the two batch boundaries splitting at most one payer's list")
	sent, err := e.db.CountNotices(e.ctx, b.ID, arrived)
	require.NoError(t, err)
	assert.Equal(t, want, sent[domain.NoticeNewInvoice])

	n, err := first.Jobs().RunNotices(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "a later run finds nothing")
}
