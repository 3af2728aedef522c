package portstest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// Closed accounts and the erasure of their data (ports.RetentionStore).

// closedAccount saves an active account of p closed at closedAt.
func closedAccount(t *testing.T, tx ports.Tx, p domain.Payer, closedAt time.Time) domain.Account {
	t.Helper()
	a := NewAccount(t, p)
	a.SetPassword("hash", Epoch)
	require.NoError(t, a.Close(closedAt))
	MustSaveAccount(t, tx, a)
	return a
}

var retentionTests = []storeTest{
	{"a closed account frees its payer and its address: a new account may take them", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, p := savePayer(t, s)
		old := NewAccount(t, p)
		old.SetPassword("hash", Epoch)
		MustSaveAccount(t, s, old)
		require.NoError(t, old.Close(at(time.Hour)))
		MustSaveAccount(t, s, old)

		_, err := s.AccountByEmail(ctx, b.ID, old.Email)
		requireNotFound(t, err, "AccountByEmail of a closed account")
		_, err = s.AccountByPayer(ctx, p.ID)
		requireNotFound(t, err, "AccountByPayer of a closed account")
		got, err := s.Account(ctx, old.ID)
		require.NoError(t, err, "the closed account stays, for the payments that refer to it")
		AssertSame(t, old, got)

		fresh := NewAccount(t, p)
		MustSaveAccount(t, s, fresh)
		got, err = s.AccountByPayer(ctx, p.ID)
		require.NoError(t, err)
		assert.Equal(t, fresh.ID, got.ID)
		got, err = s.AccountByEmail(ctx, b.ID, p.Email)
		require.NoError(t, err)
		assert.Equal(t, fresh.ID, got.ID)
		other := NewAccount(t, p)
		requireConflict(t, s.SaveAccount(ctx, other), "a second open account of the payer")

		last, err := s.LastClosedAccount(ctx, p.ID)
		require.NoError(t, err)
		assert.Equal(t, old.ID, last.ID)
		_, err = s.LastClosedAccount(ctx, uuid.New())
		requireNotFound(t, err, "LastClosedAccount of a payer without one")
	}},
	{"ClosedAccounts lists the biller's closed accounts not erased, closed before the cutoff, oldest first", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, p1 := savePayer(t, s)
		var payers []domain.Payer
		for _, ref := range []string{"REF-2", "REF-3", "REF-4", "REF-5"} {
			p := NewPayer(t, b, ref)
			MustSavePayer(t, s, p)
			payers = append(payers, p)
		}
		_, stranger := savePayer(t, s)
		late := closedAccount(t, s, p1, at(3*time.Hour))
		early := closedAccount(t, s, payers[0], at(time.Hour))
		closedAccount(t, s, payers[1], at(10*time.Hour)) // after the cutoff
		erased := closedAccount(t, s, payers[2], at(time.Hour))
		erased.Anonymise(at(5 * time.Hour))
		MustSaveAccount(t, s, erased)
		open := NewAccount(t, payers[3])
		MustSaveAccount(t, s, open)
		closedAccount(t, s, stranger, at(time.Hour)) // another biller's

		bothWays(t, s, func(t *testing.T, tx ports.Tx) {
			got, err := tx.ClosedAccounts(ctx, b.ID, at(5*time.Hour), 10)
			require.NoError(t, err)
			require.Len(t, got, 2)
			assert.Equal(t, early.ID, got[0].ID)
			assert.Equal(t, late.ID, got[1].ID)
			AssertSame(t, late, got[1])
			got, err = tx.ClosedAccounts(ctx, b.ID, at(5*time.Hour), 1)
			require.NoError(t, err)
			require.Len(t, got, 1, "the limit")
			assert.Equal(t, early.ID, got[0].ID)
		})
	}},
	{"an account's messages, links and audit lines are found, deleted and redacted", func(t *testing.T, s ports.Store) {
		ctx := t.Context()
		b, p := savePayer(t, s)
		a := closedAccount(t, s, p, at(time.Hour))
		_, q := func() (domain.Biller, domain.Payer) {
			p := NewPayer(t, b, "REF-9")
			MustSavePayer(t, s, p)
			return b, p
		}()
		other := NewAccount(t, q)
		MustSaveAccount(t, s, other)
		m2 := NewMessage(t, a, "Deuxième", at(2*time.Minute))
		m1 := NewMessage(t, a, "Premier", at(time.Minute))
		MustSaveMessage(t, s, m2)
		MustSaveMessage(t, s, m1)
		MustSaveMessage(t, s, NewMessage(t, other, "Autre", at(time.Minute)))
		for _, acc := range []domain.Account{a, a, other} {
			tok, _ := NewToken(t, acc, domain.TokenReset)
			MustSaveToken(t, s, tok)
		}
		event := func(actor domain.ActorKind, id uuid.UUID, d time.Duration) domain.AuditEvent {
			e := domain.AuditEvent{ID: uuid.New(), BillerID: b.ID, At: at(d), Actor: actor, ActorID: id,
				ActorLabel: a.Email, Action: domain.AuditLogin, Target: a.Email, Detail: "Connexion.", IP: "192.0.2.1"}
			require.NoError(t, s.AppendAudit(ctx, e))
			return e
		}
		e2 := event(domain.ActorCitizen, a.ID, 2*time.Minute)
		e1 := event(domain.ActorCitizen, a.ID, time.Minute)
		event(domain.ActorCitizen, other.ID, time.Minute)
		event(domain.ActorStaff, a.ID, time.Minute) // not the account's own line

		msgs, err := s.AccountMessages(ctx, a.ID)
		require.NoError(t, err)
		require.Len(t, msgs, 2)
		assert.Equal(t, m1.ID, msgs[0].ID)
		AssertSame(t, m2, msgs[1])
		events, err := s.AccountAuditEvents(ctx, b.ID, a.ID)
		require.NoError(t, err)
		require.Len(t, events, 2)
		assert.Equal(t, e1.ID, events[0].ID)
		AssertSame(t, e2, events[1])

		errStop := errors.New("stop")
		err = s.Atomic(ctx, func(tx ports.Tx) error {
			n, err := tx.DeleteAccountTokens(ctx, a.ID)
			require.NoError(t, err)
			assert.Equal(t, 2, n)
			require.NoError(t, tx.RedactAudit(ctx, domain.RedactAudit(e1)))
			return errStop
		})
		require.ErrorIs(t, err, errStop)
		open, err := s.OpenTokens(ctx, a.ID, domain.TokenReset)
		require.NoError(t, err)
		assert.Len(t, open, 2, "a rollback deletes nothing")

		inTx(t, s, func(tx ports.Tx) {
			n, err := tx.DeleteAccountTokens(ctx, a.ID)
			require.NoError(t, err)
			assert.Equal(t, 2, n)
			require.NoError(t, tx.RedactAudit(ctx, domain.RedactAudit(e1)))
		})
		open, err = s.OpenTokens(ctx, a.ID, domain.TokenReset)
		require.NoError(t, err)
		assert.Empty(t, open)
		open, err = s.OpenTokens(ctx, other.ID, domain.TokenReset)
		require.NoError(t, err)
		assert.Len(t, open, 1, "another account's links stay")
		events, err = s.AccountAuditEvents(ctx, b.ID, a.ID)
		require.NoError(t, err)
		require.Len(t, events, 1, "the redacted line no longer names the account")
		assert.Equal(t, e2.ID, events[0].ID)
		page, _, err := s.AuditEvents(ctx, ports.AuditQuery{BillerID: b.ID, Text: domain.Anonymised})
		require.NoError(t, err)
		require.Len(t, page, 1)
		AssertSame(t, domain.RedactAudit(e1), page[0])
		requireNotFound(t, s.RedactAudit(ctx, domain.AuditEvent{ID: uuid.New()}), "RedactAudit of an unknown event")
	}},
}
