package portstest

import (
	"bytes"
	"cmp"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The back office's searches (ports.BackOfficeQueries): each returns one
// page of one biller's records in a fixed order, and how many match.
// Every test also saves a record of another biller that no search of the
// first may return.

// pageCase is one search and the ids it must return, in order; total is
// len(want) unless set.
type pageCase struct {
	name  string
	want  []uuid.UUID
	total int
}

func checkPage(t *testing.T, c pageCase, got []uuid.UUID, total int, err error) {
	t.Helper()
	require.NoError(t, err, c.name)
	if c.want == nil {
		c.want = []uuid.UUID{}
	}
	if c.total == 0 {
		c.total = len(c.want)
	}
	assert.Equal(t, c.want, got, c.name)
	assert.Equal(t, c.total, total, "%s: count", c.name)
}

// newestFirst returns the ids of records by time descending, then id
// descending (byte order), the order of the back office's logs.
func newestFirst[T any](records []T, key func(T) (time.Time, uuid.UUID)) []uuid.UUID {
	sorted := slices.Clone(records)
	slices.SortFunc(sorted, func(a, b T) int {
		ta, ia := key(a)
		tb, ib := key(b)
		return cmp.Or(tb.Compare(ta), bytes.Compare(ib[:], ia[:]))
	})
	out := make([]uuid.UUID, len(sorted))
	for i, r := range sorted {
		_, out[i] = key(r)
	}
	return out
}

func paymentKey(p domain.Payment) (time.Time, uuid.UUID) { return p.CreatedAt, p.ID }

// twoPayers saves payers and accounts REF-A and REF-B of biller a, and
// REF-A of biller b.
func twoPayers(t *testing.T, tx ports.Tx) (a, b domain.Biller, accounts [2]domain.Account, theirs domain.Account) {
	t.Helper()
	a, b = twoBillers(t, tx)
	for i, ref := range []string{"REF-A", "REF-B"} {
		p := NewPayer(t, a, ref)
		MustSavePayer(t, tx, p)
		accounts[i] = NewAccount(t, p)
		MustSaveAccount(t, tx, accounts[i])
	}
	p := NewPayer(t, b, "REF-A")
	MustSavePayer(t, tx, p)
	theirs = NewAccount(t, p)
	MustSaveAccount(t, tx, theirs)
	return a, b, accounts, theirs
}

var paymentSearchTests = []storeTest{
	{"Payments returns the biller's payments newest first then by id, filtered and one page at a time", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		a, b, acc, theirs := twoPayers(t, s)
		pay := func(bl domain.Biller, ac domain.Account, d time.Duration, state domain.PaymentState, confirmed bool, anomaly string) domain.Payment {
			p := NewPayment(t, bl, ac)
			p.CreatedAt, p.State, p.Confirmed, p.Anomaly = at(d), state, confirmed, anomaly
			MustSavePayment(t, s, p)
			return p
		}
		created := pay(a, acc[0], 0, domain.PaymentCreated, false, "")
		unconfirmed := pay(a, acc[0], time.Hour, domain.PaymentPaid, false, "")
		confirmed := pay(a, acc[1], time.Hour, domain.PaymentPaid, true, "")
		refused := pay(a, acc[1], 2*time.Hour, domain.PaymentRefused, false, "Montant différent")
		both := pay(a, acc[1], 3*time.Hour, domain.PaymentPaid, false, "Facture déjà réglée")
		other := pay(b, theirs, time.Hour, domain.PaymentPaid, false, "Facture déjà réglée")
		ids := func(ps ...domain.Payment) []uuid.UUID { return newestFirst(ps, paymentKey) }
		all := ids(created, unconfirmed, confirmed, refused, both)

		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			got, _, err := tx.Payments(ctx, ports.PaymentQuery{BillerID: a.ID, Refdet: both.Refdet})
			require.NoError(t, err)
			require.Len(t, got, 1)
			AssertSame(t, both, got[0], "a listed payment has every field")
			for _, c := range []struct {
				q ports.PaymentQuery
				c pageCase
			}{
				{ports.PaymentQuery{}, pageCase{"all", all, 0}},
				{ports.PaymentQuery{Offset: 1, Limit: 2}, pageCase{"a page", all[1:3], 5}},
				{ports.PaymentQuery{Offset: 7, Limit: 2}, pageCase{"past the end", nil, 5}},
				{ports.PaymentQuery{Limit: 2, CountUpTo: 3}, pageCase{"a count up to 3", all[:2], 3}},
				{ports.PaymentQuery{PayerID: acc[0].PayerID, CountUpTo: 3}, pageCase{"fewer than the count's bound", ids(created, unconfirmed), 0}},
				{ports.PaymentQuery{From: at(time.Hour), Until: at(3 * time.Hour)}, pageCase{"From <= CreatedAt < Until", ids(unconfirmed, confirmed, refused), 0}},
				{ports.PaymentQuery{States: []domain.PaymentState{domain.PaymentPaid}}, pageCase{"one state", ids(unconfirmed, confirmed, both), 0}},
				{ports.PaymentQuery{States: []domain.PaymentState{domain.PaymentCreated, domain.PaymentRefused}}, pageCase{"several states", ids(created, refused), 0}},
				{ports.PaymentQuery{PayerID: acc[0].PayerID}, pageCase{"by payer", ids(created, unconfirmed), 0}},
				{ports.PaymentQuery{Refdet: refused.Refdet}, pageCase{"by refdet", ids(refused), 0}},
				{ports.PaymentQuery{Refdet: other.Refdet}, pageCase{"the refdet of another biller's payment", nil, 0}},
				{ports.PaymentQuery{Unconfirmed: true}, pageCase{"paid and not confirmed", ids(unconfirmed, both), 0}},
				{ports.PaymentQuery{Anomaly: true}, pageCase{"with an anomaly", ids(refused, both), 0}},
				{ports.PaymentQuery{Confirmed: true}, pageCase{"confirmed", ids(confirmed), 0}},
				{ports.PaymentQuery{States: []domain.PaymentState{domain.PaymentPaid}, Confirmed: true, From: at(time.Hour)}, pageCase{"paid and confirmed", ids(confirmed), 0}},
				{ports.PaymentQuery{Unconfirmed: true, Anomaly: true, Limit: 1}, pageCase{"criteria combine", ids(both), 0}},
			} {
				c.q.BillerID = a.ID
				list, total, err := tx.Payments(ctx, c.q)
				checkPage(t, c.c, paymentIDs(list), total, err)
			}
			list, total, err := tx.Payments(ctx, ports.PaymentQuery{BillerID: b.ID})
			checkPage(t, pageCase{"the other biller's", ids(other), 0}, paymentIDs(list), total, err)
		})
	}},
}

