package ports_test

import (
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
)

// The household's 4 invoices (3 of REF001, 1 of REF002) are due on
// 3 April 2025 (portstest.NewInvoice). With a delay of 5 days they go to
// treasury on 9 April, Paris time: from 8 April 22:00 UTC, as Paris is
// then on summer time (UTC+2).
var (
	lastMinuteBefore = time.Date(2025, 4, 8, 21, 59, 59, 0, time.UTC) // 8 April 23:59:59 in Paris
	treasuryMidnight = time.Date(2025, 4, 8, 22, 0, 0, 0, time.UTC)   // 9 April 00:00 in Paris, still 8 April in UTC
)

func treasuryEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	e.setBiller(t, func(b *domain.Biller) { b.TreasuryDelayDays = 5 })
	require.Equal(t, domain.NewDate(2025, 4, 3), e.house.Invoices[0].DueDate)
	return e
}

func (e *env) states(t *testing.T) map[domain.InvoiceState]int {
	t.Helper()
	out := map[domain.InvoiceState]int{}
	for _, inv := range e.house.Invoices {
		out[e.invoice(t, inv.ID).State]++
	}
	return out
}

func TestTreasuryRunOnTheRightParisDay(t *testing.T) {
	e := treasuryEnv(t)
	e.clock.Set(lastMinuteBefore)
	n, err := e.portal.Jobs().RunTreasury(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "not on the last day of the delay")
	assert.Equal(t, 3, e.states(t)[domain.InvoiceUnpaid])

	e.clock.Set(treasuryMidnight)
	n, err = e.portal.Jobs().RunTreasury(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, 4, n, "at midnight in Paris, although it is still the day before in UTC")
	assert.Equal(t, 3, e.states(t)[domain.InvoiceTreasury])
	inv := e.invoice(t, e.house.Invoices[0].ID)
	assert.Equal(t, treasuryMidnight, inv.TreasuryAt)

	audits := e.audits(t, domain.AuditTreasury)
	require.Len(t, audits, 2, "one system event per biller and day")
	assert.Equal(t, domain.ActorSystem, audits[0].Actor)
	assert.Equal(t, "Passage quotidien du 09/04/2025", audits[0].Target)
	assert.Equal(t, "4 factures transmises en trésorerie (échéance dépassée de plus de 5 jours).", audits[0].Detail)
	assert.Equal(t, "Aucune facture à transmettre en trésorerie (échéance dépassée de plus de 5 jours).", audits[1].Detail)

	// A new invoice already overdue, imported later the same day: the
	// day's run is done, the next day's takes it.
	late := e.house.Invoices[0]
	late.ID, late.Number, late.State, late.TreasuryAt = uuid.New(), "2025-000099", domain.InvoiceUnpaid, time.Time{}
	require.NoError(t, e.store.SaveInvoice(e.ctx, late))
	e.advance(time.Hour)
	n, err = e.portal.Jobs().RunTreasury(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "a second run the same Paris day does nothing")
	assert.Len(t, e.audits(t, domain.AuditTreasury), 2)
	e.clock.Set(treasuryMidnight.Add(24 * time.Hour))
	n, err = e.portal.Jobs().RunTreasury(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

func TestTreasuryRespectsTheBillersDelay(t *testing.T) {
	e := treasuryEnv(t)
	e.setBiller(t, func(b *domain.Biller) { b.TreasuryDelayDays = 6 })
	e.clock.Set(treasuryMidnight)
	n, err := e.portal.Jobs().RunTreasury(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "one more day of delay")
	e.clock.Set(treasuryMidnight.Add(24 * time.Hour))
	n, err = e.portal.Jobs().RunTreasury(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, 4, n)
}

func TestTreasuryLeavesPaidAndHeldInvoices(t *testing.T) {
	e := treasuryEnv(t)
	e.clock.Set(treasuryMidnight.Add(-time.Hour))
	_, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, e.invoiceIDs(1))
	require.NoError(t, err)
	require.NoError(t, e.portal.Citizens().DeclarePaid(e.ctx, e.citizen, e.house.Invoices[1].ID))
	e.clock.Set(treasuryMidnight)
	n, err := e.portal.Jobs().RunTreasury(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, 3, n, "a live attempt holds its invoice; a declaration does not stop the move")
	assert.Equal(t, domain.InvoiceUnpaid, e.invoice(t, e.house.Invoices[0].ID).State)
	assert.Equal(t, domain.InvoiceTreasury, e.invoice(t, e.house.Invoices[1].ID).State)
}

// TestConcurrentTreasuryRuns: several instances running the job at once
// move each invoice exactly once and audit the day once (run with -race).
func TestConcurrentTreasuryRuns(t *testing.T) {
	for _, run := range []struct {
		name string
		fn   func(*env) (int, error)
	}{
		{"the daily job", func(e *env) (int, error) { return e.portal.Jobs().RunTreasury(e.ctx) }},
		{"the transfer itself, without the daily claim", func(e *env) (int, error) { return e.portal.Jobs().TransferToTreasury(e.ctx) }},
	} {
		t.Run(run.name, func(t *testing.T) {
			e := treasuryEnv(t)
			e.clock.Set(treasuryMidnight)
			const n = 6
			var wg sync.WaitGroup
			moved := make([]int, n)
			errs := make([]error, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					moved[i], errs[i] = run.fn(e)
				}()
			}
			wg.Wait()
			total := 0
			for i := range n {
				require.NoError(t, errs[i])
				total += moved[i]
			}
			assert.Equal(t, 4, total, "each invoice moves once")
			assert.Equal(t, 3, e.states(t)[domain.InvoiceTreasury])
		})
	}
	t.Run("one audit event for the day", func(t *testing.T) {
		e := treasuryEnv(t)
		e.clock.Set(treasuryMidnight)
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() { defer wg.Done(); _, _ = e.portal.Jobs().RunTreasury(e.ctx) }()
		}
		wg.Wait()
		assert.Len(t, e.audits(t, domain.AuditTreasury), 1)
	})
}
