package domain_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
)

func TestPaymentUnstarted(t *testing.T) {
	for _, tc := range []struct {
		state domain.PaymentState
		want  bool
	}{
		{domain.PaymentCreated, true},
		{domain.PaymentInProgress, false},
		{domain.PaymentPaid, false},
		{domain.PaymentRefused, false},
		{domain.PaymentFailed, false},
		{domain.PaymentExpired, false},
	} {
		t.Run(string(tc.state), func(t *testing.T) {
			assert.Equal(t, tc.want, domain.Payment{State: tc.state}.Unstarted())
		})
	}
}

func TestPaymentExpiredWithTheLockDuration(t *testing.T) {
	const lock = 2 * time.Hour
	for _, tc := range []struct {
		name  string
		state domain.PaymentState
		after time.Duration
		want  bool
	}{
		{"a live attempt within its lock is not expired", domain.PaymentInProgress, lock - time.Nanosecond, false},
		{"a live attempt is expired at the end of its lock", domain.PaymentInProgress, lock, true},
		{"and after it", domain.PaymentInProgress, 3 * lock, true},
		{"an attempt never started is expired the same way", domain.PaymentCreated, lock, true},
		{"a paid attempt already has its result", domain.PaymentPaid, 3 * lock, false},
		{"a refused attempt already has its result", domain.PaymentRefused, 3 * lock, false},
		{"an expired attempt is not expired again", domain.PaymentExpired, 3 * lock, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pay := domain.Payment{State: tc.state, CreatedAt: now}
			assert.Equal(t, tc.want, pay.Expired(now.Add(tc.after), lock))
		})
	}
}

func TestSettleOrRelease(t *testing.T) {
	later := now.Add(3 * time.Minute)
	for _, tc := range []struct {
		name string
		// outcome is the report applied before closing; "" leaves the
		// attempt live.
		outcome        domain.Outcome
		paidElsewhere  bool
		wantInvoices   int
		wantRefunds    int
		wantAnomaly    bool
		wantInvoiceSet domain.InvoiceState
	}{
		{name: "a live attempt changes nothing", outcome: "", wantInvoiceSet: domain.InvoiceUnpaid},
		{name: "a paid attempt settles its invoices", outcome: domain.OutcomePaid, wantInvoices: 2, wantInvoiceSet: domain.InvoicePaid},
		{name: "a paid attempt refunds an invoice paid meanwhile", outcome: domain.OutcomePaid, paidElsewhere: true,
			wantInvoices: 2, wantRefunds: 1, wantAnomaly: true, wantInvoiceSet: domain.InvoicePaid},
		{name: "a refused attempt releases its invoices", outcome: domain.OutcomeRefused, wantInvoices: 2, wantInvoiceSet: domain.InvoiceUnpaid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pay, invs, _ := newPayment(t)
			if tc.outcome != "" {
				_, err := pay.Apply(report(tc.outcome), later)
				require.NoError(t, err)
			}
			if tc.paidElsewhere {
				_, err := invs[1].Settle(uuid.New(), now, now)
				require.NoError(t, err)
			}
			c := domain.SettleOrRelease(&pay, invs, later)
			assert.Len(t, c.Invoices, tc.wantInvoices)
			assert.Len(t, c.Refunds, tc.wantRefunds)
			assert.Equal(t, tc.wantAnomaly, c.Anomaly)
			assert.Equal(t, tc.wantAnomaly, pay.Anomaly != "", "the anomaly is on the attempt")
			for _, inv := range c.Invoices {
				assert.Equal(t, tc.wantInvoiceSet, inv.State, inv.Number)
				assert.False(t, inv.Locked(later), "the attempt no longer holds %s", inv.Number)
			}
		})
	}
}

func TestRejectIsIdempotent(t *testing.T) {
	for _, tc := range []struct {
		name        string
		setup       func(*domain.Payment)
		wantChanged bool
		wantCode    domain.Code
	}{
		{"an unconfirmed payment is rejected", func(*domain.Payment) {}, true, ""},
		{"a rejected payment is left as it is", func(p *domain.Payment) { reject(t, p, now) }, false, ""},
		{"a confirmed payment cannot be rejected", func(p *domain.Payment) { _, _ = p.Confirm(now) }, false, domain.Conflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pay, _ := unconfirmedPaid(t)
			tc.setup(&pay)
			before := pay
			changed, err := pay.Reject(now.Add(time.Hour))
			assert.Equal(t, tc.wantChanged, changed)
			if tc.wantCode != "" {
				assert.Equal(t, tc.wantCode, domain.ErrorCode(err))
			} else {
				require.NoError(t, err)
			}
			if !changed {
				assert.Equal(t, before, pay, "nothing changed")
			}
		})
	}
}
