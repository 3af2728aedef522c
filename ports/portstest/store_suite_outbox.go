package portstest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// outboxBiller is the biller of outboxMail's mails: the outbox keeps the
// id without a reference, so no biller need exist.
var outboxBiller = uuid.MustParse("0193a1b2-0000-7000-8000-00000000b111")

func outboxMail(tb testing.TB, to string, at time.Time) ports.OutboxMail {
	tb.Helper()
	return ports.OutboxMail{
		ID: uuid.New(), State: ports.OutboxPending, CreatedAt: at, NextAttemptAt: at,
		Mail: ports.Mail{To: to, ReplyTo: "service@exemple.fr", Subject: "Accès au portail des factures",
			Text: "Bonjour,\nvotre lien : https://factures.exemple.fr/mot-de-passe?lien=abc\n", HTML: "<p>Bonjour, échéance à régler</p>",
			Unsubscribe: "https://factures.exemple.fr/desabonnement/jeton-" + to,
			BillerID:    outboxBiller,
			Attachments: []ports.Attachment{
				{Name: "reçu-PF2026-0001.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.7\n\x00\xff\xfe binaire\n")},
				{Name: "vide.txt", ContentType: "text/plain; charset=utf-8", Data: []byte{}},
			}},
		// The same for the same address, so that a test can build the
		// mail it expects back.
		Attach: []ports.AttachmentRef{{Kind: ports.AttachReceipt, ID: uuid.NewSHA1(uuid.NameSpaceURL, []byte(to))}},
	}
}

