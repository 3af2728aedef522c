package domain_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
)

// TestPayableMatrix crosses every condition that can stop a payment:
// state × declared × suspension (none, now, scheduled later) × lock (none,
// live, expired) × amount (within, above the maximum).
func TestPayableMatrix(t *testing.T) {
	b := mustBiller(t)
	p := mustPayer(t, b)
	type suspension string
	type lock string
	for _, state := range []domain.InvoiceState{domain.InvoiceUnpaid, domain.InvoicePaid, domain.InvoiceTreasury} {
		for _, declared := range []bool{false, true} {
			for _, susp := range []suspension{"none", "now", "later"} {
				for _, lk := range []lock{"none", "live", "expired"} {
					for _, amount := range []string{"243.11", "100000.00"} {
						name := fmt.Sprintf("%s/declared=%v/suspended=%s/lock=%s/amount=%s", state, declared, susp, lk, amount)
						t.Run(name, func(t *testing.T) {
							bb := b
							switch susp {
							case "now":
								bb.Suspension = domain.Suspension{Active: true, Message: "Maintenance en cours"}
							case "later":
								bb.Suspension = domain.Suspension{Active: true, From: now.Add(time.Hour)}
							}
							inv := mustInvoice(t, bb, p, "2026-001", amount)
							inv.State = state
							if declared {
								inv.DeclaredPaidAt = now.Add(-time.Hour)
							}
							switch lk {
							case "live":
								inv.Lock(uuid.New(), now.Add(time.Hour))
							case "expired":
								inv.Lock(uuid.New(), now.Add(-time.Second))
							}
							err := inv.Payable(bb, now)
							var want domain.Code
							switch {
							case state != domain.InvoiceUnpaid:
								want = domain.Conflict
							case declared:
								want = domain.Conflict
							case susp == "now":
								want = domain.Unavailable
							case lk == "live":
								want = domain.Conflict
							case amount != "243.11":
								want = domain.Conflict
							}
							assert.Equal(t, want, domain.ErrorCode(err), "err: %v", err)
							if err != nil {
								assert.NotEmpty(t, domain.ErrorMessage(err))
							}
							if want == domain.Unavailable {
								assert.Equal(t, "Maintenance en cours", domain.ErrorMessage(err), "the service's own message replaces the pay button")
							}
						})
					}
				}
			}
		}
	}
}

func TestLockedInvoiceSaysWhenToRetry(t *testing.T) {
	b := mustBiller(t)
	inv := mustInvoice(t, b, mustPayer(t, b), "2026-001", "10.00")
	inv.Lock(uuid.New(), time.Date(2026, 9, 10, 10, 0, 0, 0, time.UTC))
	err := inv.Payable(b, now)
	assert.Contains(t, domain.ErrorMessage(err), "10/09/2026 à 12h00", "shown in Paris time")
	assert.Equal(t, "Paiement en cours", inv.StatusText(now))
	assert.Equal(t, "Non réglée", inv.StatusText(now.Add(3*time.Hour)), "an expired lock holds nothing")
}

func TestTabs(t *testing.T) {
	b := mustBiller(t)
	inv := mustInvoice(t, b, mustPayer(t, b), "2026-001", "10.00")
	assert.Equal(t, domain.TabUnpaid, inv.Tab())
	require.NoError(t, inv.DeclarePaid(now))
	assert.Equal(t, domain.TabPaid, inv.Tab(), "a declared invoice shows with the paid ones")
	assert.Equal(t, "Déclarée réglée par vos soins", inv.StatusText(now))
	inv.State = domain.InvoiceTreasury
	assert.Equal(t, domain.TabTreasury, inv.Tab())
	assert.Equal(t, "Factures en trésorerie", domain.TabTreasury.Label())
}

func TestDeclarePaidAndUndo(t *testing.T) {
	b := mustBiller(t)
	p := mustPayer(t, b)
	inv := mustInvoice(t, b, p, "2026-001", "10.00")
	a := inv.Actions(b, now)
	assert.True(t, a.Pay)
	assert.True(t, a.DeclarePaid)
	assert.False(t, a.UndoDeclare)

	require.NoError(t, inv.DeclarePaid(now))
	require.NoError(t, inv.DeclarePaid(now.Add(time.Minute)), "declaring twice is harmless")
	assert.True(t, now.Equal(inv.DeclaredPaidAt))
	a = inv.Actions(b, now)
	assert.False(t, a.Pay, "a declared invoice is not offered for payment")
	assert.Error(t, a.PayBlocked)
	assert.True(t, a.UndoDeclare)
	assert.False(t, a.DeclarePaid)

	require.NoError(t, inv.UndoDeclarePaid(now))
	assert.Equal(t, domain.TabUnpaid, inv.Tab())
	assert.True(t, inv.Actions(b, now).Pay)

	locked := mustInvoice(t, b, p, "2026-002", "10.00")
	locked.Lock(uuid.New(), now.Add(time.Hour))
	assert.Equal(t, domain.Conflict, domain.ErrorCode(locked.DeclarePaid(now)), "not while a payment is in progress")

	paid := mustInvoice(t, b, p, "2026-003", "10.00")
	_, err := paid.Settle(uuid.New(), now, now)
	require.NoError(t, err)
	assert.Error(t, paid.DeclarePaid(now))
	assert.Error(t, paid.UndoDeclarePaid(now))
	assert.Equal(t, domain.Actions{}, paid.Actions(b, now), "nothing to do with a paid invoice")
}