var invoiceSearchTests = []storeTest{
	{"SearchInvoices returns the biller's invoices newest issue date first then by number, filtered and one page at a time", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		a, b, acc, theirs := twoPayers(t, s)
		p0, p1 := domain.Payer{ID: acc[0].PayerID, BillerID: a.ID}, domain.Payer{ID: acc[1].PayerID, BillerID: a.ID}
		day := domain.Today(Epoch)
		inv := func(p domain.Payer, number string, daysAgo int, state domain.InvoiceState, declared bool) domain.Invoice {
			i := NewInvoice(t, p, number, "10.00")
			i.IssueDate, i.State = day.AddDays(-daysAgo), state
			switch state {
			case domain.InvoicePaid:
				i.PaidAt = at(time.Hour)
			case domain.InvoiceTreasury:
				i.TreasuryAt = at(time.Hour)
			}
			if declared {
				i.DeclaredPaidAt = at(2 * time.Hour)
			}
			MustSaveInvoices(t, s, i)
			return i
		}
		unpaid := inv(p0, "2024-0001", 3, domain.InvoiceUnpaid, false)
		paid := inv(p0, "2024-0002", 1, domain.InvoicePaid, false)
		declared := inv(p0, "2024-0010", 1, domain.InvoiceUnpaid, true)
		treasury := inv(p0, "2024-0003", 2, domain.InvoiceTreasury, false)
		cancelled := inv(p1, "2024-0004", 2, domain.InvoiceCancelled, false)
		paidDeclared := inv(p0, "2024-0005", 5, domain.InvoicePaid, true)
		theirsDeclared := inv(domain.Payer{ID: theirs.PayerID, BillerID: b.ID}, "2024-0001", 1, domain.InvoiceUnpaid, true)
		all := invoiceIDs([]domain.Invoice{declared, paid, cancelled, treasury, unpaid, paidDeclared})

		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			got, err := tx.Invoice(ctx, cancelled.ID)
			require.NoError(t, err)
			AssertSame(t, cancelled, got, "a cancelled invoice")
			_, n, err := tx.ListInvoices(ctx, ports.InvoiceQuery{PayerID: p1.ID, Tab: domain.TabUnpaid})
			require.NoError(t, err)
			assert.Zero(t, n, "a cancelled invoice is in none of the citizen's tabs")

			for _, c := range []struct {
				q ports.InvoiceSearch
				c pageCase
			}{
				{ports.InvoiceSearch{}, pageCase{"all", all, 0}},
				{ports.InvoiceSearch{Offset: 2, Limit: 2}, pageCase{"a page", all[2:4], 6}},
				{ports.InvoiceSearch{Offset: 6, Limit: 2}, pageCase{"past the end", nil, 6}},
				{ports.InvoiceSearch{PayerID: p1.ID}, pageCase{"by payer", invoiceIDs([]domain.Invoice{cancelled}), 0}},
				{ports.InvoiceSearch{PayerID: theirs.PayerID}, pageCase{"another biller's payer", nil, 0}},
				{ports.InvoiceSearch{Number: "2024-0001"}, pageCase{"by number", invoiceIDs([]domain.Invoice{unpaid}), 0}},
				{ports.InvoiceSearch{Number: "2024-000"}, pageCase{"a number matches exactly", nil, 0}},
				{ports.InvoiceSearch{States: []domain.InvoiceState{domain.InvoiceCancelled}}, pageCase{"cancelled", invoiceIDs([]domain.Invoice{cancelled}), 0}},
				{ports.InvoiceSearch{States: []domain.InvoiceState{domain.InvoiceUnpaid, domain.InvoiceTreasury}}, pageCase{"several states", invoiceIDs([]domain.Invoice{declared, treasury, unpaid}), 0}},
				{ports.InvoiceSearch{Declared: true}, pageCase{"declared paid, not paid", invoiceIDs([]domain.Invoice{declared}), 0}},
				{ports.InvoiceSearch{Declared: true, PayerID: p1.ID}, pageCase{"criteria combine", nil, 0}},
				{ports.InvoiceSearch{Limit: 2, CountUpTo: 4}, pageCase{"a count up to 4", all[:2], 4}},
				{ports.InvoiceSearch{Offset: 4, CountUpTo: 3}, pageCase{"a page past the count's bound", all[4:], 3}},
				{ports.InvoiceSearch{States: []domain.InvoiceState{domain.InvoicePaid}, CountUpTo: 3}, pageCase{"fewer than the bound", invoiceIDs([]domain.Invoice{paid, paidDeclared}), 0}},
			} {
				c.q.BillerID = a.ID
				list, total, err := tx.SearchInvoices(ctx, c.q)
				checkPage(t, c.c, invoiceIDs(list), total, err)
			}
			list, total, err := tx.SearchInvoices(ctx, ports.InvoiceSearch{BillerID: b.ID, Declared: true})
			checkPage(t, pageCase{"the other biller's", invoiceIDs([]domain.Invoice{theirsDeclared}), 0}, invoiceIDs(list), total, err)
		})
	}},
}

