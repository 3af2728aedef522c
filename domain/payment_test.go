package domain_test

import (
	"bytes"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
)

func TestRefdet(t *testing.T) {
	r, err := domain.NewRefdet(bytes.Repeat([]byte{0xAB}, domain.RefdetRandomBytes))
	require.NoError(t, err)
	assert.Len(t, r, 24)
	assert.NoError(t, domain.CheckRefdet(r))
	for _, bad := range []string{"ABCD", "ABC-123456", "ÉCOLE12345", "A234567890123456789012345678901", "facture 2017"} {
		assert.Error(t, domain.CheckRefdet(bad), bad)
	}
	assert.NoError(t, domain.CheckRefdet("ABC123"), "6 characters is the practical minimum")
	_, err = domain.NewRefdet([]byte{1})
	assert.Error(t, err)
}

func TestCheckSelection(t *testing.T) {
	b := mustBiller(t)
	p := mustPayer(t, b)
	other := mustPayer(t, b)
	other.ID = uuid.New()
	i1 := mustInvoice(t, b, p, "2026-001", "0.10")
	i2 := mustInvoice(t, b, p, "2026-002", "0.20")
	i3 := mustInvoice(t, b, p, "2026-003", "243.11")
	foreign := mustInvoice(t, b, other, "2026-004", "5.00")
	single := b
	single.MultiplePayments = false

	total, err := domain.CheckSelection(b, p, []domain.Invoice{i1, i2, i3}, now)
	require.NoError(t, err)
	assert.True(t, dec("243.41").Equal(total))

	tests := []struct {
		name string
		b    domain.Biller
		invs []domain.Invoice
		code domain.Code
		msg  string
	}{
		{"nothing selected", b, nil, domain.Invalid, "au moins une facture"},
		{"several when the biller allows only one", single, []domain.Invoice{i1, i3}, domain.Invalid, "qu'une facture à la fois"},
		{"another payer's invoice is not found", b, []domain.Invoice{i3, foreign}, domain.NotFound, ""},
		{"the same invoice twice", b, []domain.Invoice{i3, i3}, domain.Invalid, "deux fois"},
		{"below the minimum of 1 €", b, []domain.Invoice{i1, i2}, domain.Invalid, "minimum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := domain.CheckSelection(tt.b, p, tt.invs, now)
			assert.Equal(t, tt.code, domain.ErrorCode(err))
			assert.Contains(t, domain.ErrorMessage(err), tt.msg)
		})
	}
	_, err = domain.CheckSelection(single, p, []domain.Invoice{i3}, now)
	assert.NoError(t, err, "one invoice is always allowed")

	big := b
	big.MaxAmount = dec("243.20")
	_, err = domain.CheckSelection(big, p, []domain.Invoice{i1, i2, i3}, now)
	assert.Contains(t, domain.ErrorMessage(err), "maximum")
}

func TestExactTotalOfAThousandCents(t *testing.T) {
	b := mustBiller(t)
	b.MinAmount = dec("0.01")
	p := mustPayer(t, b)
	invs := make([]domain.Invoice, 100)
	for i := range invs {
		invs[i] = mustInvoice(t, b, p, "N"+uuid.NewString(), "0.01")
	}
	total, err := domain.CheckSelection(b, p, invs, now)
	require.NoError(t, err)
	assert.True(t, dec("1.00").Equal(total))
	assert.Equal(t, "1.00", total.StringFixed(2))
}

func newPayment(t *testing.T) (domain.Payment, []domain.Invoice, domain.Biller) {
	t.Helper()
	b := mustBiller(t)
	p := mustPayer(t, b)
	invs := []domain.Invoice{mustInvoice(t, b, p, "2026-001", "100.00"), mustInvoice(t, b, p, "2026-002", "143.11")}
	pay, err := domain.NewPayment(uuid.New(), "ABCDEF123456", b, p, activeAccount(p), invs, now)
	require.NoError(t, err)
	return pay, invs, b
}

