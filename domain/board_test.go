package domain_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"

	"github.com/portail-factures/portail/domain"
)

func TestInvoiceChannel(t *testing.T) {
	at := time.Date(2026, time.March, 3, 10, 0, 0, 0, domain.Paris)
	for _, c := range []struct {
		name string
		inv  domain.Invoice
		want domain.PaymentChannel
		paid bool
	}{
		{"paid by a payment of the portal: online", domain.Invoice{State: domain.InvoicePaid, PaidAt: at, PaymentID: uuid.New()}, domain.ChannelOnline, true},
		{"recorded by the service: at the counter", domain.Invoice{State: domain.InvoicePaid, PaidAt: at}, domain.ChannelCounter, true},
		{"a confirmed declaration", domain.Invoice{State: domain.InvoicePaid, PaidAt: at, DeclaredPaidAt: at}, domain.ChannelDeclared, true},
		{"unpaid, even declared: no channel", domain.Invoice{State: domain.InvoiceUnpaid, DeclaredPaidAt: at}, "", false},
		{"in treasury: no channel", domain.Invoice{State: domain.InvoiceTreasury}, "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ok := c.inv.Channel()
			assert.Equal(t, c.paid, ok)
			assert.Equal(t, c.want, got)
		})
	}
	assert.Equal(t, "En ligne", domain.ChannelOnline.Label())
	assert.Equal(t, "Au guichet", domain.ChannelCounter.Label())
	assert.Equal(t, "Déclarées réglées", domain.ChannelDeclared.Label())
}

func TestAgeOf(t *testing.T) {
	today := domain.NewDate(2026, time.March, 1)
	for _, c := range []struct {
		due  domain.Date
		want domain.OverdueAge
	}{
		{today.AddDays(10), domain.NotYetDue},
		{today, domain.NotYetDue}, // due today: late from tomorrow
		{today.AddDays(-1), domain.Overdue1To30},
		{today.AddDays(-30), domain.Overdue1To30},
		{today.AddDays(-31), domain.Overdue31To60},
		{today.AddDays(-60), domain.Overdue31To60},
		{today.AddDays(-61), domain.Overdue61To90},
		{today.AddDays(-90), domain.Overdue61To90},
		{today.AddDays(-91), domain.OverdueOver90},
		{today.AddDays(-400), domain.OverdueOver90},
	} {
		assert.Equal(t, c.want, domain.AgeOf(c.due, today), "due %s", c.due)
	}
	// Across the change to summer time (29 March 2026 in Paris), a day is
	// still a day.
	assert.Equal(t, 2, domain.DaysLate(domain.NewDate(2026, time.March, 28), domain.NewDate(2026, time.March, 30)))
}

func TestMonthOf(t *testing.T) {
	// 23:30 UTC on 31 January is 00:30 on 1 February in Paris.
	assert.Equal(t, domain.NewDate(2026, time.February, 1), domain.MonthOf(time.Date(2026, time.January, 31, 23, 30, 0, 0, time.UTC)))
	assert.Equal(t, domain.NewDate(2025, time.December, 1), domain.NewDate(2026, time.January, 1).AddMonths(-1))
	assert.Equal(t, domain.NewDate(2024, time.November, 1), domain.NewDate(2026, time.November, 1).AddMonths(-24))
}