var payerSearchTests = []storeTest{
	{"SearchPayers finds a reference or an address exactly, or the start of a name, by name then reference", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		a, b := twoBillers(t, s)
		payer := func(bl domain.Biller, ref, name, email string) domain.Payer {
			p := NewPayer(t, bl, ref)
			p.Name, p.Email = name, email
			MustSavePayer(t, s, p)
			return p
		}
		jean := payer(a, "D-001", "Dupont Jean", "jean.dupont@exemple.fr")
		marie := payer(a, "D-002", "dupont marie", "")
		paul := payer(a, "DUP", "Durand Paul", "paul@exemple.fr")
		martin := payer(a, "M-001", "Martin Dupont", "mdupont@exemple.fr")
		theirs := payer(b, "D-001", "Dupont Jean", "jean.dupont@exemple.fr")
		ids := func(ps ...domain.Payer) []uuid.UUID {
			out := make([]uuid.UUID, len(ps))
			for i, p := range ps {
				out[i] = p.ID
			}
			return out
		}
		// By name in byte order: upper case before lower case.
		all := ids(jean, paul, martin, marie)

		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			got, _, err := tx.SearchPayers(ctx, ports.PayerSearch{BillerID: a.ID, Text: "D-001"})
			require.NoError(t, err)
			require.Len(t, got, 1)
			AssertSame(t, jean, got[0], "a found payer has every field")
			for _, c := range []struct {
				q ports.PayerSearch
				c pageCase
			}{
				{ports.PayerSearch{}, pageCase{"no text: all", all, 0}},
				{ports.PayerSearch{Offset: 1, Limit: 2}, pageCase{"a page", all[1:3], 4}},
				{ports.PayerSearch{Offset: 4}, pageCase{"past the end", nil, 4}},
				{ports.PayerSearch{Text: "dup"}, pageCase{"the start of a name, whatever its case", ids(jean, marie), 0}},
				{ports.PayerSearch{Text: "DUP"}, pageCase{"a reference, or the start of a name", ids(jean, paul, marie), 0}},
				{ports.PayerSearch{Text: "D-00"}, pageCase{"a reference matches exactly", nil, 0}},
				{ports.PayerSearch{Text: "  Jean.Dupont@Exemple.FR "}, pageCase{"an address, whatever its case", ids(jean), 0}},
				{ports.PayerSearch{Text: "exemple.fr"}, pageCase{"an address matches exactly", nil, 0}},
				{ports.PayerSearch{Text: "dupont_"}, pageCase{"wildcards are plain characters", nil, 0}},
				{ports.PayerSearch{Text: "dupont%"}, pageCase{"wildcards are plain characters", nil, 0}},
				{ports.PayerSearch{Text: "martin d"}, pageCase{"a name's start with a space", ids(martin), 0}},
			} {
				c.q.BillerID = a.ID
				list, total, err := tx.SearchPayers(ctx, c.q)
				checkPage(t, c.c, payerIDs(list), total, err)
			}
			list, total, err := tx.SearchPayers(ctx, ports.PayerSearch{BillerID: b.ID})
			checkPage(t, pageCase{"the other biller's", ids(theirs), 0}, payerIDs(list), total, err)
		})
	}},
}

