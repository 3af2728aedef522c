package ports_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

var (
	errTemporary = domain.WrapUnavailable(errors.New("451 4.3.0 try again later"))
	errPermanent = &domain.Error{Code: domain.Invalid, Message: "Le message n'a pas pu être envoyé.", Err: errors.New("550 5.1.1 no such user")}
)

func (e *env) counts(t *testing.T) ports.OutboxCounts {
	t.Helper()
	c, err := e.portal.Jobs().OutboxCounts(e.ctx)
	require.NoError(t, err)
	return c
}

func TestTemporaryFailureIsRetriedAndDeliveredOnce(t *testing.T) {
	e := newEnv(t)
	e.mails.FailNext(2, errTemporary)
	require.NoError(t, e.portal.CitizenAccounts().RequestActivation(e.ctx, e.biller(), "ref002@exemple.fr"), "the citizen is told the mail is on its way")
	assert.Empty(t, e.mails.Mails())
	assert.Equal(t, ports.OutboxCounts{Pending: 1}, e.counts(t), "kept in the outbox")

	n, err := e.portal.Jobs().DeliverMails(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "not due before its retry time")

	e.advance(time.Minute)
	n, err = e.portal.Jobs().DeliverMails(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "second failure")
	e.advance(time.Minute)
	n, err = e.portal.Jobs().DeliverMails(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "the delay doubles: 2 minutes after the second failure")

	e.advance(time.Minute)
	n, err = e.portal.Jobs().DeliverMails(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Len(t, e.mails.To("ref002@exemple.fr"), 1)
	assert.Equal(t, ports.OutboxCounts{}, e.counts(t))

	e.advance(time.Hour)
	n, err = e.portal.Jobs().DeliverMails(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, n)
	assert.Len(t, e.mails.To("ref002@exemple.fr"), 1, "never sent twice")
}

func TestPermanentFailureIsNotRetried(t *testing.T) {
	e := newEnv(t)
	e.mails.FailNext(1, errPermanent)
	require.NoError(t, e.portal.Citizens().Contact(e.ctx, e.citizen, "Objet", "Message"))
	assert.Equal(t, ports.OutboxCounts{Failed: 1}, e.counts(t))
	e.advance(2 * time.Hour)
	n, err := e.portal.Jobs().DeliverMails(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, n)
	assert.Empty(t, e.mails.Mails())
}

func TestRetriesStopAtTheBoundedAge(t *testing.T) {
	e := newEnv(t)
	e.mails.FailNext(1000, errTemporary)
	require.NoError(t, e.portal.Citizens().RequestPaperless(e.ctx, e.citizen))
	for i := 0; i < 60 && e.counts(t).Pending > 0; i++ {
		e.advance(time.Hour)
		_, err := e.portal.Jobs().DeliverMails(e.ctx)
		require.NoError(t, err)
	}
	assert.Equal(t, ports.OutboxCounts{Failed: 1}, e.counts(t), "given up after 24 hours")
}

func TestNoMailForARolledBackChange(t *testing.T) {
	e := newEnv(t)
	err := e.portal.Citizens().RequestEmailChange(e.ctx, e.citizen, "ref002@exemple.fr", password)
	require.ErrorIs(t, err, domain.ErrEmailTaken)
	assert.Equal(t, ports.OutboxCounts{}, e.counts(t))
	assert.Empty(t, e.mails.Mails())
}

func TestBackgroundDeliveryIsSignalled(t *testing.T) {
	e := newEnv(t, func(c *ports.Config) { c.MailInline = false })
	require.NoError(t, e.portal.CitizenAccounts().RequestActivation(e.ctx, e.biller(), "ref002@exemple.fr"))
	assert.Empty(t, e.mails.Mails(), "the use case does not wait for the mail server")
	select {
	case <-e.portal.Jobs().MailsWaiting():
	default:
		t.Fatal("the sender was not woken")
	}
	n, err := e.portal.Jobs().DeliverMails(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

// TestConcurrentSendersDeliverEachMailOnce runs several senders at once, as
// several portal instances would: each mail leaves exactly once.
func TestConcurrentSendersDeliverEachMailOnce(t *testing.T) {
	e := newEnv(t, func(c *ports.Config) { c.MailInline = false })
	for i := 0; i < 30; i++ {
		require.NoError(t, e.portal.Citizens().Contact(e.ctx, e.citizen, "Objet", "Message"))
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.portal.Jobs().DeliverMails(e.ctx)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Len(t, e.mails.Mails(), 30)
	assert.Equal(t, ports.OutboxCounts{}, e.counts(t))
}

// closingMailer closes the account, through the portal, while it sends a
// mail to its address: the closure cancels the very mail being sent.
type closingMailer struct {
	e    *env
	once sync.Once
}

func (m *closingMailer) Send(ctx context.Context, mail ports.Mail) error {
	m.once.Do(func() {
		if err := m.e.portal.Citizens().CloseAccount(ctx, m.e.citizen, password); err != nil {
			panic(err)
		}
	})
	return m.e.mails.Send(ctx, mail)
}

func TestMailCancelledWhileBeingSent(t *testing.T) {
	e := newEnv(t, func(c *ports.Config) { c.MailInline = false })
	sender, err := ports.NewPortal(ports.Deps{
		Store: e.store, Sessions: e.store, Mailer: &closingMailer{e: e}, Gateway: e.gateway, Clock: e.clock,
	}, ports.Config{PublicURL: "https://factures.testville.fr/", Argon2: fastArgon2})
	require.NoError(t, err)
	require.NoError(t, e.portal.CitizenAccounts().RequestPasswordReset(e.ctx, e.biller(), "ref001@exemple.fr"))
	n, err := sender.Jobs().DeliverMails(e.ctx)
	require.NoError(t, err, "a mail gone from the outbox is no error")
	assert.Equal(t, 1, n, "the reset link, already on its way")
	n, err = sender.Jobs().DeliverMails(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "the closure's confirmation")
	assert.Equal(t, ports.OutboxCounts{}, e.counts(t))
	to := e.mails.To("ref001@exemple.fr")
	require.Len(t, to, 2)
	assert.Contains(t, to[1].Subject, "votre compte est clos")
}