func TestNewPaymentLocksItsInvoices(t *testing.T) {
	pay, invs, b := newPayment(t)
	assert.Equal(t, domain.PaymentCreated, pay.State)
	assert.True(t, dec("243.11").Equal(pay.Total))
	assert.Equal(t, []string{"2026-001", "2026-002"}, pay.InvoiceNumbers)
	assert.Equal(t, "004200", pay.Numcli)
	assert.Equal(t, 2026, pay.Year)
	assert.Equal(t, "Factures 2026-001 2026-002", pay.Object)
	for _, inv := range invs {
		assert.Equal(t, pay.ID, inv.LockedBy)
		assert.True(t, now.Add(b.LockDuration).Equal(inv.LockedUntil))
		assert.Equal(t, domain.Conflict, domain.ErrorCode(inv.Payable(b, now.Add(time.Minute))), "a locked invoice cannot start another attempt")
	}
	p := mustPayer(t, b)
	stranger := activeAccount(mustPayer(t, b))
	_, err := domain.NewPayment(uuid.New(), "ABCDEF123457", b, p, stranger, []domain.Invoice{mustInvoice(t, b, p, "X", "5")}, now)
	assert.Equal(t, domain.NotFound, domain.ErrorCode(err), "an account pays only its own payer's invoices")
	_, err = domain.NewPayment(uuid.New(), "AB", b, p, activeAccount(p), []domain.Invoice{mustInvoice(t, b, p, "X", "5")}, now)
	assert.Error(t, err)
}

func report(o domain.Outcome) domain.Report {
	return domain.Report{Outcome: o, Confirmed: true, Refdet: "ABCDEF123456", Amount: dec("243.11"), Numcli: "004200"}
}

// testReport is the DGFiP's answer for an operation of the test
// environment: it echoes saisie T.
func testReport(o domain.Outcome) domain.Report { return withSaisie(report(o), domain.SaisieTest) }

func withSaisie(r domain.Report, s domain.Saisie) domain.Report {
	r.Saisie = s
	return r
}

