package postgres_test

import (
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
		n, err := portals[i].Jobs().RunReminders(e.ctx)
		assert.NoError(t, err)
		counts[i] = n
	})
	total := 0
	for _, n := range counts {
		total += n
	}
	assert.Equal(t, want, total, "each invoice reminded by one instance")
	listed := 0
	for _, m := range e.mails.Mails() {
		listed += strings.Count(m.Text, "- Facture n° ")
	}
	assert.Equal(t, want, listed, "each invoice in one mail")
	sent, err := e.db.CountNotices(e.ctx, b.ID, clock.Now().Add(-time.Hour))
	require.NoError(t, err)
	assert.Equal(t, want, sent[domain.NoticeReminderBefore])

	n, err := portals[0].Jobs().RunReminders(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "a later run finds nothing")
}
