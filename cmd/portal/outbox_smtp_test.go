package main

import (
	"context"
	"io"
	"log"
	"net"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/memory"
	"github.com/portail-factures/portail/adapters/smtp"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
	"github.com/portail-factures/portail/ports/portstest"
)

// replySink is a real SMTP server that answers the next DATA commands
// with a given reply code, then accepts, counting what it accepted.
type replySink struct {
	addr     string
	code     atomic.Int32 // reply to DATA while refusals > 0
	refusals atomic.Int32
	accepted atomic.Int32
}

func newReplySink(t *testing.T) *replySink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &replySink{addr: ln.Addr().String()}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) { return replySession{s}, nil }))
	srv.Domain = "mx.test"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

type replySession struct{ s *replySink }

func (r replySession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (r replySession) Rcpt(string, *gosmtp.RcptOptions) error { return nil }
func (r replySession) Reset()                                 {}
func (r replySession) Logout() error                          { return nil }
func (r replySession) Data(rd io.Reader) error {
	if _, err := io.ReadAll(rd); err != nil {
		return err
	}
	if r.s.refusals.Add(-1) >= 0 {
		code := int(r.s.code.Load())
		return &gosmtp.SMTPError{Code: code, EnhancedCode: gosmtp.EnhancedCode{code / 100, 0, 0}, Message: "refused by the test"}
	}
	r.s.accepted.Add(1)
	return nil
}

// outboxOverSMTP is the core over the memory store, sending through the
// real SMTP adapter to sink, with a fixed clock and a background sender
// driven by the test.
func outboxOverSMTP(t *testing.T, sink *replySink) (*ports.Portal, *portstest.FixedClock, ports.Citizen) {
	t.Helper()
	host, port, _ := net.SplitHostPort(sink.addr)
	p, _ := strconv.Atoi(port)
	mailer, err := smtp.New(smtp.Config{Host: host, Port: p, TLS: smtp.TLSNone, From: "Commune de Démoville <factures@demoville.fr>", Timeout: 5 * time.Second})
	require.NoError(t, err)
	store := memory.New()
	clock := portstest.NewFixedClock(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	portal, err := ports.NewPortal(ports.Deps{Store: store, Sessions: store, Mailer: mailer, Gateway: &portstest.FakeGateway{},
		Clock: clock, Random: portstest.NewSeqRandom(3)}, ports.Config{PublicURL: "https://factures.demoville.fr", Argon2: fastArgon2})
	require.NoError(t, err)
	ctx := context.Background()
	_, err = demo.Seed(ctx, store, ports.PasswordHasher{Params: fastArgon2, Random: portstest.NewSeqRandom(4)}, clock.Now())
	require.NoError(t, err)
	secret, _, err := portal.CitizenAccounts().Login(ctx, demo.BillerID, demo.Email, demo.Password, false, "")
	require.NoError(t, err)
	_, c, err := portal.CitizenAccounts().Authenticate(ctx, secret)
	require.NoError(t, err)
	return portal, clock, c
}

func TestA451ThenSuccessIsRetriedAndDeliveredOnce(t *testing.T) {
	sink := newReplySink(t)
	sink.code.Store(451)
	sink.refusals.Store(1)
	portal, clock, c := outboxOverSMTP(t, sink)
	ctx := context.Background()
	require.NoError(t, portal.Citizens().Contact(ctx, c, "Question", "Bonjour, une question sur ma facture d'eau."))

	n, err := portal.Jobs().DeliverMails(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "451: not delivered")
	counts, err := portal.Jobs().OutboxCounts(ctx)
	require.NoError(t, err)
	assert.Equal(t, ports.OutboxCounts{Pending: 1}, counts, "kept for a retry")

	clock.Advance(time.Minute)
	n, err = portal.Jobs().DeliverMails(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	clock.Advance(time.Hour)
	_, err = portal.Jobs().DeliverMails(ctx)
	require.NoError(t, err)
	assert.Equal(t, int32(1), sink.accepted.Load(), "delivered exactly once")
	counts, err = portal.Jobs().OutboxCounts(ctx)
	require.NoError(t, err)
	assert.Equal(t, ports.OutboxCounts{}, counts)
}

func TestA550IsFailedAndNotRetried(t *testing.T) {
	sink := newReplySink(t)
	sink.code.Store(550)
	sink.refusals.Store(1)
	portal, clock, c := outboxOverSMTP(t, sink)
	ctx := context.Background()
	require.NoError(t, portal.Citizens().Contact(ctx, c, "Question", "Bonjour."))
	_, err := portal.Jobs().DeliverMails(ctx)
	require.NoError(t, err)
	clock.Advance(24 * time.Hour)
	_, err = portal.Jobs().DeliverMails(ctx)
	require.NoError(t, err)
	assert.Zero(t, sink.accepted.Load())
	counts, err := portal.Jobs().OutboxCounts(ctx)
	require.NoError(t, err)
	assert.Equal(t, ports.OutboxCounts{Failed: 1}, counts)
}

func TestServerDownThenUpLosesNothing(t *testing.T) {
	// A port nobody listens on: the connection is refused.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	down := ln.Addr().String()
	require.NoError(t, ln.Close())
	sink := &replySink{addr: down}
	portal, clock, c := outboxOverSMTP(t, sink)
	ctx := context.Background()
	require.NoError(t, portal.Citizens().RequestPaperless(ctx, c))
	n, err := portal.Jobs().DeliverMails(ctx)
	require.NoError(t, err)
	assert.Zero(t, n)

	// The server comes back on the same address.
	ln, err = net.Listen("tcp", down)
	require.NoError(t, err)
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) { return replySession{sink}, nil }))
	srv.ErrorLog = log.New(io.Discard, "", 0)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	clock.Advance(time.Minute)
	n, err = portal.Jobs().DeliverMails(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, int32(1), sink.accepted.Load())
}