// TestApplyTransitions walks the attempt's state machine (docs/payfip.md
// §3.11): each row starts from a state, applies one report at an instant
// after creation, and checks the state and whether it changed.
func TestApplyTransitions(t *testing.T) {
	paid := report(domain.OutcomePaid)
	tests := []struct {
		name    string
		from    domain.PaymentState
		abandon bool // an abandon was already reported
		r       domain.Report
		after   time.Duration
		want    domain.PaymentState
		changed bool
	}{
		{"paid settles", domain.PaymentInProgress, false, paid, time.Minute, domain.PaymentPaid, true},
		{"paid twice changes nothing", domain.PaymentPaid, false, paid, time.Minute, domain.PaymentPaid, false},
		{"paid after expired still settles: the money was received", domain.PaymentExpired, false, paid, 3 * time.Hour, domain.PaymentPaid, true},
		{"paid after abandoned still settles", domain.PaymentAbandoned, false, paid, time.Hour, domain.PaymentPaid, true},
		{"refused", domain.PaymentInProgress, false, report(domain.OutcomeRefused), time.Minute, domain.PaymentRefused, true},
		{"refused after paid changes nothing", domain.PaymentPaid, false, report(domain.OutcomeRefused), time.Minute, domain.PaymentPaid, false},
		{"refused twice changes nothing", domain.PaymentRefused, false, report(domain.OutcomeRefused), time.Minute, domain.PaymentRefused, false},
		{"abandon within the window keeps the attempt live", domain.PaymentInProgress, false, report(domain.OutcomeAbandoned), 5 * time.Minute, domain.PaymentInProgress, true},
		{"abandon reported again within the window changes nothing", domain.PaymentInProgress, true, report(domain.OutcomeAbandoned), 6 * time.Minute, domain.PaymentInProgress, false},
		{"abandon after the window is final", domain.PaymentInProgress, true, report(domain.OutcomeAbandoned), domain.OperationWindow, domain.PaymentAbandoned, true},
		{"pending within the window changes nothing", domain.PaymentInProgress, false, report(domain.OutcomePending), 19 * time.Minute, domain.PaymentInProgress, false},
		{"pending after 20 minutes expires", domain.PaymentInProgress, false, report(domain.OutcomePending), 20 * time.Minute, domain.PaymentExpired, true},
		{"pending after an abandon ends as abandoned", domain.PaymentInProgress, true, report(domain.OutcomePending), 21 * time.Minute, domain.PaymentAbandoned, true},
		{"unknown operation (P1) in the first minutes is not received yet", domain.PaymentInProgress, false, report(domain.OutcomeUnknown), time.Minute, domain.PaymentInProgress, false},
		{"unknown operation (P1) after the window expires", domain.PaymentInProgress, false, report(domain.OutcomeUnknown), domain.OperationWindow, domain.PaymentExpired, true},
		{"paid two hours after an abandon still settles", domain.PaymentAbandoned, true, paid, 2 * time.Hour, domain.PaymentPaid, true},
		{"paid the next night after an expiry still settles", domain.PaymentExpired, false, paid, 16 * time.Hour, domain.PaymentPaid, true},
		{"paid after refused still settles: the money was received", domain.PaymentRefused, false, paid, time.Hour, domain.PaymentPaid, true},
		{"a test result (echoed T) ends as a test payment", domain.PaymentInProgress, false, testReport(domain.OutcomePaid), time.Minute, domain.PaymentTest, true},
		{"a refusal in T is a test payment too", domain.PaymentInProgress, false, testReport(domain.OutcomeRefused), time.Minute, domain.PaymentTest, true},
		{"an abandon in T is a test payment too", domain.PaymentInProgress, false, testReport(domain.OutcomeAbandoned), time.Minute, domain.PaymentTest, true},
		{"a late test paid after expiry is a test payment", domain.PaymentExpired, false, testReport(domain.OutcomePaid), time.Hour, domain.PaymentTest, true},
		{"a test payment is final", domain.PaymentTest, false, paid, time.Hour, domain.PaymentTest, false},
		{"a pending answer in T changes nothing early", domain.PaymentInProgress, false, testReport(domain.OutcomePending), time.Minute, domain.PaymentInProgress, false},
		{"an echoed W result settles", domain.PaymentInProgress, false, withSaisie(paid, domain.SaisieProduction), time.Minute, domain.PaymentPaid, true},
		{"unknown after paid changes nothing", domain.PaymentPaid, false, report(domain.OutcomeUnknown), time.Minute, domain.PaymentPaid, false},
		{"pending after expired changes nothing", domain.PaymentExpired, false, report(domain.OutcomePending), time.Hour, domain.PaymentExpired, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pay, _, _ := newPayment(t)
			require.NoError(t, pay.Begin("op-1", now))
			pay.State = tt.from
			pay.Confirmed = tt.from == domain.PaymentPaid
			if tt.abandon {
				pay.AbandonReportedAt = now.Add(time.Minute)
			}
			changed, err := pay.Apply(tt.r, now.Add(tt.after))
			require.NoError(t, err)
			assert.Equal(t, tt.want, pay.State)
			assert.Equal(t, tt.changed, changed)
		})
	}
}

func TestApplyRefusesAMismatchedReport(t *testing.T) {
	for name, change := range map[string]func(*domain.Report){
		"amount": func(r *domain.Report) { r.Amount = dec("1.00") },
		"refdet": func(r *domain.Report) { r.Refdet = "OTHER123456" },
		"numcli": func(r *domain.Report) { r.Numcli = "999999" },
	} {
		t.Run(name, func(t *testing.T) {
			pay, _, _ := newPayment(t)
			r := report(domain.OutcomePaid)
			change(&r)
			changed, err := pay.Apply(r, now)
			assert.Equal(t, domain.Conflict, domain.ErrorCode(err))
			assert.False(t, changed)
			assert.Equal(t, domain.PaymentCreated, pay.State, "a forged result changes nothing")
		})
	}
	pay, _, _ := newPayment(t)
	_, err := pay.Apply(domain.Report{Outcome: "maybe"}, now)
	assert.Error(t, err)
}

