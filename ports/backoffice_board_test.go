package ports_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

// The dashboard's charts (issue 16, part 5) on known invoices, on
// 14 March 2025 (portstest.Epoch): the 13 months shown run from March
// 2024 to March 2025, compared with March 2023 to March 2024.
func TestStaffCharts(t *testing.T) {
	e := newEnv(t)
	paid := func(number, amount string, at time.Time, change func(*domain.Invoice)) domain.Invoice {
		inv := portstest.NewInvoice(t, e.house.Payer, number, amount)
		inv.State, inv.PaidAt = domain.InvoicePaid, at
		if change != nil {
			change(&inv)
		}
		return inv
	}
	online := func(inv *domain.Invoice) { inv.PaymentID = uuid.New() }
	declared := func(inv *domain.Invoice) { inv.DeclaredPaidAt = inv.PaidAt }
	jan25 := time.Date(2025, time.January, 15, 10, 0, 0, 0, domain.Paris)
	jan24 := time.Date(2024, time.January, 15, 10, 0, 0, 0, domain.Paris)
	late := e.house.Invoices[0]
	late.DueDate = domain.Today(portstest.Epoch).AddDays(-45)
	late.IssueDate = late.DueDate.AddDays(-30)
	portstest.MustSaveInvoices(t, e.store, late,
		paid("P-1", "40.00", jan25, online),
		paid("P-2", "9.99", jan25.Add(time.Hour), online),
		paid("P-3", "10.50", jan25, nil),
		paid("P-4", "7.25", jan25, declared),
		paid("P-5", "100.00", jan24, nil),                                                  // only as the year before January 2025: before the first month shown
		paid("P-6", "5.00", time.Date(2024, time.March, 1, 0, 0, 0, 0, domain.Paris), nil), // the first month shown
	)

	charts, err := e.portal.BackOffice().StaffCharts(e.ctx, e.reader())
	require.NoError(t, err)
	assert.True(t, charts.At.IsZero(), "the memory store computes the figures for the page")
	assert.Equal(t, domain.NewDate(2025, time.March, 14), charts.Today)
	require.Len(t, charts.Collected, ports.ChartMonths)
	assert.Equal(t, domain.NewDate(2024, time.March, 1), charts.Collected[0].Month)
	assert.Equal(t, domain.NewDate(2025, time.March, 1), charts.Collected[12].Month)
	money := func(want string, got decimal.Decimal, what string) {
		t.Helper()
		assert.True(t, decimal.RequireFromString(want).Equal(got), "%s: want %s, got %s", what, want, got)
	}
	jan := charts.Collected[10]
	require.Equal(t, domain.NewDate(2025, time.January, 1), jan.Month)
	money("49.99", jan.ByChannel[domain.ChannelOnline], "online")
	money("10.50", jan.ByChannel[domain.ChannelCounter], "counter")
	money("7.25", jan.ByChannel[domain.ChannelDeclared], "declared")
	money("67.74", jan.Total, "total")
	money("100.00", jan.YearBefore, "January 2024")
	money("5.00", charts.Collected[0].Total, "March 2024")
	money("0", charts.Collected[0].YearBefore, "March 2023")
	money("5.00", charts.Collected[12].YearBefore, "March 2024, a year before March 2025")

	require.Len(t, charts.Outstanding, 5)
	want := map[domain.OverdueAge]struct {
		amount string
		n      int
	}{
		domain.NotYetDue:     {"62.05", 3}, // 10.02 + 10.03 + the newcomer's 42.00
		domain.Overdue31To60: {"10.01", 1},
		domain.Overdue1To30:  {"0", 0}, domain.Overdue61To90: {"0", 0}, domain.OverdueOver90: {"0", 0},
	}
	for i, o := range charts.Outstanding {
		assert.Equal(t, domain.OverdueAges[i], o.Age)
		money(want[o.Age].amount, o.Amount, o.Age.Label())
		assert.Equal(t, want[o.Age].n, o.Invoices, o.Age.Label())
	}

	require.Len(t, charts.TakeUp, ports.ChartMonths)
	march := charts.TakeUp[12]
	assert.Equal(t, [2]int{1, 2}, [2]int{march.Activated, march.Payers}, "REF001 active, REF002 not, both created in March 2025")
	money("50.0", march.ActivatedShare, "activated ÷ payers")
	assert.False(t, march.HasPaid, "nothing paid in March 2025")
	january := charts.TakeUp[10]
	assert.Equal(t, [2]int{4, 2}, [2]int{january.PaidInvoices, january.PaidOnline})
	assert.True(t, january.HasPaid)
	money("50.0", january.OnlineShare, "2 of 4 online")
	assert.Equal(t, 0, january.Payers, "no payer yet in January 2025")
	money("0", january.ActivatedShare, "no payer: no share")

	other, err := e.portal.BackOffice().StaffCharts(e.ctx, e.otherBiller(t))
	require.NoError(t, err)
	money("0", other.Collected[10].Total, "another biller sees its own figures only")
	assert.Zero(t, other.Outstanding[domain.NotYetDue].Invoices)

	n, err := e.portal.Jobs().RefreshBoard(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "the board job changes no record")
}

func TestPercentRoundsToATenth(t *testing.T) {
	e := newEnv(t)
	// One payer in three with an account: 33.3 %.
	for _, ref := range []string{"REF003"} {
		portstest.MustSavePayer(t, e.store, portstest.NewPayer(t, e.house.Biller, ref))
	}
	charts, err := e.portal.BackOffice().StaffCharts(e.ctx, e.manager())
	require.NoError(t, err)
	assert.Equal(t, "33.3", charts.TakeUp[12].ActivatedShare.String())
}
