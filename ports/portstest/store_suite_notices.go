package portstest

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The "sent once" record of notices and reminders (ports.NoticeStore).

var noticeTests = []storeTest{
	{"RecordNotice records an invoice and kind once, and a rollback records nothing", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, p := savePayer(t, s)
		inv := NewInvoice(t, p, "2024-0001", "10.00")
		MustSaveInvoices(t, s, inv)
		record := func(tx ports.Tx, kind domain.NoticeKind) bool {
			t.Helper()
			ok, err := tx.RecordNotice(ctx, b.ID, inv.ID, kind, at(0))
			require.NoError(t, err)
			return ok
		}
		errStop := fmt.Errorf("stop")
		err := s.Atomic(ctx, func(tx ports.Tx) error {
			require.True(t, record(tx, domain.NoticeReminderBefore))
			return errStop
		})
		require.ErrorIs(t, err, errStop)
		assert.True(t, record(s, domain.NoticeReminderBefore), "the rolled back record is no record")
		assert.False(t, record(s, domain.NoticeReminderBefore), "the same invoice and kind again")
		inTx(t, s, func(tx ports.Tx) {
			assert.False(t, record(tx, domain.NoticeReminderBefore), "again, in a transaction")
			assert.True(t, record(tx, domain.NoticeReminderAfter), "another kind")
			assert.True(t, record(tx, domain.NoticeNewInvoice), "a third kind")
		})
		assert.False(t, record(s, domain.NoticeNewInvoice), "the committed record stays")
	}},
	{"RecordNotices records a batch once each and returns only the invoices recorded now; a rollback records nothing", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, p := savePayer(t, s)
		var ids []uuid.UUID
		for i := range 4 {
			inv := NewInvoice(t, p, fmt.Sprintf("2024-%04d", i+1), "10.00")
			MustSaveInvoices(t, s, inv)
			ids = append(ids, inv.ID)
		}
		record := func(tx ports.Tx, kind domain.NoticeKind, ids ...uuid.UUID) []uuid.UUID {
			t.Helper()
			got, err := tx.RecordNotices(ctx, b.ID, ids, kind, at(0))
			require.NoError(t, err)
			slices.SortFunc(got, func(x, y uuid.UUID) int { return strings.Compare(x.String(), y.String()) })
			return got
		}
		sorted := func(ids ...uuid.UUID) []uuid.UUID {
			ids = slices.Clone(ids)
			slices.SortFunc(ids, func(x, y uuid.UUID) int { return strings.Compare(x.String(), y.String()) })
			return ids
		}
		errStop := fmt.Errorf("stop")
		err := s.Atomic(ctx, func(tx ports.Tx) error {
			require.Len(t, record(tx, domain.NoticeReminderBefore, ids[0], ids[1]), 2)
			return errStop
		})
		require.ErrorIs(t, err, errStop)
		assert.Empty(t, record(s, domain.NoticeReminderBefore), "no invoice, no record")
		assert.Equal(t, sorted(ids[0]), record(s, domain.NoticeReminderBefore, ids[0]), "the rolled back records are no records")
		inTx(t, s, func(tx ports.Tx) {
			assert.Equal(t, sorted(ids[1], ids[2]), record(tx, domain.NoticeReminderBefore, ids[0], ids[1], ids[2], ids[1]),
				"the new ones once, even named twice; not the one recorded already")
			assert.Equal(t, sorted(ids...), record(tx, domain.NoticeNewInvoice, ids...), "another kind")
		})
		assert.Equal(t, sorted(ids[3]), record(s, domain.NoticeReminderBefore, ids...), "the committed records stay")
		for _, id := range ids {
			ok, err := s.RecordNotice(ctx, b.ID, id, domain.NoticeNewInvoice, at(0))
			require.NoError(t, err)
			assert.False(t, ok, "RecordNotice sees RecordNotices' records")
		}
		counts, err := s.CountNotices(ctx, b.ID, at(0))
		require.NoError(t, err)
		assert.Equal(t, map[domain.NoticeKind]int{domain.NoticeReminderBefore: 4, domain.NoticeNewInvoice: 4}, counts, "under the biller, at the time given")
	}},
	{"InvoicesToRemind walks the window's unpaid invoices not yet reminded, by due date and number, after the key", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, p := savePayer(t, s)
		_, stranger := savePayer(t, s)
		from := domain.NewDate(2024, time.June, 1)
		to := from.AddDays(5)
		var want []uuid.UUID // in the expected order
		n := 0
		add := func(p domain.Payer, number string, dueDays int, change func(*domain.Invoice), listed bool) domain.Invoice {
			n++
			inv := NewInvoice(t, p, number, "10.00")
			inv.DueDate = from.AddDays(dueDays)
			inv.IssueDate = inv.DueDate.AddDays(-30)
			change(&inv)
			MustSaveInvoices(t, s, inv)
			if listed {
				want = append(want, inv.ID)
			}
			return inv
		}
		keep := func(*domain.Invoice) {}
		add(p, "B-1", 0, keep, true) // the first day of the window
		add(p, "C-1", 0, keep, true)
		reminded := add(p, "A-0", 1, keep, false)
		otherKind := add(p, "A-1", 2, keep, true)
		add(p, "A-2", 5, keep, true) // the last day
		add(p, "A-3", 6, keep, false)
		add(p, "A-4", -1, keep, false)
		add(p, "A-5", 3, func(inv *domain.Invoice) { inv.State = domain.InvoicePaid }, false)
		add(p, "A-6", 3, func(inv *domain.Invoice) { inv.State = domain.InvoiceTreasury }, false)
		add(stranger, "A-7", 3, keep, false)
		_, err := s.RecordNotice(ctx, b.ID, reminded.ID, domain.NoticeReminderBefore, at(0))
		require.NoError(t, err)
		_, err = s.RecordNotice(ctx, b.ID, otherKind.ID, domain.NoticeReminderAfter, at(0))
		require.NoError(t, err)

		q := ports.RemindQuery{BillerID: b.ID, Kind: domain.NoticeReminderBefore, From: from, To: to, Limit: 100}
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			got, err := tx.InvoicesToRemind(t.Context(), q)
			require.NoError(t, err)
			assert.Equal(t, want, invoiceIDs(got))

			page := q
			page.Limit = 2
			walked := walkBatches(t, &page.Limit, func() ([]domain.Invoice, error) { return tx.InvoicesToRemind(t.Context(), page) },
				func(last domain.Invoice) { page.AfterDue, page.AfterNumber = last.DueDate, last.Number })
			assert.Equal(t, want, walked, "batches of 2 after the last key walk the same invoices once")
		})
		none, err := s.InvoicesToRemind(ctx, ports.RemindQuery{BillerID: uuid.New(), Kind: domain.NoticeReminderBefore, From: from, To: to})
		require.NoError(t, err)
		assert.Empty(t, none)
	}},
	{"CountNotices counts the biller's records of each kind since a time", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, p := savePayer(t, s)
		ob, op := savePayer(t, s)
		record := func(b domain.Biller, inv domain.Invoice, kind domain.NoticeKind, when time.Time) {
			t.Helper()
			ok, err := s.RecordNotice(ctx, b.ID, inv.ID, kind, when)
			require.NoError(t, err)
			require.True(t, ok)
		}
		for i := range 3 {
			inv := NewInvoice(t, p, fmt.Sprintf("N-%d", i), "1.00")
			MustSaveInvoices(t, s, inv)
			record(b, inv, domain.NoticeReminderBefore, at(time.Duration(i)*time.Hour))
			record(b, inv, domain.NoticeNewInvoice, at(-time.Hour))
		}
		other := NewInvoice(t, op, "O-1", "1.00")
		MustSaveInvoices(t, s, other)
		record(ob, other, domain.NoticeReminderBefore, at(time.Hour))

		got, err := s.CountNotices(ctx, b.ID, at(time.Hour))
		require.NoError(t, err)
		assert.Equal(t, 2, got[domain.NoticeReminderBefore], "at or after the time")
		assert.Equal(t, 0, got[domain.NoticeNewInvoice], "before it")
		assert.Equal(t, 0, got[domain.NoticeReminderAfter])
		got, err = s.CountNotices(ctx, b.ID, at(-2*time.Hour))
		require.NoError(t, err)
		assert.Equal(t, map[domain.NoticeKind]int{domain.NoticeReminderBefore: 3, domain.NoticeNewInvoice: 3}, got)
	}},
	{"PayerNotices lists the payer's recorded notices, newest first then by number and kind, up to a limit", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, p := savePayer(t, s)
		other := NewPayer(t, b, "REF-002")
		MustSavePayer(t, s, other)
		first, second := NewInvoice(t, p, "N-2", "1.00"), NewInvoice(t, p, "N-1", "1.00")
		theirs := NewInvoice(t, other, "O-1", "1.00")
		MustSaveInvoices(t, s, first, second, theirs, NewInvoice(t, p, "N-3", "1.00"))
		record := func(inv domain.Invoice, kind domain.NoticeKind, when time.Time) ports.SentNotice {
			t.Helper()
			ok, err := s.RecordNotice(ctx, b.ID, inv.ID, kind, when)
			require.NoError(t, err)
			require.True(t, ok)
			return ports.SentNotice{InvoiceID: inv.ID, InvoiceNumber: inv.Number, Kind: kind, SentAt: when}
		}
		n1 := record(first, domain.NoticeNewInvoice, at(0))
		n2 := record(second, domain.NoticeNewInvoice, at(0))
		r1 := record(first, domain.NoticeReminderBefore, at(48*time.Hour))
		r2 := record(first, domain.NoticeReminderAfter, at(48*time.Hour))
		record(theirs, domain.NoticeNewInvoice, at(time.Hour))
		want := []ports.SentNotice{r2, r1, n2, n1}
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			got, err := tx.PayerNotices(ctx, p.ID, 0)
			require.NoError(t, err)
			require.Len(t, got, len(want))
			for i := range want {
				assert.Equal(t, want[i].InvoiceID, got[i].InvoiceID, "notice %d", i)
				assert.Equal(t, want[i].InvoiceNumber, got[i].InvoiceNumber, "notice %d", i)
				assert.Equal(t, want[i].Kind, got[i].Kind, "notice %d", i)
				assert.True(t, want[i].SentAt.Equal(got[i].SentAt), "notice %d: %v", i, got[i].SentAt)
			}
			got, err = tx.PayerNotices(ctx, p.ID, 3)
			require.NoError(t, err)
			assert.Len(t, got, 3, "the limit")
			got, err = tx.PayerNotices(ctx, uuid.New(), 0)
			require.NoError(t, err)
			assert.Empty(t, got, "an unknown payer has none")
		})
	}},
	{"InvoicesToAnnounce walks the unpaid invoices arrived since a time whose account takes notices, not yet announced, by arrival and id", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, p := savePayer(t, s)
		a := NewAccount(t, p)
		a.SetPassword("hash", at(0)) // active from at(0)
		MustSaveAccount(t, s, a)
		noAccount := NewPayer(t, b, "REF-002")
		MustSavePayer(t, s, noAccount)
		pending := NewPayer(t, b, "REF-003")
		MustSavePayer(t, s, pending)
		MustSaveAccount(t, s, NewAccount(t, pending))
		quiet := NewPayer(t, b, "REF-004")
		MustSavePayer(t, s, quiet)
		qa := NewAccount(t, quiet)
		qa.SetPassword("hash", at(0))
		qa.NoticesOff = true
		MustSaveAccount(t, s, qa)

		since := at(time.Hour)
		var want []uuid.UUID
		n := 0
		add := func(p domain.Payer, arrived time.Duration, change func(*domain.Invoice), listed bool) domain.Invoice {
			n++
			inv := NewInvoice(t, p, fmt.Sprintf("I-%02d", n), "10.00")
			inv.CreatedAt = at(arrived)
			change(&inv)
			MustSaveInvoices(t, s, inv)
			if listed {
				want = append(want, inv.ID)
			}
			return inv
		}
		keep := func(*domain.Invoice) {}
		add(p, 3*time.Hour, keep, true)
		add(p, time.Hour, keep, true) // at since
		add(p, 2*time.Hour, keep, true)
		add(p, 2*time.Hour, keep, true) // same time: by id
		add(p, 59*time.Minute, keep, false)
		announced := add(p, 2*time.Hour, keep, false)
		reminded := add(p, 4*time.Hour, keep, true) // another kind recorded
		add(p, 2*time.Hour, func(inv *domain.Invoice) { inv.State = domain.InvoicePaid }, false)
		add(noAccount, 2*time.Hour, keep, false)
		add(pending, 2*time.Hour, keep, false)
		add(quiet, 2*time.Hour, keep, false)
		_, err := s.RecordNotice(ctx, b.ID, announced.ID, domain.NoticeNewInvoice, at(0))
		require.NoError(t, err)
		_, err = s.RecordNotice(ctx, b.ID, reminded.ID, domain.NoticeReminderBefore, at(0))
		require.NoError(t, err)
		// Arrived before its account was activated: not news.
		early := NewPayer(t, b, "REF-005")
		MustSavePayer(t, s, early)
		ea := NewAccount(t, early)
		ea.SetPassword("hash", at(5*time.Hour))
		MustSaveAccount(t, s, ea)
		add(early, 2*time.Hour, keep, false)

		// want in arrival order, then payer, then id.
		byID := map[uuid.UUID]domain.Invoice{}
		for _, id := range want {
			inv, err := s.Invoice(ctx, id)
			require.NoError(t, err)
			byID[id] = inv
		}
		slices.SortFunc(want, func(x, y uuid.UUID) int {
			px, py := byID[x].PayerID, byID[y].PayerID
			return cmp.Or(byID[x].CreatedAt.Compare(byID[y].CreatedAt), bytes.Compare(px[:], py[:]), bytes.Compare(x[:], y[:]))
		})

		q := ports.AnnounceQuery{BillerID: b.ID, Since: since, Limit: 100}
		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			got, err := tx.InvoicesToAnnounce(t.Context(), q)
			require.NoError(t, err)
			assert.Equal(t, want, invoiceIDs(got))

			page := q
			page.Limit = 2
			walked := walkBatches(t, &page.Limit, func() ([]domain.Invoice, error) { return tx.InvoicesToAnnounce(t.Context(), page) },
				func(last domain.Invoice) {
					page.AfterCreated, page.AfterPayer, page.AfterID = last.CreatedAt, last.PayerID, last.ID
				})
			assert.Equal(t, want, walked, "batches of 2 after the last key walk the same invoices once")
		})
		none, err := s.InvoicesToAnnounce(ctx, ports.AnnounceQuery{BillerID: uuid.New(), Since: since})
		require.NoError(t, err)
		assert.Empty(t, none)
	}},
	{"Secret stores the first value of a name and returns it for ever", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		name := "test-" + uuid.NewString()
		first, err := s.Secret(ctx, name, []byte{1, 2, 3})
		require.NoError(t, err)
		assert.Equal(t, []byte{1, 2, 3}, first)
		again, err := s.Secret(ctx, name, []byte{9})
		require.NoError(t, err)
		assert.Equal(t, []byte{1, 2, 3}, again, "a later value is ignored")
		var wg sync.WaitGroup
		got := make([][]byte, 4)
		other := "test-" + uuid.NewString()
		for i := range got {
			wg.Go(func() {
				v, err := s.Secret(ctx, other, []byte{byte(i + 1)})
				assert.NoError(t, err)
				got[i] = v
			})
		}
		wg.Wait()
		for _, v := range got {
			assert.Equal(t, got[0], v, "callers at once all get the one value stored")
		}
	}},
}

// walkBatches reads batches of *limit invoices with read, moving the
// walk's key past each batch's last invoice with after, until a batch is
// short (five batches at most), and returns the invoices' ids in order.
func walkBatches(t *testing.T, limit *int, read func() ([]domain.Invoice, error), after func(last domain.Invoice)) []uuid.UUID {
	var walked []uuid.UUID
	for range 5 {
		got, err := read()
		require.NoError(t, err)
		walked = append(walked, invoiceIDs(got)...)
		if len(got) < *limit {
			break
		}
		after(got[len(got)-1])
	}
	return walked
}
