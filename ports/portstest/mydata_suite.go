package portstest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// TestMyData runs the citizen's « Mes données » use case
// (ports.Citizens.MyData) over a store, so that every store answers it
// alike: what is listed, in what order, and nothing of another payer's.
// newStore returns an empty store that is also its SessionStore.
func TestMyData(t *testing.T, newStore func(t *testing.T) ports.Store) {
	t.Run("everything about the payer and their account, and nothing of another payer's", func(t *testing.T) {
		f := newMyDataFixture(t, newStore(t))
		mine, err := f.portal.Citizens().MyData(f.ctx, f.me)
		require.NoError(t, err)
		theirs, err := f.portal.Citizens().MyData(f.ctx, f.them)
		require.NoError(t, err)

		assert.True(t, mine.ReadAt.Equal(f.clock.Now()))
		assert.Equal(t, f.house.Biller.Name, mine.BillerName)
		id := mine.Identity
		assert.Equal(t, "Redevable REF001", id.Name)
		assert.Equal(t, "REF001", id.PayerRef)
		assert.Equal(t, "ref001@exemple.fr", id.PayerEmail)
		assert.Equal(t, "ref001@exemple.fr", id.AccountEmail)
		assert.True(t, id.ActivatedAt.Equal(Epoch))
		assert.False(t, id.LastLoginAt.IsZero(), "the login is recorded")
		assert.False(t, id.Paperless)

		require.NotNil(t, mine.PendingEmail, "the address change asked")
		assert.Equal(t, "nouvelle@exemple.fr", mine.PendingEmail.NewEmail)
		assert.True(t, mine.PendingEmail.ExpiresAt.After(mine.PendingEmail.AskedAt))
		assert.Nil(t, theirs.PendingEmail)
		assert.True(t, mine.Notices)
		assert.False(t, mine.Reminders, "the choice made")

		var actions []domain.AuditAction
		for _, e := range mine.Events {
			actions = append(actions, e.Action)
		}
		assert.Equal(t, []domain.AuditAction{domain.AuditEmailChangeAsked, domain.AuditMailPreferences,
			domain.AuditLoginFailed, domain.AuditLogin}, actions, "the account's events, newest first")
		for _, e := range theirs.Events {
			assert.Equal(t, domain.AuditLogin, e.Action, "theirs: their login only")
		}
		assert.Len(t, theirs.Events, 1)

		require.Len(t, mine.Invoices, 3)
		assert.Equal(t, "2025-000003", mine.Invoices[0].Number, "newest issue date first")
		assert.True(t, mine.Invoices[2].Amount.Equal(f.house.Invoices[0].Amount))
		require.Len(t, theirs.Invoices, 1)
		assert.Equal(t, "2025-900001", theirs.Invoices[0].Number)

		require.Len(t, mine.Payments, 2)
		assert.Equal(t, domain.PaymentTest, mine.Payments[0].State, "newest first")
		assert.True(t, mine.Payments[0].Test)
		assert.False(t, mine.Payments[1].Test)
		assert.Equal(t, domain.PaymentPaid, mine.Payments[1].State)
		assert.Equal(t, []string{"2025-000001"}, mine.Payments[1].InvoiceNumbers)
		assert.Empty(t, theirs.Payments)

		require.Len(t, mine.Messages, 1)
		assert.Equal(t, "Ma facture d'eau", mine.Messages[0].Subject)
		assert.Empty(t, theirs.Messages)

		require.Len(t, mine.SentNotices, 1)
		assert.Equal(t, domain.NoticeNewInvoice, mine.SentNotices[0].Kind)
		assert.Equal(t, "2025-000002", mine.SentNotices[0].InvoiceNumber)
		require.Len(t, theirs.SentNotices, 1)
		assert.Equal(t, "2025-900001", theirs.SentNotices[0].InvoiceNumber)
		assert.Empty(t, mine.Truncated)
	})
	t.Run("a citizen whose account is not theirs reads nothing", func(t *testing.T) {
		f := newMyDataFixture(t, newStore(t))
		stolen := f.me
		stolen.PayerID = f.them.PayerID
		_, err := f.portal.Citizens().MyData(f.ctx, stolen)
		assert.Equal(t, domain.NotFound, domain.ErrorCode(err))
	})
}