func payerIDs(ps []domain.Payer) []uuid.UUID {
	out := make([]uuid.UUID, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

var messageSearchTests = []storeTest{
	{"Message reads a message by id with every field; a missing one is NotFound", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		a := saveAccount(t, s)
		m := fullMessage(t, a)
		MustSaveMessage(t, s, m)
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			got, err := tx.Message(ctx, m.ID)
			require.NoError(t, err)
			AssertSame(t, m, got)
			_, err = tx.Message(ctx, uuid.New())
			requireNotFound(t, err, "Message")
		})
	}},
	{"SearchMessages returns the biller's messages newest first then by id, filtered and one page at a time", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		_, _, acc, theirs := twoPayers(t, s)
		msg := func(a domain.Account, d time.Duration, kind domain.MessageKind, handled bool) domain.Message {
			m := NewMessage(t, a, "Question", at(d))
			m.Kind = kind
			if handled {
				m.State, m.HandledAt = domain.MessageHandled, at(d+time.Hour)
			}
			MustSaveMessage(t, s, m)
			return m
		}
		first := msg(acc[0], 0, domain.MessageContact, true)
		tie1 := msg(acc[1], time.Hour, domain.MessagePaperless, false)
		tie2 := msg(acc[0], time.Hour, domain.MessageContact, false)
		last := msg(acc[1], 2*time.Hour, domain.MessageContact, false)
		other := msg(theirs, time.Hour, domain.MessageContact, false)
		key := func(m domain.Message) (time.Time, uuid.UUID) { return m.CreatedAt, m.ID }
		ids := func(ms ...domain.Message) []uuid.UUID { return newestFirst(ms, key) }
		all := ids(first, tie1, tie2, last)

		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			for _, c := range []struct {
				q ports.MessageSearch
				c pageCase
			}{
				{ports.MessageSearch{}, pageCase{"all", all, 0}},
				{ports.MessageSearch{Offset: 1, Limit: 2}, pageCase{"a page", all[1:3], 4}},
				{ports.MessageSearch{Offset: 5, Limit: 2}, pageCase{"past the end", nil, 4}},
				{ports.MessageSearch{State: domain.MessageNew}, pageCase{"by state", ids(tie1, tie2, last), 0}},
				{ports.MessageSearch{Kind: domain.MessagePaperless}, pageCase{"by kind", ids(tie1), 0}},
				{ports.MessageSearch{State: domain.MessageHandled, Kind: domain.MessageContact}, pageCase{"criteria combine", ids(first), 0}},
				{ports.MessageSearch{PayerID: acc[1].PayerID}, pageCase{"by payer", ids(tie1, last), 0}},
				{ports.MessageSearch{PayerID: acc[0].PayerID, State: domain.MessageNew}, pageCase{"a payer's, by state", ids(tie2), 0}},
				{ports.MessageSearch{PayerID: acc[0].PayerID, Limit: 1}, pageCase{"a page of a payer's", ids(tie2), 2}},
				{ports.MessageSearch{PayerID: theirs.PayerID}, pageCase{"another biller's payer", nil, 0}},
			} {
				c.q.BillerID = acc[0].BillerID
				list, total, err := tx.SearchMessages(ctx, c.q)
				checkPage(t, c.c, messageIDs(list), total, err)
			}
			list, total, err := tx.SearchMessages(ctx, ports.MessageSearch{BillerID: theirs.BillerID})
			checkPage(t, pageCase{"the other biller's", ids(other), 0}, messageIDs(list), total, err)
		})
	}},
}