func TestUnconfirmedPaidThenConfirmed(t *testing.T) {
	pay, _, _ := newPayment(t)
	r := report(domain.OutcomePaid)
	r.Confirmed = false
	changed, err := pay.Apply(r, now)
	require.NoError(t, err)
	assert.True(t, changed)
	assert.False(t, pay.Confirmed)
	changed, err = pay.Apply(report(domain.OutcomePaid), now)
	require.NoError(t, err)
	assert.True(t, changed, "a confirmation arrives")
	assert.True(t, pay.Confirmed)
}

func TestSettleAndReleaseInvoices(t *testing.T) {
	pay, invs, b := newPayment(t)
	r := report(domain.OutcomePaid)
	r.TransactionAt = now.Add(2 * time.Minute)
	_, err := pay.Apply(r, now.Add(3*time.Minute))
	require.NoError(t, err)
	// The second invoice was settled meanwhile by another payment.
	_, err = invs[1].Settle(uuid.New(), now, now)
	require.NoError(t, err)
	refunds := domain.DoublePayments(pay, invs, now.Add(3*time.Minute))
	changed := domain.SettleInvoices(&pay, invs, now.Add(3*time.Minute))
	require.Len(t, changed, 2, "one settled, one released")
	assert.Equal(t, domain.InvoicePaid, changed[0].State)
	assert.True(t, r.TransactionAt.Equal(changed[0].PaidAt), "paid at the DGFiP's transaction time")
	assert.NotEqual(t, pay.ID, changed[1].PaymentID, "the invoice paid meanwhile stays paid by the other payment")
	assert.False(t, changed[1].Locked(now), "but the attempt no longer holds it")
	assert.Contains(t, pay.Anomaly, "2026-002", "the double payment is noted for the service")
	require.Len(t, refunds, 1, "the second invoice's share is to refund")
	assert.Equal(t, invs[1].ID, refunds[0].InvoiceID)

	refused, invs2, _ := newPayment(t)
	_, err = refused.Apply(report(domain.OutcomeRefused), now)
	require.NoError(t, err)
	released := domain.ReleaseInvoices(refused, invs2, now)
	require.Len(t, released, 2)
	for _, inv := range released {
		assert.NoError(t, inv.Payable(b, now), "a refused attempt frees its invoices at once")
	}
}

func TestBeginFailExpire(t *testing.T) {
	pay, _, _ := newPayment(t)
	require.NoError(t, pay.Begin("op-1", now))
	assert.Error(t, pay.Begin("op-2", now), "an attempt begins once")
	assert.False(t, pay.Fail("T1", now), "a begun attempt does not fail to create")
	assert.False(t, pay.Expire(now.Add(time.Minute)), "too early")
	assert.True(t, pay.Expire(now.Add(domain.OperationWindow)))
	assert.Equal(t, domain.PaymentExpired, pay.State)

	p2, _, _ := newPayment(t)
	assert.True(t, p2.Fail("T1", now))
	assert.Equal(t, domain.PaymentFailed, p2.State)
	assert.True(t, p2.State.Final())
}

func TestPaymentObjectCutsOnCharacters(t *testing.T) {
	numbers := []string{}
	for i := 0; i < 30; i++ {
		numbers = append(numbers, "N°é")
	}
	s := domain.PaymentObject(domain.Biller{}, numbers)
	assert.True(t, utf8.ValidString(s))
	assert.Equal(t, 100, utf8.RuneCountInString(s))
}

func TestPaymentLockExpired(t *testing.T) {
	pay, _, _ := newPayment(t)
	lock := 2 * time.Hour
	assert.False(t, pay.LockExpired(pay.CreatedAt, lock))
	assert.False(t, pay.LockExpired(pay.CreatedAt.Add(lock-time.Nanosecond), lock), "still locked a moment before the end")
	assert.True(t, pay.LockExpired(pay.CreatedAt.Add(lock), lock), "over at the end of the lock")
	assert.True(t, pay.LockExpired(pay.CreatedAt.Add(3*lock), lock))
}
