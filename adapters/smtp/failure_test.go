package smtp_test

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/smtp"
	"github.com/portail-factures/portail/domain"
)

// MustReply returns the server's reply in err.
func MustReply(tb testing.TB, err error) *smtp.Reply {
	tb.Helper()
	var r *smtp.Reply
	require.ErrorAs(tb, err, &r)
	return r
}

func TestA4xxReplyIsTemporaryAndTheNextTryDelivers(t *testing.T) {
	for _, step := range []string{"MAIL", "RCPT", "DATA"} {
		t.Run(step, func(t *testing.T) {
			s := newTestServer(t, serverOptions{})
			m := MustNew(t, plainConfig(s))
			s.fail(step, 451, 1)

			err := m.Send(context.Background(), demoMail)
			require.Error(t, err)
			assert.True(t, smtp.Temporary(err))
			assert.False(t, smtp.Permanent(err))
			assert.Equal(t, domain.Unavailable, domain.ErrorCode(err))
			assert.Equal(t, "Le message n'a pas pu être envoyé.", domain.ErrorMessage(err))
			r := MustReply(t, err)
			assert.Equal(t, 451, r.Code)
			assert.Equal(t, "4.3.0", r.Enhanced)
			assert.Equal(t, "scripted failure", r.Text)
			assert.True(t, r.Temporary())
			assert.Empty(t, s.received())

			require.NoError(t, m.Send(context.Background(), demoMail))
			MustReceiveOne(t, s)
		})
	}
}

func TestA5xxReplyIsPermanent(t *testing.T) {
	for _, tc := range []struct {
		step     string
		code     int
		enhanced string
	}{
		{"MAIL", 553, "5.1.3"},
		{"RCPT", 550, "5.1.1"},
		{"RCPT", 551, "5.1.6"},
		{"DATA", 554, "5.6.0"},
	} {
		s := newTestServer(t, serverOptions{})
		m := MustNew(t, plainConfig(s))
		s.fail(tc.step, tc.code, 1)

		err := m.Send(context.Background(), demoMail)
		assert.True(t, smtp.Permanent(err), "%s %d: %v", tc.step, tc.code, err)
		assert.False(t, smtp.Temporary(err))
		assert.Equal(t, domain.Invalid, domain.ErrorCode(err))
		r := MustReply(t, err)
		assert.Equal(t, tc.code, r.Code)
		assert.Equal(t, tc.enhanced, r.Enhanced)
		assert.ErrorContains(t, err, tc.step)
		assert.Empty(t, s.received())
	}
}

func TestServerDownIsTemporaryAndNothingIsLostWhenItComesBack(t *testing.T) {
	s := newTestServer(t, serverOptions{})
	m := MustNew(t, plainConfig(s))
	s.stop()

	err := m.Send(context.Background(), demoMail)
	assert.True(t, smtp.Temporary(err), "%v", err)
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)

	s.start()
	require.NoError(t, m.Send(context.Background(), demoMail))
	MustReceiveOne(t, s)
}

func TestCancellingTheContextAbortsPromptly(t *testing.T) {
	s := newTestServer(t, serverOptions{})
	cfg := plainConfig(s)
	cfg.Timeout = time.Hour // only the context can end this Send
	m := MustNew(t, cfg)
	held := s.holdMail()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Send(ctx, demoMail) }()

	<-held
	cancel()
	select {
	case err := <-done:
		assert.True(t, smtp.Temporary(err), "%v", err)
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(10 * time.Second):
		t.Fatal("Send still running after its context was cancelled")
	}
	assert.Empty(t, s.received())
}

func TestTheTimeoutBoundsASend(t *testing.T) {
	s := newTestServer(t, serverOptions{})
	cfg := plainConfig(s)
	cfg.Timeout = 200 * time.Millisecond
	m := MustNew(t, cfg)
	s.holdMail()

	start := time.Now()
	err := m.Send(context.Background(), demoMail)
	assert.True(t, smtp.Temporary(err), "%v", err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorContains(t, err, "no answer")
	assert.Less(t, time.Since(start), 10*time.Second)
}

func TestADoneContextConnectsToNothing(t *testing.T) {
	s := newTestServer(t, serverOptions{})
	m := MustNew(t, plainConfig(s))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := m.Send(ctx, demoMail)
	assert.True(t, smtp.Temporary(err), "%v", err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, s.accepted.Load(), "connections")
}

func TestTemporaryAndPermanentOfOtherErrors(t *testing.T) {
	assert.False(t, smtp.Temporary(nil))
	assert.False(t, smtp.Permanent(nil))
	assert.True(t, smtp.Permanent(errors.New("not a domain error")))
	assert.True(t, smtp.Temporary(domain.WrapUnavailable(errors.New("down"))))
	assert.True(t, smtp.Permanent(domain.FieldError("email", "Adresse invalide.")))
}
