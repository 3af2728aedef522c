package main

import (
	"context"
	"io"
	"log"
	"log/slog"
	"mime"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/ports/demo"
)

// mailSink is a real SMTP server on loopback that hands every message it
// receives to a channel.
type mailSink struct {
	addr string
	got  chan []byte
	quit chan struct{} // a client said QUIT (or hung up)
}

func newMailSink(t *testing.T) *mailSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	sink := &mailSink{addr: ln.Addr().String(), got: make(chan []byte, 16), quit: make(chan struct{}, 16)}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) {
		return &sinkSession{sink: sink}, nil
	}))
	srv.Domain = "mx.test"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return sink
}

type sinkSession struct{ sink *mailSink }

func (s *sinkSession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (s *sinkSession) Rcpt(string, *gosmtp.RcptOptions) error { return nil }
func (s *sinkSession) Reset()                                 {}
func (s *sinkSession) Logout() error                          { s.sink.quit <- struct{}{}; return nil }
func (s *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err == nil {
		s.sink.got <- b
	}
	return err
}

// TestDemoMailsGoThroughSMTPWhenConfigured: with smtp.host set, the
// activation mail leaves through the outbox's sender to a real SMTP
// server, in French, with its link.
func TestDemoMailsGoThroughSMTPWhenConfigured(t *testing.T) {
	clearEnv(t)
	sink := newMailSink(t)
	host, port, _ := net.SplitHostPort(sink.addr)
	t.Setenv("PORTAL_SMTP_HOST", host)
	t.Setenv("PORTAL_SMTP_PORT", port)
	t.Setenv("PORTAL_SMTP_TLS", "none")
	t.Setenv("PORTAL_SMTP_FROM", "Commune de Démoville <factures@demoville.fr>")
	m := NewMain()
	m.Stdout, m.Stderr = io.Discard, io.Discard
	require.NoError(t, m.ParseArgs([]string{"serve", "--public-url", "https://factures.demoville.fr"}))
	m.Logger = discard()
	ctx := context.Background()
	_, err := m.buildHandler(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, m.Close()) })

	require.NoError(t, m.portal.CitizenAccounts().RequestActivation(ctx, demo.BillerID, demo.NewcomerEmail))
	// The demo's reminder (demo_reminders.go, the reminders job runs at
	// start) leaves too, before or after: wait for both, keep the
	// newcomer's.
	var raw []byte
	var msg *mail.Message
	received, reminded := 0, false
	for msg == nil || !reminded {
		var got []byte
		select {
		case got = <-sink.got:
		case <-time.After(10 * time.Second):
			t.Fatalf("the activation mail (%v) and the demo's reminder (%v) did not both reach the SMTP server", msg != nil, reminded)
		}
		received++
		m, err := mail.ReadMessage(strings.NewReader(string(got)))
		require.NoError(t, err)
		to, err := mail.ParseAddress(m.Header.Get("To"))
		require.NoError(t, err)
		switch to.Address {
		case demo.NewcomerEmail:
			raw, msg = got, m
		case demo.Email:
			reminded = true
		}
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	assert.Equal(t, "Accès au portail des factures", subject)
	assert.Contains(t, string(raw), "https://factures.demoville.fr/mot-de-passe?lien=")
	// Once the client has quit, its send has succeeded (one connection a
	// mail); Close then stops the sender after it has recorded what it sent.
	for range received {
		<-sink.quit
	}
	require.NoError(t, m.Close())
	c, err := m.portal.Jobs().OutboxCounts(ctx)
	require.NoError(t, err)
	assert.Zero(t, c.Pending+c.Failed, "delivered and recorded as sent")
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
