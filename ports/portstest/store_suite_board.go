package portstest

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The dashboard charts' figures (ports.BoardStore).

// refreshBoard runs RefreshBoard in a transaction, as the board job does.
func refreshBoard(t *testing.T, s ports.Store, from, now time.Time) {
	t.Helper()
	require.NoError(t, s.Atomic(t.Context(), func(tx ports.Tx) error { return tx.RefreshBoard(t.Context(), from, now) }))
}

// boardMonth finds a month's figures.
func boardMonth(t *testing.T, fig ports.BoardFigures, y int, m time.Month) ports.BoardMonth {
	t.Helper()
	for _, bm := range fig.Months {
		if bm.Month == domain.NewDate(y, m, 1) {
			return bm
		}
	}
	t.Fatalf("no month %d-%02d in the figures", y, m)
	return ports.BoardMonth{}
}

// assertMoney compares sums of money by value.
func assertMoney(t *testing.T, want string, got decimal.Decimal, what string) {
	t.Helper()
	assert.True(t, decimal.RequireFromString(want).Equal(got), "%s: want %s, got %s", what, want, got)
}

var boardTests = []storeTest{
	{"BoardFigures gives each Paris month of the window its paid invoices by channel, and the payers and active accounts at its end", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, p := savePayer(t, s) // created at Epoch: 14 March 2025
		early := NewPayer(t, b, "REF-EARLY")
		early.CreatedAt = time.Date(2024, time.January, 10, 10, 0, 0, 0, domain.Paris)
		late := NewPayer(t, b, "REF-LATE")
		late.CreatedAt = time.Date(2025, time.February, 28, 23, 30, 0, 0, time.UTC) // 1 March in Paris
		MustSavePayer(t, s, early)
		MustSavePayer(t, s, late)
		a := NewAccount(t, p)
		a.State, a.ActivatedAt = domain.AccountActive, time.Date(2024, time.June, 15, 9, 0, 0, 0, domain.Paris)
		MustSaveAccount(t, s, a)
		MustSaveAccount(t, s, NewAccount(t, early)) // pending: not counted

		paid := func(number, amount string, at time.Time, change func(*domain.Invoice)) domain.Invoice {
			inv := NewInvoice(t, p, number, amount)
			inv.State, inv.PaidAt = domain.InvoicePaid, at
			if change != nil {
				change(&inv)
			}
			return inv
		}
		declared := func(inv *domain.Invoice) { inv.DeclaredPaidAt = inv.PaidAt }
		online := NewInvoice(t, p, "W-1", "40.00")
		MustSaveInvoices(t, s, online) // before its payment, which refers to it
		pay := NewPayment(t, b, a, online)
		pay.State = domain.PaymentPaid
		MustSavePayment(t, s, pay)
		online.State, online.PaidAt, online.PaymentID = domain.InvoicePaid, time.Date(2025, time.January, 31, 22, 59, 0, 0, time.UTC), pay.ID // 23:59 in Paris
		MustSaveInvoices(t, s, online,
			paid("C-1", "10.50", time.Date(2025, time.January, 5, 12, 0, 0, 0, domain.Paris), nil),
			paid("C-2", "4.25", time.Date(2025, time.February, 28, 23, 30, 0, 0, time.UTC), nil), // 1 March in Paris
			paid("D-1", "7.00", time.Date(2025, time.January, 20, 12, 0, 0, 0, domain.Paris), declared),
			paid("Y-1", "99.00", time.Date(2024, time.January, 1, 0, 0, 0, 0, domain.Paris), nil), // the window's first instant
			paid("O-1", "1000.00", time.Date(2023, time.December, 31, 23, 59, 0, 0, domain.Paris), nil),
			paid("O-2", "1000.00", time.Date(2025, time.April, 1, 0, 0, 0, 0, domain.Paris), nil),
		)
		other := NewBiller(t)
		MustSaveBiller(t, s, other)
		stranger := NewPayer(t, other, "REF-X")
		MustSavePayer(t, s, stranger)
		inv := NewInvoice(t, stranger, "X-1", "500.00")
		inv.State, inv.PaidAt = domain.InvoicePaid, time.Date(2025, time.January, 5, 12, 0, 0, 0, domain.Paris)
		MustSaveInvoices(t, s, inv)

		from := time.Date(2024, time.January, 1, 0, 0, 0, 0, domain.Paris)
		refreshBoard(t, s, from, Epoch)
		fig, err := s.BoardFigures(ctx, b.ID, from, Epoch)
		require.NoError(t, err)
		require.Len(t, fig.Months, 15, "January 2024 to March 2025")
		assert.Equal(t, domain.NewDate(2024, time.January, 1), fig.Months[0].Month)
		assert.Equal(t, domain.NewDate(2025, time.March, 1), fig.Months[14].Month)
		if !fig.At.IsZero() {
			assert.True(t, fig.At.Equal(Epoch), "computed by the refresh at %s", fig.At)
		}

		jan := boardMonth(t, fig, 2025, time.January)
		assertMoney(t, "40.00", jan.Collected[domain.ChannelOnline], "online in January (23:59 in Paris)")
		assertMoney(t, "10.50", jan.Collected[domain.ChannelCounter], "counter in January")
		assertMoney(t, "7.00", jan.Collected[domain.ChannelDeclared], "declared in January")
		assert.Equal(t, map[domain.PaymentChannel]int{domain.ChannelOnline: 1, domain.ChannelCounter: 1, domain.ChannelDeclared: 1}, nonZero(jan.Invoices))
		mar := boardMonth(t, fig, 2025, time.March)
		assertMoney(t, "4.25", mar.Collected[domain.ChannelCounter], "00:30 on 1 March in Paris")
		assertMoney(t, "0", mar.Collected[domain.ChannelOnline], "nothing online in March")
		feb := boardMonth(t, fig, 2025, time.February)
		assertMoney(t, "0", feb.Collected[domain.ChannelCounter], "nothing in February")
		first := boardMonth(t, fig, 2024, time.January)
		assertMoney(t, "99.00", first.Collected[domain.ChannelCounter], "the window's first instant, not December's nor April's")

		assert.Equal(t, [2]int{1, 0}, [2]int{first.Payers, first.Activated}, "January 2024")
		may, jun := boardMonth(t, fig, 2024, time.May), boardMonth(t, fig, 2024, time.June)
		assert.Equal(t, [2]int{1, 0}, [2]int{may.Payers, may.Activated}, "May 2024")
		assert.Equal(t, [2]int{1, 1}, [2]int{jun.Payers, jun.Activated}, "June 2024: activated, the pending account not")
		assert.Equal(t, [2]int{1, 1}, [2]int{feb.Payers, feb.Activated}, "February 2025")
		assert.Equal(t, [2]int{3, 1}, [2]int{mar.Payers, mar.Activated}, "March 2025: the payer of 1 March in Paris, and the one of Epoch")

		fig, err = s.BoardFigures(ctx, other.ID, from, Epoch)
		require.NoError(t, err)
		assertMoney(t, "500.00", boardMonth(t, fig, 2025, time.January).Collected[domain.ChannelCounter], "the other biller's own")
	}},
	{"an account closed later counts in the months it was active, not in those after its closure", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, p := savePayer(t, s)
		a := NewAccount(t, p)
		a.State, a.ActivatedAt = domain.AccountActive, time.Date(2024, time.March, 20, 9, 0, 0, 0, domain.Paris)
		require.NoError(t, a.Close(time.Date(2024, time.September, 30, 22, 30, 0, 0, time.UTC))) // 1 October in Paris
		MustSaveAccount(t, s, a)
		// Closed and erased by the retention job: its dates stay.
		saved := func(ref string) domain.Payer {
			q := NewPayer(t, b, ref)
			MustSavePayer(t, s, q)
			return q
		}
		erased := NewAccount(t, saved("REF-ERASED"))
		erased.State, erased.ActivatedAt = domain.AccountActive, time.Date(2024, time.May, 2, 9, 0, 0, 0, domain.Paris)
		require.NoError(t, erased.Close(time.Date(2024, time.July, 10, 9, 0, 0, 0, domain.Paris)))
		erased.Anonymise(time.Date(2025, time.January, 10, 9, 0, 0, 0, domain.Paris))
		MustSaveAccount(t, s, erased)
		// Closed before its activation: never counted.
		never := NewAccount(t, saved("REF-NEVER"))
		require.NoError(t, never.Close(time.Date(2024, time.April, 1, 9, 0, 0, 0, domain.Paris)))
		MustSaveAccount(t, s, never)

		from := time.Date(2024, time.January, 1, 0, 0, 0, 0, domain.Paris)
		refreshBoard(t, s, from, Epoch)
		fig, err := s.BoardFigures(ctx, b.ID, from, Epoch)
		require.NoError(t, err)
		got := map[time.Month]int{}
		for _, m := range fig.Months {
			if m.Month.Year == 2024 {
				got[m.Month.Month] = m.Activated
			}
		}
		assert.Equal(t, map[time.Month]int{
			time.January: 0, time.February: 0, time.March: 1, time.April: 1,
			time.May: 2, time.June: 2, time.July: 1, time.August: 1, time.September: 1,
			time.October: 0, time.November: 0, time.December: 0,
		}, got, "activated in March, closed on 1 October in Paris; the erased one from May to its closure in July")
		assert.Zero(t, boardMonth(t, fig, 2025, time.March).Activated, "March 2025")
	}},
	{"BoardFigures totals the unpaid invoices by due date, declared ones included, not those in treasury, cancelled or paid", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, p := savePayer(t, s)
		due := func(number, amount string, d domain.Date, change func(*domain.Invoice)) domain.Invoice {
			inv := NewInvoice(t, p, number, amount)
			inv.IssueDate, inv.DueDate = d.AddDays(-30), d
			if change != nil {
				change(&inv)
			}
			return inv
		}
		d1, d2 := domain.NewDate(2025, time.January, 10), domain.NewDate(2025, time.March, 31)
		MustSaveInvoices(t, s,
			due("U-1", "10.00", d2, nil),
			due("U-2", "2.50", d2, func(inv *domain.Invoice) { inv.DeclaredPaidAt = Epoch }),
			due("U-3", "30.00", d1, nil),
			due("T-1", "100.00", d1, func(inv *domain.Invoice) { inv.State, inv.TreasuryAt = domain.InvoiceTreasury, Epoch }),
			due("A-1", "100.00", d1, func(inv *domain.Invoice) { inv.State = domain.InvoiceCancelled }),
			due("P-1", "100.00", d1, func(inv *domain.Invoice) { inv.State, inv.PaidAt = domain.InvoicePaid, Epoch }),
		)
		from := time.Date(2024, time.January, 1, 0, 0, 0, 0, domain.Paris)
		refreshBoard(t, s, from, Epoch)
		fig, err := s.BoardFigures(ctx, b.ID, from, Epoch)
		require.NoError(t, err)
		require.Len(t, fig.Outstanding, 2)
		assert.Equal(t, d1, fig.Outstanding[0].Due)
		assertMoney(t, "30.00", fig.Outstanding[0].Amount, "due on "+d1.String())
		assert.Equal(t, 1, fig.Outstanding[0].Invoices)
		assert.Equal(t, d2, fig.Outstanding[1].Due)
		assertMoney(t, "12.50", fig.Outstanding[1].Amount, "due on "+d2.String())
		assert.Equal(t, 2, fig.Outstanding[1].Invoices)

		fig, err = s.BoardFigures(ctx, uuid.New(), from, Epoch)
		require.NoError(t, err)
		assert.Empty(t, fig.Outstanding, "another biller's")
	}},
	{"a refresh replaces the figures with the records' new state", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, p := savePayer(t, s)
		inv := NewInvoice(t, p, "U-1", "10.00")
		MustSaveInvoices(t, s, inv)
		from := time.Date(2024, time.January, 1, 0, 0, 0, 0, domain.Paris)
		refreshBoard(t, s, from, Epoch)
		inv.State, inv.PaidAt = domain.InvoicePaid, Epoch
		MustSaveInvoices(t, s, inv)
		later := Epoch.Add(time.Hour)
		refreshBoard(t, s, from, later)
		fig, err := s.BoardFigures(ctx, b.ID, from, later)
		require.NoError(t, err)
		assert.Empty(t, fig.Outstanding, "paid since")
		assertMoney(t, "10.00", boardMonth(t, fig, 2025, time.March).Collected[domain.ChannelCounter], "paid in March")
		if !fig.At.IsZero() {
			assert.True(t, fig.At.Equal(later), "the last refresh's instant: %s", fig.At)
		}
	}},
}

// nonZero drops the zero counts, which a store may or may not list.
func nonZero(m map[domain.PaymentChannel]int) map[domain.PaymentChannel]int {
	out := map[domain.PaymentChannel]int{}
	for k, v := range m {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}