func TestSettle(t *testing.T) {
	b := mustBiller(t)
	inv := mustInvoice(t, b, mustPayer(t, b), "2026-001", "10.00")
	pay := uuid.New()
	inv.Lock(pay, now.Add(time.Hour))
	changed, err := inv.Settle(pay, now, now)
	require.NoError(t, err)
	assert.True(t, changed)
	assert.Equal(t, domain.InvoicePaid, inv.State)
	assert.Equal(t, uuid.Nil, inv.LockedBy, "settling releases the lock")
	changed, err = inv.Settle(pay, now, now.Add(time.Minute))
	require.NoError(t, err)
	assert.False(t, changed, "settling again by the same payment changes nothing")
	_, err = inv.Settle(uuid.New(), now, now)
	assert.Equal(t, domain.Conflict, domain.ErrorCode(err), "a second payment for a paid invoice is an anomaly")

	tr := mustInvoice(t, b, mustPayer(t, b), "2026-002", "10.00")
	_, err = tr.MoveToTreasury(now)
	require.NoError(t, err)
	changed, err = tr.Settle(pay, now, now)
	require.NoError(t, err)
	assert.True(t, changed, "money received settles even an invoice sent to treasury")
}

func TestPaidOnlineAndUnconfirmed(t *testing.T) {
	b := mustBiller(t)
	inv := mustInvoice(t, b, mustPayer(t, b), "2026-001", "10.00")
	assert.False(t, inv.PaidOnline(), "unpaid")
	counter := inv
	_, err := counter.Settle(uuid.Nil, now, now)
	require.NoError(t, err)
	assert.False(t, counter.PaidOnline(), "paid at the counter")
	assert.False(t, counter.PaymentUnconfirmed())

	_, err = inv.Settle(uuid.New(), now, now)
	require.NoError(t, err)
	assert.True(t, inv.PaidOnline())
	assert.False(t, inv.PaymentUnconfirmed(), "confirmed: money received")
	inv.AwaitingConfirmation = true
	assert.True(t, inv.PaidOnline())
	assert.True(t, inv.PaymentUnconfirmed(), "on the word of the URL mode's callback")
	inv.State = domain.InvoiceUnpaid
	assert.False(t, inv.PaymentUnconfirmed(), "only a paid invoice")
}

// TestTreasuryBoundary shows the transfer on both sides of its boundary:
// due 2026-03-01 with a 28-day delay goes to treasury on 2026-03-30 Paris
// time, the day after 2026-03-29 on which summer time starts (02:00 CET →
// 03:00 CEST), and likewise around the end of summer time.
func TestTreasuryBoundary(t *testing.T) {
	b := mustBiller(t)
	b.TreasuryDelayDays = 28
	p := mustPayer(t, b)
	tests := []struct {
		name string
		due  domain.Date
		at   time.Time
		want bool
	}{
		{"spring: last instant of the last day (23:59:59 CEST = 21:59:59 UTC)", domain.NewDate(2026, 3, 1), time.Date(2026, 3, 29, 21, 59, 59, 0, time.UTC), false},
		{"spring: first instant of the treasury date (00:00 CEST = 22:00 UTC)", domain.NewDate(2026, 3, 1), time.Date(2026, 3, 29, 22, 0, 0, 0, time.UTC), true},
		{"spring: 23:30 UTC on the 28th is 00:30 CET on the 29th, still not due", domain.NewDate(2026, 3, 1), time.Date(2026, 3, 28, 23, 30, 0, 0, time.UTC), false},
		{"autumn: 22:59 UTC on 25 Oct is 23:59 CET, still the 25th", domain.NewDate(2026, 9, 27), time.Date(2026, 10, 25, 22, 59, 0, 0, time.UTC), false},
		{"autumn: 23:00 UTC on 25 Oct is 00:00 CET on the 26th", domain.NewDate(2026, 9, 27), time.Date(2026, 10, 25, 23, 0, 0, 0, time.UTC), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := mustInvoice(t, b, p, "2026-001", "10.00")
			inv.IssueDate = tt.due.AddDays(-10)
			inv.DueDate = tt.due
			assert.Equal(t, tt.want, inv.TreasuryDue(b, tt.at))
		})
	}
}