var outboxTests = []storeTest{
	{"CancelMails deletes the biller's pending mails to the addresses, and only those", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		other := uuid.New()
		add := func(biller uuid.UUID, to string, state ports.OutboxState, attempts int) ports.OutboxMail {
			t.Helper()
			m := outboxMail(t, to, at(0))
			m.Mail.BillerID = biller
			require.NoError(t, s.EnqueueMail(ctx, m))
			if state != ports.OutboxPending || attempts > 0 {
				m.State, m.Attempts, m.LastError = state, attempts, "421 try later"
				m.NextAttemptAt = at(time.Hour)
				require.NoError(t, s.SaveMailResult(ctx, m))
			}
			return m
		}
		waiting := add(outboxBiller, "paul@exemple.fr", ports.OutboxPending, 0)
		retried := add(outboxBiller, "Paul@Exemple.fr", ports.OutboxPending, 2) // another case
		newAddr := add(outboxBiller, "nouvelle@exemple.fr", ports.OutboxPending, 0)
		sent := add(outboxBiller, "paul@exemple.fr", ports.OutboxSent, 1)
		failed := add(outboxBiller, "paul@exemple.fr", ports.OutboxFailed, 1)
		otherBiller := add(other, "paul@exemple.fr", ports.OutboxPending, 0)
		otherAddr := add(outboxBiller, "pierre@exemple.fr", ports.OutboxPending, 0)
		service := add(outboxBiller, "service@exemple.fr", ports.OutboxPending, 0)

		var n int
		require.NoError(t, s.Atomic(ctx, func(tx ports.Tx) (err error) {
			n, err = tx.CancelMails(ctx, outboxBiller, []string{"paul@exemple.fr", "", "NOUVELLE@exemple.fr"})
			return err
		}))
		assert.Equal(t, 3, n)
		got, err := s.ClaimMails(ctx, at(2*time.Hour), time.Minute, 100)
		require.NoError(t, err)
		ids := map[uuid.UUID]bool{}
		for _, m := range got {
			ids[m.ID] = true
		}
		for _, m := range []ports.OutboxMail{waiting, retried, newAddr} {
			assert.False(t, ids[m.ID], "cancelled: %s", m.Mail.To)
		}
		for _, m := range []ports.OutboxMail{otherBiller, otherAddr, service} {
			assert.True(t, ids[m.ID], "kept: %s", m.Mail.To)
		}
		c, err := s.OutboxCounts(ctx)
		require.NoError(t, err)
		assert.Equal(t, ports.OutboxCounts{Pending: 3, Failed: 1}, c)
		for _, m := range []ports.OutboxMail{sent, failed} {
			require.NoError(t, s.SaveMailResult(ctx, m), "a mail that is over is kept")
		}
		n, err = s.CancelMails(ctx, outboxBiller, nil)
		require.NoError(t, err)
		assert.Zero(t, n)

		// A cancellation rolled back cancels nothing.
		errRollback := errors.New("rollback")
		require.ErrorIs(t, s.Atomic(ctx, func(tx ports.Tx) error {
			if _, err := tx.CancelMails(ctx, outboxBiller, []string{"pierre@exemple.fr"}); err != nil {
				return err
			}
			return errRollback
		}), errRollback)
		c, err = s.OutboxCounts(ctx)
		require.NoError(t, err)
		assert.Equal(t, 3, c.Pending)
	}},
	{"PurgeMails deletes the biller's old mails that are over, by batches, never a pending one", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		other := uuid.New()
		add := func(biller uuid.UUID, created time.Duration, state ports.OutboxState) ports.OutboxMail {
			t.Helper()
			m := outboxMail(t, "x@exemple.fr", at(created))
			m.Mail.BillerID = biller
			require.NoError(t, s.EnqueueMail(ctx, m))
			if state != ports.OutboxPending {
				m.State, m.Attempts = state, 1
				if state == ports.OutboxSent {
					m.SentAt = at(created + time.Minute)
				} else {
					m.LastError = "550 no such user"
				}
				require.NoError(t, s.SaveMailResult(ctx, m))
			}
			return m
		}
		var old []ports.OutboxMail
		for i := range 3 {
			old = append(old, add(outboxBiller, time.Duration(i)*time.Minute, ports.OutboxSent))
		}
		old = append(old, add(outboxBiller, 3*time.Minute, ports.OutboxFailed))
		pending := add(outboxBiller, 0, ports.OutboxPending) // as old, never purged
		recent := add(outboxBiller, time.Hour, ports.OutboxSent)
		otherBiller := add(other, 0, ports.OutboxSent)
		noBiller := add(uuid.Nil, 0, ports.OutboxFailed)
		cutoff := at(time.Hour)

		n, err := s.PurgeMails(ctx, outboxBiller, cutoff, 3)
		require.NoError(t, err)
		assert.Equal(t, 3, n, "a batch")
		n, err = s.PurgeMails(ctx, outboxBiller, cutoff, 3)
		require.NoError(t, err)
		assert.Equal(t, 1, n, "the rest")
		n, err = s.PurgeMails(ctx, outboxBiller, cutoff, 3)
		require.NoError(t, err)
		assert.Zero(t, n)
		for _, m := range old {
			assert.Equal(t, domain.NotFound, domain.ErrorCode(s.SaveMailResult(ctx, m)), "purged")
		}
		for _, m := range []ports.OutboxMail{recent, otherBiller, noBiller} {
			require.NoError(t, s.SaveMailResult(ctx, m), "kept")
		}
		got, err := s.ClaimMails(ctx, at(2*time.Hour), time.Minute, 10)
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, pending.ID, got[0].ID, "a pending mail is never purged")

		n, err = s.PurgeMails(ctx, uuid.Nil, cutoff, 10)
		require.NoError(t, err)
		assert.Equal(t, 1, n, "the mails of no biller")
		assert.Equal(t, domain.NotFound, domain.ErrorCode(s.SaveMailResult(ctx, noBiller)))
		require.NoError(t, s.SaveMailResult(ctx, otherBiller), "another biller's")
	}},
	{"CountFailedMails counts the biller's failed mails queued since a time", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		other := uuid.New()
		add := func(biller uuid.UUID, created time.Duration, state ports.OutboxState) {
			t.Helper()
			m := outboxMail(t, "x@exemple.fr", at(created))
			m.Mail.BillerID = biller
			require.NoError(t, s.EnqueueMail(ctx, m))
			if state != ports.OutboxPending {
				m.State, m.Attempts, m.LastError = state, 1, "550 no such user"
				require.NoError(t, s.SaveMailResult(ctx, m))
			}
		}
		add(outboxBiller, 0, ports.OutboxFailed)
		add(outboxBiller, time.Hour, ports.OutboxFailed)
		add(outboxBiller, -time.Hour, ports.OutboxFailed) // before since
		add(outboxBiller, time.Hour, ports.OutboxSent)
		add(outboxBiller, time.Hour, ports.OutboxPending)
		add(other, time.Hour, ports.OutboxFailed)
		add(uuid.Nil, time.Hour, ports.OutboxFailed) // a mail of no biller
		n, err := s.CountFailedMails(ctx, outboxBiller, at(0))
		require.NoError(t, err)
		assert.Equal(t, 2, n)
		n, err = s.CountFailedMails(ctx, uuid.New(), at(0))
		require.NoError(t, err)
		assert.Zero(t, n)
	}},
	{"a result changes the mail's state, never the mail", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		m := outboxMail(t, "a@exemple.fr", at(0))
		require.NoError(t, s.EnqueueMail(ctx, m))
		m.Mail.Attachments[0].Data[0] = 'X' // the caller's slice, not the store's
		result := ports.OutboxMail{ID: m.ID, State: ports.OutboxPending, Attempts: 1, NextAttemptAt: at(time.Minute), LastError: "421 try later", CreatedAt: m.CreatedAt}
		require.NoError(t, s.SaveMailResult(ctx, result))
		got, err := s.ClaimMails(ctx, at(time.Minute), time.Minute, 10)
		require.NoError(t, err)
		require.Len(t, got, 1)
		want := outboxMail(t, "a@exemple.fr", at(0))
		want.ID, want.Attempts, want.LastError, want.NextAttemptAt = m.ID, 1, "421 try later", at(2*time.Minute)
		AssertSame(t, want, got[0])
	}},
	{"a mail keeps the files it names apart from the ones it carries", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		named := outboxMail(t, "a@exemple.fr", at(0))
		named.Mail.Attachments = nil
		named.Attach = []ports.AttachmentRef{{Kind: ports.AttachReceipt, ID: uuid.New()}, {Kind: ports.AttachReceipt, ID: uuid.New()}}
		plain := outboxMail(t, "b@exemple.fr", at(time.Second))
		plain.Attach = nil
		require.NoError(t, s.EnqueueMail(ctx, named))
		require.NoError(t, s.EnqueueMail(ctx, plain))
		named.Attach[0].ID = uuid.Nil // the caller's slice, not the store's
		got, err := s.ClaimMails(ctx, at(time.Minute), time.Minute, 10)
		require.NoError(t, err)
		require.Len(t, got, 2)
		assert.Empty(t, got[0].Mail.Attachments)
		require.Len(t, got[0].Attach, 2, "in order")
		assert.Equal(t, ports.AttachReceipt, got[0].Attach[0].Kind)
		assert.NotEqual(t, uuid.Nil, got[0].Attach[0].ID)
		assert.Empty(t, got[1].Attach)
		assert.Len(t, got[1].Mail.Attachments, 2)
	}},
	{"a payment step's mails are kept whole", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, acc, invs := payerWithInvoices(t, s, 1)
		p := fullPayment(t, NewPayment(t, b, acc, invs...))
		e := fullPaymentEvent(t, p, at(time.Minute))
		mail := outboxMail(t, "a@exemple.fr", at(time.Minute))
		_, err := s.SavePaymentStep(ctx, ports.PaymentStep{Payment: p, Event: &e, Mails: []ports.OutboxMail{mail}})
		require.NoError(t, err)
		got, err := s.ClaimMails(ctx, at(time.Minute), time.Minute, 10)
		require.NoError(t, err)
		require.Len(t, got, 1)
		mail.NextAttemptAt = at(2 * time.Minute)
		AssertSame(t, mail, got[0])
	}},
	{"enqueued mails are claimed oldest first, with every field", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		first, second := outboxMail(t, "a@exemple.fr", at(0)), outboxMail(t, "b@exemple.fr", at(time.Minute))
		require.NoError(t, s.Atomic(ctx, func(tx ports.Tx) error {
			if err := tx.EnqueueMail(ctx, second); err != nil {
				return err
			}
			return tx.EnqueueMail(ctx, first)
		}))
		c, err := s.OutboxCounts(ctx)
		require.NoError(t, err)
		assert.Equal(t, ports.OutboxCounts{Pending: 2}, c)

		got, err := s.ClaimMails(ctx, at(2*time.Minute), 2*time.Minute, 10)
		require.NoError(t, err)
		require.Len(t, got, 2)
		want := first
		want.NextAttemptAt = at(4 * time.Minute)
		AssertSame(t, want, got[0], "the oldest first, its next attempt pushed by the lease")
		assert.Equal(t, second.ID, got[1].ID)
	}},
	{"EnqueueMails queues a batch with every field, all or none", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		require.NoError(t, s.EnqueueMails(ctx, nil), "an empty batch")
		first, second := outboxMail(t, "a@exemple.fr", at(0)), outboxMail(t, "b@exemple.fr", at(time.Minute))
		second.Mail.BillerID, second.Mail.Attachments, second.Attach, second.Mail.Unsubscribe = uuid.Nil, nil, nil, ""
		failed := outboxMail(t, "c@exemple.fr", at(time.Second))
		failed.State, failed.Attempts, failed.LastError = ports.OutboxFailed, 5, "550 « boîte inconnue »"
		require.NoError(t, s.Atomic(ctx, func(tx ports.Tx) error {
			return tx.EnqueueMails(ctx, []ports.OutboxMail{second, failed, first})
		}))
		first.Mail.Attachments[0].Data[0] = 'X' // the caller's slice, not the store's
		c, err := s.OutboxCounts(ctx)
		require.NoError(t, err)
		assert.Equal(t, ports.OutboxCounts{Pending: 2, Failed: 1}, c)
		n, err := s.CountFailedMails(ctx, outboxBiller, at(0))
		require.NoError(t, err)
		assert.Equal(t, 1, n, "the failed mail under its biller")

		again := outboxMail(t, "d@exemple.fr", at(0))
		err = s.EnqueueMails(ctx, []ports.OutboxMail{again, first})
		require.Error(t, err, "a mail whose id is taken")
		assert.Equal(t, domain.Conflict, domain.ErrorCode(err))
		c, err = s.OutboxCounts(ctx)
		require.NoError(t, err)
		assert.Equal(t, ports.OutboxCounts{Pending: 2, Failed: 1}, c, "nothing of the refused batch")

		got, err := s.ClaimMails(ctx, at(2*time.Minute), time.Minute, 10)
		require.NoError(t, err)
		require.Len(t, got, 2)
		want := outboxMail(t, "a@exemple.fr", at(0))
		want.ID, want.NextAttemptAt = first.ID, at(3*time.Minute)
		AssertSame(t, want, got[0], "every field, oldest first")
		second.NextAttemptAt = at(3 * time.Minute)
		AssertSame(t, second, got[1], "no biller, no files, no unsubscribe link")
	}},
	{"a claimed mail is not claimed again before its lease ends", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		require.NoError(t, s.EnqueueMail(ctx, outboxMail(t, "a@exemple.fr", at(0))))
		got, err := s.ClaimMails(ctx, at(0), time.Minute, 10)
		require.NoError(t, err)
		require.Len(t, got, 1)
		again, err := s.ClaimMails(ctx, at(59*time.Second), time.Minute, 10)
		require.NoError(t, err)
		assert.Empty(t, again)
		again, err = s.ClaimMails(ctx, at(time.Minute), time.Minute, 10)
		require.NoError(t, err)
		assert.Len(t, again, 1, "a sender that died leaves it to the next")
	}},
	{"mails not yet due and limits", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		later := outboxMail(t, "a@exemple.fr", at(0))
		later.NextAttemptAt = at(time.Hour)
		require.NoError(t, s.EnqueueMail(ctx, later))
		for i := 0; i < 3; i++ {
			require.NoError(t, s.EnqueueMail(ctx, outboxMail(t, "b@exemple.fr", at(time.Duration(i)*time.Second))))
		}
		got, err := s.ClaimMails(ctx, at(time.Minute), time.Minute, 2)
		require.NoError(t, err)
		assert.Len(t, got, 2)
		got, err = s.ClaimMails(ctx, at(time.Minute), time.Minute, 10)
		require.NoError(t, err)
		assert.Len(t, got, 1, "the one left that is due")
	}},
	{"results: sent and failed mails are never claimed", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		a, b := outboxMail(t, "a@exemple.fr", at(0)), outboxMail(t, "b@exemple.fr", at(0))
		require.NoError(t, s.EnqueueMail(ctx, a))
		require.NoError(t, s.EnqueueMail(ctx, b))
		a.State, a.Attempts, a.SentAt = ports.OutboxSent, 1, at(time.Second)
		b.State, b.Attempts, b.LastError = ports.OutboxFailed, 3, "550 5.1.1 no such user"
		require.NoError(t, s.SaveMailResult(ctx, a))
		require.NoError(t, s.SaveMailResult(ctx, b))
		got, err := s.ClaimMails(ctx, at(24*time.Hour), time.Minute, 10)
		require.NoError(t, err)
		assert.Empty(t, got)
		c, err := s.OutboxCounts(ctx)
		require.NoError(t, err)
		assert.Equal(t, ports.OutboxCounts{Failed: 1}, c)
		requireNotFound(t, s.SaveMailResult(ctx, outboxMail(t, "c@exemple.fr", at(0))), "result of an unknown mail")
	}},
	{"a rolled back transaction enqueues nothing", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		boom := errors.New("boom")
		err := s.Atomic(ctx, func(tx ports.Tx) error {
			if err := tx.EnqueueMail(ctx, outboxMail(t, "a@exemple.fr", at(0))); err != nil {
				return err
			}
			return boom
		})
		require.ErrorIs(t, err, boom)
		c, err := s.OutboxCounts(ctx)
		require.NoError(t, err)
		assert.Equal(t, ports.OutboxCounts{}, c)
	}},
	{"concurrent claims take each mail once", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		for i := 0; i < 40; i++ {
			require.NoError(t, s.EnqueueMail(ctx, outboxMail(t, "a@exemple.fr", at(time.Duration(i)*time.Millisecond))))
		}
		var mu sync.Mutex
		seen := map[uuid.UUID]int{}
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					got, err := s.ClaimMails(ctx, at(time.Minute), time.Hour, 7)
					if !assert.NoError(t, err) || len(got) == 0 {
						return
					}
					mu.Lock()
					for _, m := range got {
						seen[m.ID]++
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		assert.Len(t, seen, 40)
		for id, n := range seen {
			assert.Equal(t, 1, n, "mail %s claimed %d times", id, n)
		}
	}},
}
