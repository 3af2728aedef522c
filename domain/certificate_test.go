package domain_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
)

func TestCertificateLine(t *testing.T) {
	b := mustBiller(t)
	payer := mustPayer(t, b)
	at := time.Date(2025, 12, 31, 23, 50, 0, 0, domain.Paris)
	paid := func() domain.Invoice {
		inv := mustInvoice(t, b, payer, "F-1", "42.00")
		inv.State, inv.PaidAt = domain.InvoicePaid, at.Add(20*time.Minute) // recorded in 2026
		return inv
	}
	t.Run("recorded by the service: its day, « hors du portail »", func(t *testing.T) {
		l, ok := domain.CertificateLine(paid(), nil)
		require.True(t, ok)
		assert.Equal(t, domain.MeansRecorded, l.Means)
		assert.Equal(t, 2026, l.PaidAt.Year())
	})
	t.Run("paid online: the payment's instant, « en ligne »", func(t *testing.T) {
		inv := paid()
		pay := domain.Payment{ID: uuid.New(), State: domain.PaymentPaid, Confirmed: true, Saisie: domain.SaisieProduction,
			Method: domain.MethodCard, TransactionAt: at}
		inv.PaymentID = pay.ID
		l, ok := domain.CertificateLine(inv, &pay)
		require.True(t, ok)
		assert.Equal(t, domain.MeansOnline, l.Means)
		assert.Equal(t, 2025, l.PaidAt.Year(), "the payment's year, not the recording's")
		assert.True(t, dec("42").Equal(l.Amount))

		for name, change := range map[string]func(*domain.Payment){
			"a test payment":     func(p *domain.Payment) { p.Saisie = domain.SaisieTest },
			"an unconfirmed one": func(p *domain.Payment) { p.Confirmed = false },
			"another payment":    func(p *domain.Payment) { p.ID = uuid.New() },
			"a payment not paid": func(p *domain.Payment) { p.State = domain.PaymentRejected },
		} {
			p := pay
			change(&p)
			_, ok := domain.CertificateLine(inv, &p)
			assert.False(t, ok, name)
		}
		_, ok = domain.CertificateLine(inv, nil)
		assert.False(t, ok, "its payment missing")
	})
	t.Run("no line for an unpaid invoice or one awaiting confirmation", func(t *testing.T) {
		_, ok := domain.CertificateLine(mustInvoice(t, b, payer, "F-2", "1.00"), nil)
		assert.False(t, ok)
		inv := paid()
		inv.AwaitingConfirmation = true
		_, ok = domain.CertificateLine(inv, nil)
		assert.False(t, ok)
	})
}

func TestCertificateYears(t *testing.T) {
	s := domain.CertificateSettings{Offered: true, Title: "Attestation {année}", ObjectContains: "crèche"}
	line := func(y int, obj string) domain.DocumentLine {
		return domain.DocumentLine{PaidAt: time.Date(y, 6, 1, 10, 0, 0, 0, domain.Paris), Object: obj, Amount: dec("1")}
	}
	lines := []domain.DocumentLine{line(2023, "Crèche"), line(2025, "Crèche juin"), line(2024, "Cantine"),
		line(2025, "crèche"), line(now.Year(), "Crèche")}
	assert.Equal(t, []int{2025, 2023}, domain.CertificateYears(s, lines, now), "past years with a covered line, newest first")
	s.Offered = false
	assert.Empty(t, domain.CertificateYears(s, lines, now))
	from, to := domain.YearBounds(2025)
	assert.Equal(t, "2025-01-01T00:00:00+01:00", from.Format(time.RFC3339))
	assert.Equal(t, "2026-01-01T00:00:00+01:00", to.Format(time.RFC3339))
}