// myDataFixture is a biller with two payers who both activated an
// account: me (REF001, 3 invoices, two payments, a message, a notice, a
// pending address change) and them (REF002, 1 invoice, a notice).
type myDataFixture struct {
	portal   *ports.Portal
	clock    *FixedClock
	house    Household
	me, them ports.Citizen
	ctx      context.Context
}

func newMyDataFixture(t *testing.T, store ports.Store) *myDataFixture {
	t.Helper()
	sessions, ok := store.(ports.SessionStore)
	require.True(t, ok, "%T is no ports.SessionStore", store)
	params := ports.Argon2Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	const password = "demo1234"
	hash, err := ports.PasswordHasher{Params: params, Random: NewSeqRandom(2)}.Hash(password)
	require.NoError(t, err)
	f := &myDataFixture{clock: NewFixedClock(Epoch.Add(24 * time.Hour)), ctx: t.Context()}
	f.portal, err = ports.NewPortal(ports.Deps{Store: store, Sessions: sessions, Mailer: &Mailbox{}, Gateway: &FakeGateway{},
		Clock: f.clock, Random: NewSeqRandom(7)},
		ports.Config{PublicURL: "https://factures.testville.fr", Argon2: params, MailInline: true})
	require.NoError(t, err)

	var other domain.Account
	require.NoError(t, store.Atomic(f.ctx, func(tx ports.Tx) error {
		f.house = MustSeed(t, tx, hash, 3)
		payer := NewPayer(t, f.house.Biller, "REF002")
		MustSavePayer(t, tx, payer)
		other = NewAccount(t, payer)
		other.SetPassword(hash, Epoch)
		MustSaveAccount(t, tx, other)
		inv := NewInvoice(t, payer, "2025-900001", "42.00")
		MustSaveInvoices(t, tx, inv)
		_, err := tx.RecordNotice(f.ctx, f.house.Biller.ID, inv.ID, domain.NoticeNewInvoice, Epoch)
		return err
	}))
	h := f.house
	f.me = ports.Citizen{BillerID: h.Biller.ID, AccountID: h.Account.ID, PayerID: h.Payer.ID}
	f.them = ports.Citizen{BillerID: h.Biller.ID, AccountID: other.ID, PayerID: other.PayerID}

	// The account's events, through the use cases that write them.
	accounts := f.portal.CitizenAccounts()
	_, _, err = accounts.Login(f.ctx, h.Biller.ID, h.Account.Email, password, false, "")
	require.NoError(t, err)
	f.clock.Advance(time.Minute)
	_, _, err = accounts.Login(f.ctx, h.Biller.ID, h.Account.Email, "wrong password", false, "")
	require.Error(t, err)
	f.clock.Advance(time.Minute)
	_, _, err = accounts.Login(f.ctx, h.Biller.ID, other.Email, password, false, "")
	require.NoError(t, err)
	f.clock.Advance(time.Minute)
	require.NoError(t, f.portal.Citizens().SetMailPreferences(f.ctx, f.me, true, false))
	f.clock.Advance(time.Minute)
	require.NoError(t, f.portal.Citizens().RequestEmailChange(f.ctx, f.me, "nouvelle@exemple.fr", password))

	// Payments, a message and a notice, as the other use cases leave them.
	paid := NewPayment(t, h.Biller, h.Account, h.Invoices[0])
	paid.State, paid.FinishedAt, paid.Method = domain.PaymentPaid, Epoch.Add(time.Minute), domain.MethodCard
	test := NewPayment(t, h.Biller, h.Account, h.Invoices[1])
	test.State, test.CreatedAt, test.FinishedAt = domain.PaymentTest, Epoch.Add(time.Hour), Epoch.Add(time.Hour+time.Minute)
	require.NoError(t, store.Atomic(f.ctx, func(tx ports.Tx) error {
		MustSavePayment(t, tx, paid)
		MustSavePayment(t, tx, test)
		MustSaveMessage(t, tx, NewMessage(t, h.Account, "Ma facture d'eau", Epoch.Add(2*time.Hour)))
		_, err := tx.RecordNotice(f.ctx, h.Biller.ID, h.Invoices[1].ID, domain.NoticeNewInvoice, Epoch.Add(time.Hour))
		return err
	}))
	return f
}
