package portstest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// TestRetentionJob runs ports.Jobs.RunRetention over a store, as two
// portal instances at once: newStores returns two stores over one set of
// data (two connections to one database, or one memory store twice), each
// a ports.SessionStore too. Known closed accounts, before and after the
// retention period; their invoices and payments stay whole; the outbox's
// mails that are over and older than ports.MailRetentionDays, the
// biller's and those of no biller, go, never a pending one; one audit line
// per run.
func TestRetentionJob(t *testing.T, newStores func(t *testing.T) (ports.Store, ports.Store)) {
	one, two := newStores(t)
	ctx := t.Context()
	now := Epoch.AddDate(2, 0, 0)
	clock := NewFixedClock(now)
	portal := func(s ports.Store) *ports.Portal {
		sessions, ok := s.(ports.SessionStore)
		require.True(t, ok, "%T is no ports.SessionStore", s)
		p, err := ports.NewPortal(ports.Deps{Store: s, Sessions: sessions, Mailer: &Mailbox{}, Gateway: &FakeGateway{},
			Clock: clock, Random: NewSeqRandom(11)},
			ports.Config{PublicURL: "https://factures.testville.fr", Argon2: ports.Argon2Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
		require.NoError(t, err)
		return p
	}
	p1, p2 := portal(one), portal(two)

	// A biller keeping closed accounts 12 months (the default); three
	// payers: one closed 13 months ago, one 11 months ago, one active.
	b := NewBiller(t)
	MustSaveBiller(t, one, b)
	type known struct {
		payer    domain.Payer
		account  domain.Account
		invoices []domain.Invoice
		payment  domain.Payment
		messages []domain.Message
		session  string
	}
	make1 := func(ref string, closedAgo int) known {
		k := known{payer: NewPayer(t, b, ref)}
		MustSavePayer(t, one, k.payer)
		k.account = NewAccount(t, k.payer)
		k.account.SetPassword("$argon2id$hash", Epoch)
		MustSaveAccount(t, one, k.account)
		k.invoices = []domain.Invoice{NewInvoice(t, k.payer, ref+"-1", "12.34"), NewInvoice(t, k.payer, ref+"-2", "56.78")}
		MustSaveInvoices(t, one, k.invoices...)
		k.payment = NewPayment(t, b, k.account, k.invoices[0])
		MustSavePayment(t, one, k.payment)
		k.messages = []domain.Message{NewMessage(t, k.account, "Question de "+ref, Epoch)}
		MustSaveMessage(t, one, k.messages[0])
		tok, _ := NewToken(t, k.account, domain.TokenReset)
		MustSaveToken(t, one, tok)
		require.NoError(t, one.AppendAudit(ctx, domain.AuditEvent{ID: uuid.New(), BillerID: b.ID, At: Epoch,
			Actor: domain.ActorCitizen, ActorID: k.account.ID, ActorLabel: k.account.Email, Action: domain.AuditLogin,
			Target: k.account.Email, Detail: "Connexion.", IP: "192.0.2.1"}))
		k.session = "session-" + ref
		require.NoError(t, one.(ports.SessionStore).CreateSession(ctx, ports.Session{ID: k.session, BillerID: b.ID,
			AccountID: k.account.ID, CSRFToken: "csrf", CreatedAt: Epoch, ExpiresAt: now.Add(time.Hour)}))
		if closedAgo > 0 {
			require.NoError(t, k.account.Close(now.In(domain.Paris).AddDate(0, -closedAgo, 0)))
			MustSaveAccount(t, one, k.account)
		}
		return k
	}
	old, recent, active := make1("OLD", 13), make1("RECENT", 11), make1("ACTIVE", 0)

	// The outbox: mails over (sent, failed) before and after the mails'
	// retention, one still being retried, one of no biller.
	mail := func(biller uuid.UUID, ago time.Duration, state ports.OutboxState) ports.OutboxMail {
		m := outboxMail(t, "paul@exemple.fr", now.Add(-ago))
		m.Mail.BillerID = biller
		require.NoError(t, one.EnqueueMail(ctx, m))
		m.State, m.Attempts, m.NextAttemptAt = state, 1, now.Add(time.Hour)
		if state == ports.OutboxSent {
			m.SentAt = m.CreatedAt.Add(time.Minute)
		}
		require.NoError(t, one.SaveMailResult(ctx, m))
		return m
	}
	day := 24 * time.Hour
	oldSent := mail(b.ID, ports.MailRetentionDays*day+time.Minute, ports.OutboxSent)
	oldFailed := mail(b.ID, 200*day, ports.OutboxFailed)
	oldRetried := mail(b.ID, 200*day, ports.OutboxPending)
	recentSent := mail(b.ID, (ports.MailRetentionDays-1)*day, ports.OutboxSent)
	orphan := mail(uuid.Nil, 200*day, ports.OutboxSent)
	kept := func(m ports.OutboxMail) bool {
		t.Helper()
		err := one.SaveMailResult(ctx, m) // the same result again: found or not
		if domain.ErrorCode(err) == domain.NotFound {
			return false
		}
		require.NoError(t, err)
		return true
	}

	run := func(p *ports.Portal) int {
		n, err := p.Jobs().RunRetention(ctx)
		require.NoError(t, err)
		return n
	}
	retentionLines := func() []domain.AuditEvent {
		list, _, err := one.AuditEvents(ctx, ports.AuditQuery{BillerID: b.ID, Action: domain.AuditRetention})
		require.NoError(t, err)
		return list
	}
	untouched := func(k known, what string) {
		t.Helper()
		a, err := one.Account(ctx, k.account.ID)
		require.NoError(t, err)
		AssertSame(t, k.account, a, what+": account")
		msgs, err := one.AccountMessages(ctx, k.account.ID)
		require.NoError(t, err)
		AssertSame(t, k.messages, msgs, what+": messages")
		events, err := one.AccountAuditEvents(ctx, b.ID, k.account.ID)
		require.NoError(t, err)
		require.Len(t, events, 1, what+": audit")
		assert.Equal(t, k.account.Email, events[0].ActorLabel, what)
		_, err = one.(ports.SessionStore).Session(ctx, k.session)
		require.NoError(t, err, what+": session")
	}
	accountsKept := func(k known, what string) {
		t.Helper()
		for _, inv := range k.invoices {
			got, err := one.Invoice(ctx, inv.ID)
			require.NoError(t, err)
			AssertSame(t, inv, got, what+": invoice")
		}
		pay, err := one.Payment(ctx, k.payment.ID)
		require.NoError(t, err)
		AssertSame(t, k.payment, pay, what+": payment")
		payer, err := one.Payer(ctx, k.payer.ID)
		require.NoError(t, err)
		AssertSame(t, k.payer, payer, what+": payer")
	}
	erased := func(k known, what string) {
		t.Helper()
		a, err := one.Account(ctx, k.account.ID)
		require.NoError(t, err)
		assert.Empty(t, a.Email, what)
		assert.Empty(t, a.PasswordHash, what)
		assert.Equal(t, domain.AccountClosed, a.State, what)
		assert.False(t, a.AnonymisedAt.IsZero(), what)
		assert.Equal(t, k.payer.ID, a.PayerID, what+": the payments still refer to it")
		msgs, err := one.AccountMessages(ctx, k.account.ID)
		require.NoError(t, err)
		require.Len(t, msgs, 1)
		assert.Equal(t, domain.Anonymised, msgs[0].Subject, what)
		assert.Equal(t, domain.Anonymised, msgs[0].Body, what)
		assert.Empty(t, msgs[0].FromEmail, what)
		events, err := one.AccountAuditEvents(ctx, b.ID, k.account.ID)
		require.NoError(t, err)
		assert.Empty(t, events, what+": no audit line names the account any more")
		lines, _, err := one.AuditEvents(ctx, ports.AuditQuery{BillerID: b.ID, Text: k.account.Email})
		require.NoError(t, err)
		assert.Empty(t, lines, what+": no audit line has its address")
		open, err := one.OpenTokens(ctx, k.account.ID, domain.TokenReset)
		require.NoError(t, err)
		assert.Empty(t, open, what+": links")
		_, err = one.(ports.SessionStore).Session(ctx, k.session)
		assert.Equal(t, domain.NotFound, domain.ErrorCode(err), what+": session")
	}

	t.Run("two instances at once erase the account past the retention once, and write one audit line", func(t *testing.T) {
		var wg sync.WaitGroup
		counts := make([]int, 2)
		for i, p := range []*ports.Portal{p1, p2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := p.Jobs().RunRetention(context.WithoutCancel(ctx))
				assert.NoError(t, err)
				counts[i] = n
			}()
		}
		wg.Wait()
		assert.Equal(t, 1, counts[0]+counts[1])
		erased(old, "closed 13 months ago")
		untouched(recent, "closed 11 months ago")
		untouched(active, "active")
		for _, k := range []known{old, recent, active} {
			accountsKept(k, k.payer.ExternalRef)
		}
		lines := retentionLines()
		require.Len(t, lines, 1)
		assert.Equal(t, domain.ActorSystem, lines[0].Actor)
		assert.Contains(t, lines[0].Detail, "1 compte clos depuis plus de 12 mois anonymisé")
		assert.Contains(t, lines[0].Detail, "messages effacés : 1 ; lignes du journal rendues anonymes : 1 ; liens supprimés : 1")
		assert.Contains(t, lines[0].Detail, "2 courriels de plus de 90 jours (envoyés ou abandonnés) effacés de la file d'envoi.")
		assert.False(t, kept(oldSent), "sent over 90 days ago")
		assert.False(t, kept(oldFailed), "failed over 90 days ago")
		assert.False(t, kept(orphan), "of no biller")
		assert.True(t, kept(oldRetried), "still being retried: never purged")
		assert.True(t, kept(recentSent), "sent 89 days ago")
	})

	t.Run("a second run the same day does nothing", func(t *testing.T) {
		assert.Zero(t, run(p1))
		assert.Zero(t, run(p2))
		assert.Len(t, retentionLines(), 1)
	})

	t.Run("the next day's run says what it did, even nothing", func(t *testing.T) {
		clock.Advance(24 * time.Hour)
		assert.Zero(t, run(p2))
		lines := retentionLines()
		require.Len(t, lines, 2)
		assert.Contains(t, lines[0].Detail, "Aucun compte clos depuis plus de 12 mois à anonymiser")
		assert.NotContains(t, lines[0].Detail, "courriel", "no mail to purge, nothing said")
		untouched(recent, "closed 11 months ago")
	})

	t.Run("once past its retention the other account goes too, and an erased account is not erased again", func(t *testing.T) {
		clock.Advance(31 * 24 * time.Hour)
		before, err := one.Account(ctx, old.account.ID)
		require.NoError(t, err)
		assert.Equal(t, 1, run(p1))
		erased(recent, "closed 12 months and a day ago")
		again, err := one.Account(ctx, old.account.ID)
		require.NoError(t, err)
		AssertSame(t, before, again, "erased once")
		untouched(active, "active")
		for _, k := range []known{old, recent, active} {
			accountsKept(k, k.payer.ExternalRef)
		}
		lines := retentionLines()
		require.Len(t, lines, 3)
		assert.Contains(t, lines[0].Detail, "1 courriel de plus de 90 jours (envoyé ou abandonné) effacé de la file d'envoi.")
		assert.False(t, kept(recentSent), "now 121 days old")
		assert.True(t, kept(oldRetried), "still being retried: never purged")
	})
}