func TestTreasuryNotForPaidOrLocked(t *testing.T) {
	b := mustBiller(t)
	p := mustPayer(t, b)
	late := now.Add(365 * 24 * time.Hour)
	inv := mustInvoice(t, b, p, "2026-001", "10.00")
	assert.True(t, inv.TreasuryDue(b, late))
	inv.Lock(uuid.New(), late.Add(time.Hour))
	assert.False(t, inv.TreasuryDue(b, late), "a live attempt holds it")
	_, err := inv.MoveToTreasury(late)
	assert.Equal(t, domain.Conflict, domain.ErrorCode(err))

	paid := mustInvoice(t, b, p, "2026-002", "10.00")
	_, err = paid.Settle(uuid.New(), now, now)
	require.NoError(t, err)
	assert.False(t, paid.TreasuryDue(b, late))
	_, err = paid.MoveToTreasury(late)
	assert.Error(t, err)

	moved := mustInvoice(t, b, p, "2026-003", "10.00")
	ok, err := moved.MoveToTreasury(late)
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = moved.MoveToTreasury(late)
	require.NoError(t, err)
	assert.False(t, ok, "moving twice is harmless")
	assert.Equal(t, "Transmise en trésorerie", moved.StatusText(late))
}

func TestInvoiceValidate(t *testing.T) {
	b := mustBiller(t)
	inv := mustInvoice(t, b, mustPayer(t, b), "2026-001", "10.00")
	bad := []func(*domain.Invoice){
		func(i *domain.Invoice) { i.Number = " " },
		func(i *domain.Invoice) { i.Amount = dec("0") },
		func(i *domain.Invoice) { i.Amount = dec("1.234") },
		func(i *domain.Invoice) { i.DueDate = i.IssueDate.AddDays(-1) },
		func(i *domain.Invoice) { i.IssueDate = domain.Date{} },
		func(i *domain.Invoice) { i.State = "lost" },
	}
	for n, change := range bad {
		c := inv
		change(&c)
		assert.Error(t, c.Validate(), "case %d", n)
	}
}

func TestInvoiceStaffActions(t *testing.T) {
	b := mustBiller(t)
	p := mustPayer(t, b)
	inv := mustInvoice(t, b, p, "2026-500", "30.00")
	assert.Equal(t, domain.StaffActions{MarkPaid: true, Treasury: true, Cancel: true}, inv.StaffActions(now))

	locked := inv
	locked.Lock(uuid.New(), now.Add(time.Hour))
	assert.Equal(t, domain.StaffActions{}, locked.StaffActions(now), "a live payment attempt blocks every change")
	assert.Equal(t, domain.StaffActions{MarkPaid: true, Treasury: true, Cancel: true}, locked.StaffActions(now.Add(time.Hour)))

	treasury := inv
	_, err := treasury.MoveToTreasury(now)
	require.NoError(t, err)
	assert.Equal(t, domain.StaffActions{MarkPaid: true, Cancel: true}, treasury.StaffActions(now))

	paid := inv
	_, err = paid.Settle(uuid.Nil, now, now)
	require.NoError(t, err)
	assert.Equal(t, domain.StaffActions{}, paid.StaffActions(now))
	cancelled := inv
	_, err = cancelled.Cancel(now)
	require.NoError(t, err)
	assert.Equal(t, domain.StaffActions{}, cancelled.StaffActions(now))
}

func TestPaidOn(t *testing.T) {
	morning := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC) // 9h in Paris
	evening := time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name      string
		day       domain.Date
		now, want time.Time
	}{
		{"today before noon: now", domain.NewDate(2026, 11, 26), morning, morning},
		{"an earlier day: noon in Paris", domain.NewDate(2026, 11, 24), morning, time.Date(2026, 11, 24, 11, 0, 0, 0, time.UTC)},
		{"today after noon: noon in Paris", domain.NewDate(2026, 11, 26), evening, time.Date(2026, 11, 26, 11, 0, 0, 0, time.UTC)},
	} {
		got := domain.PaidOn(c.day, c.now)
		assert.True(t, c.want.Equal(got), "%s: got %v", c.name, got)
	}
}

func TestTotal(t *testing.T) {
	assert.True(t, domain.Total(nil).Equal(decimal.Zero), "nothing selected costs nothing")
	invs := []domain.Invoice{{Amount: decimal.RequireFromString("12.34")}, {Amount: decimal.RequireFromString("0.66")}, {Amount: decimal.RequireFromString("100")}}
	assert.Equal(t, "113.00", domain.Total(invs).StringFixed(2))
}
