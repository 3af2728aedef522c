package smtp_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/smtp"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

const from = "Commune de Démoville <factures@demoville.fr>"

// demoMail has every accent the portal's French mails carry.
var demoMail = ports.Mail{
	To:      "jeanne.dupont@example.org",
	ReplyTo: "Service des eaux <eaux@demoville.fr>",
	Subject: "Démoville : votre facture de 243,11 € est à régler avant l'échéance",
	Text:    "Bonjour,\n\nVotre facture de 243,11 € est à régler avant l'échéance.\n\nCommune de Démoville\n",
	HTML:    "<p>Bonjour,</p>\n<p>Votre facture de <strong>243,11 €</strong> est à régler avant l'échéance.</p>\n<p>Commune de Démoville</p>\n",
}

// plainConfig reaches s on loopback without TLS.
func plainConfig(s *testServer) smtp.Config {
	return smtp.Config{Host: "127.0.0.1", Port: s.port(), From: from, TLS: smtp.TLSNone, Timeout: 10 * time.Second}
}

// MustNew is smtp.New that fails the test on an error.
func MustNew(tb testing.TB, cfg smtp.Config) *smtp.Mailer {
	tb.Helper()
	m, err := smtp.New(cfg)
	require.NoError(tb, err)
	return m
}

// MustReceiveOne returns the only message s received.
func MustReceiveOne(tb testing.TB, s *testServer) received {
	tb.Helper()
	got := s.received()
	require.Len(tb, got, 1, "messages received")
	return got[0]
}

func TestSendDeliversOneMultipartMessage(t *testing.T) {
	s := newTestServer(t, serverOptions{})
	m := MustNew(t, plainConfig(s))
	before := time.Now().Truncate(time.Second)
	require.NoError(t, m.Send(context.Background(), demoMail))
	after := time.Now()

	r := MustReceiveOne(t, s)
	assert.Equal(t, "factures@demoville.fr", r.From, "envelope sender")
	assert.Equal(t, []string{"jeanne.dupont@example.org"}, r.To, "envelope recipient")
	for i, b := range r.Data {
		require.Less(t, b, byte(0x80), "byte %d is not 7-bit: accents must be encoded", i)
	}

	msg, err := netmail.ReadMessage(bytes.NewReader(r.Data))
	require.NoError(t, err)
	h := msg.Header
	fromList, err := h.AddressList("From")
	require.NoError(t, err)
	assert.Equal(t, []*netmail.Address{{Name: "Commune de Démoville", Address: "factures@demoville.fr"}}, fromList)
	toList, err := h.AddressList("To")
	require.NoError(t, err)
	assert.Equal(t, []*netmail.Address{{Address: "jeanne.dupont@example.org"}}, toList)
	replyTo, err := h.AddressList("Reply-To")
	require.NoError(t, err)
	assert.Equal(t, []*netmail.Address{{Name: "Service des eaux", Address: "eaux@demoville.fr"}}, replyTo)
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	require.NoError(t, err)
	assert.Equal(t, demoMail.Subject, subject)
	date, err := h.Date()
	require.NoError(t, err)
	assert.False(t, date.Before(before) || date.After(after), "Date %v not within the Send", date)
	assert.Regexp(t, `^<[A-Za-z0-9]{20,}@demoville\.fr>$`, h.Get("Message-Id"))
	assert.Equal(t, "1.0", h.Get("Mime-Version"))
	assert.Empty(t, h.Get("Bcc"))
	assert.Empty(t, h.Get("User-Agent"), "go-mail's advertisement")

	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "multipart/alternative", mediaType)
	parts := readParts(t, msg.Body, params["boundary"])
	require.Len(t, parts, 2)
	assert.Equal(t, "text/plain; charset=UTF-8", parts[0].contentType)
	assert.Equal(t, demoMail.Text, parts[0].body)
	assert.Equal(t, "text/html; charset=UTF-8", parts[1].contentType)
	assert.Equal(t, demoMail.HTML, parts[1].body)
}

func TestSendWithAttachmentsAndOneClickUnsubscribe(t *testing.T) {
	s := newTestServer(t, serverOptions{})
	m := MustNew(t, plainConfig(s))
	pdf := []byte("%PDF-1.7\n\x00\xff binaire \xe9\n")
	mail := demoMail
	mail.Unsubscribe = "https://factures.demoville.fr/desabonnement/Zx8-jeton?type=rappels"
	mail.Attachments = []ports.Attachment{
		{Name: "reçu-PF2026-0001.pdf", ContentType: "application/pdf", Data: pdf},
		{Name: "note.txt", ContentType: "text/plain; charset=utf-8", Data: []byte("échéance\n")},
	}
	require.NoError(t, m.Send(context.Background(), mail))

	r := MustReceiveOne(t, s)
	for i, b := range r.Data {
		require.Less(t, b, byte(0x80), "byte %d is not 7-bit", i)
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(r.Data))
	require.NoError(t, err)
	assert.Equal(t, "<"+mail.Unsubscribe+">", msg.Header.Get("List-Unsubscribe"))
	assert.Equal(t, "List-Unsubscribe=One-Click", msg.Header.Get("List-Unsubscribe-Post"), "RFC 8058")

	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "multipart/mixed", mediaType)
	mr := multipart.NewReader(msg.Body, params["boundary"])
	first, err := mr.NextRawPart()
	require.NoError(t, err)
	altType, altParams, err := mime.ParseMediaType(first.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "multipart/alternative", altType)
	body := readParts(t, first, altParams["boundary"])
	require.Len(t, body, 2)
	assert.Equal(t, demoMail.Text, body[0].body)
	assert.Equal(t, demoMail.HTML, body[1].body)

	for _, want := range mail.Attachments {
		p, err := mr.NextRawPart()
		require.NoError(t, err, want.Name)
		ct, _, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		require.NoError(t, err)
		wantType, _, _ := mime.ParseMediaType(want.ContentType)
		assert.Equal(t, wantType, ct)
		_, dp, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
		require.NoError(t, err)
		// go-mail writes a name that is not ASCII as RFC 2047 encoded
		// words, which mail readers decode in this parameter too.
		name, err := new(mime.WordDecoder).DecodeHeader(dp["filename"])
		require.NoError(t, err)
		assert.Equal(t, want.Name, name)
		assert.Equal(t, "base64", p.Header.Get("Content-Transfer-Encoding"))
		data, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, p))
		require.NoError(t, err)
		assert.Equal(t, want.Data, data, want.Name)
	}
	_, err = mr.NextRawPart()
	assert.ErrorIs(t, err, io.EOF, "nothing else")
}

type part struct{ contentType, body string }

// readParts decodes each part by its Content-Transfer-Encoding, which must
// be one that keeps 8-bit text intact over 7-bit relays.
func readParts(t *testing.T, body io.Reader, boundary string) []part {
	t.Helper()
	var parts []part
	mr := multipart.NewReader(body, boundary)
	for {
		p, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) {
			return parts
		}
		require.NoError(t, err)
		var dec io.Reader
		switch cte := p.Header.Get("Content-Transfer-Encoding"); cte {
		case "quoted-printable":
			dec = quotedprintable.NewReader(p)
		case "base64":
			dec = base64.NewDecoder(base64.StdEncoding, p)
		default:
			t.Fatalf("Content-Transfer-Encoding %q", cte)
		}
		b, err := io.ReadAll(dec)
		require.NoError(t, err)
		parts = append(parts, part{p.Header.Get("Content-Type"), strings.ReplaceAll(string(b), "\r\n", "\n")})
	}
}

func TestEveryMessageHasItsOwnMessageID(t *testing.T) {
	s := newTestServer(t, serverOptions{})
	m := MustNew(t, plainConfig(s))
	for range 3 {
		require.NoError(t, m.Send(context.Background(), demoMail))
	}
	ids := map[string]bool{}
	for _, r := range s.received() {
		msg, err := netmail.ReadMessage(bytes.NewReader(r.Data))
		require.NoError(t, err)
		ids[msg.Header.Get("Message-Id")] = true
	}
	assert.Len(t, ids, 3)
}

func TestSendWithoutHTMLIsPlainText(t *testing.T) {
	s := newTestServer(t, serverOptions{})
	mail := demoMail
	mail.HTML = ""
	require.NoError(t, MustNew(t, plainConfig(s)).Send(context.Background(), mail))
	msg, err := netmail.ReadMessage(bytes.NewReader(MustReceiveOne(t, s).Data))
	require.NoError(t, err)
	assert.Equal(t, "text/plain; charset=UTF-8", msg.Header.Get("Content-Type"))
	b, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	require.NoError(t, err)
	assert.Equal(t, mail.Text, strings.ReplaceAll(string(b), "\r\n", "\n"))
}

func TestConcurrentSendsEachDeliverOnce(t *testing.T) {
	s := newTestServer(t, serverOptions{})
	m := MustNew(t, plainConfig(s))
	const n = 8
	errs := make(chan error, n)
	for range n {
		go func() { errs <- m.Send(context.Background(), demoMail) }()
	}
	for range n {
		require.NoError(t, <-errs)
	}
	assert.Len(t, s.received(), n)
}

func TestTLS(t *testing.T) {
	serverTLS, clientTLS := newCA(t)
	t.Run("STARTTLS upgrades the connection before MAIL", func(t *testing.T) {
		s := newTestServer(t, serverOptions{TLS: serverTLS})
		m := MustNew(t, smtp.Config{Host: "127.0.0.1", Port: s.port(), From: from, TLSConfig: clientTLS})
		require.NoError(t, m.Send(context.Background(), demoMail))
		assert.True(t, MustReceiveOne(t, s).TLS)
	})
	t.Run("implicit TLS speaks TLS from the first byte", func(t *testing.T) {
		s := newTestServer(t, serverOptions{TLS: serverTLS, Implicit: true})
		m := MustNew(t, smtp.Config{Host: "127.0.0.1", Port: s.port(), From: from, TLS: smtp.TLSImplicit, TLSConfig: clientTLS})
		require.NoError(t, m.Send(context.Background(), demoMail))
		assert.True(t, MustReceiveOne(t, s).TLS)
	})
	t.Run("a certificate the client does not trust is a temporary failure", func(t *testing.T) {
		for _, mode := range []string{smtp.TLSStartTLS, smtp.TLSImplicit} {
			s := newTestServer(t, serverOptions{TLS: serverTLS, Implicit: mode == smtp.TLSImplicit})
			m := MustNew(t, smtp.Config{Host: "127.0.0.1", Port: s.port(), From: from, TLS: mode})
			err := m.Send(context.Background(), demoMail)
			assert.True(t, smtp.Temporary(err), "%s: %v", mode, err)
			assert.ErrorContains(t, err, "certificate", mode)
			assert.Empty(t, s.received(), mode)
		}
	})
	t.Run("a server without STARTTLS gets nothing in clear", func(t *testing.T) {
		s := newTestServer(t, serverOptions{})
		m := MustNew(t, smtp.Config{Host: "127.0.0.1", Port: s.port(), From: from, TLSConfig: clientTLS})
		err := m.Send(context.Background(), demoMail)
		assert.True(t, smtp.Temporary(err), "%v", err)
		assert.ErrorContains(t, err, "STARTTLS")
		assert.Empty(t, s.received())
	})
}

func TestAuth(t *testing.T) {
	const user, pass = "portail", "s3cret-Démoville"
	serverTLS, clientTLS := newCA(t)
	config := func(s *testServer, password string) smtp.Config {
		return smtp.Config{Host: "127.0.0.1", Port: s.port(), From: from, TLSConfig: clientTLS,
			Username: user, Password: password}
	}
	t.Run("PLAIN with the right password delivers", func(t *testing.T) {
		s := newTestServer(t, serverOptions{TLS: serverTLS, User: user, Pass: pass})
		require.NoError(t, MustNew(t, config(s, pass)).Send(context.Background(), demoMail))
		MustReceiveOne(t, s)
	})
	t.Run("LOGIN when the server offers nothing else", func(t *testing.T) {
		s := newTestServer(t, serverOptions{TLS: serverTLS, User: user, Pass: pass, Mechanisms: []string{"LOGIN"}})
		require.NoError(t, MustNew(t, config(s, pass)).Send(context.Background(), demoMail))
		MustReceiveOne(t, s)
	})
	t.Run("a wrong password is permanent and not in the error", func(t *testing.T) {
		s := newTestServer(t, serverOptions{TLS: serverTLS, User: user, Pass: pass})
		const wrong = "wrong-Password-42"
		err := MustNew(t, config(s, wrong)).Send(context.Background(), demoMail)
		require.Error(t, err)
		assert.True(t, smtp.Permanent(err), "%v", err)
		assert.Equal(t, domain.Invalid, domain.ErrorCode(err))
		var reply *smtp.Reply
		require.ErrorAs(t, err, &reply)
		assert.Equal(t, 535, reply.Code)
		assert.Equal(t, "5.7.8", reply.Enhanced)
		for _, secret := range []string{wrong, base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + wrong))} {
			assert.NotContains(t, err.Error(), secret)
			assert.NotContains(t, fmt.Sprintf("%+v %#v", err, err), secret)
		}
		assert.Empty(t, s.received())
	})
	t.Run("AUTH in clear is allowed to a loopback relay", func(t *testing.T) {
		s := newTestServer(t, serverOptions{User: user, Pass: pass, InsecureAuth: true})
		cfg := plainConfig(s)
		cfg.Username, cfg.Password = user, pass
		require.NoError(t, MustNew(t, cfg).Send(context.Background(), demoMail))
		MustReceiveOne(t, s)
	})
	t.Run("a server that offers no AUTH is a temporary failure", func(t *testing.T) {
		s := newTestServer(t, serverOptions{TLS: serverTLS})
		err := MustNew(t, config(s, pass)).Send(context.Background(), demoMail)
		assert.True(t, smtp.Temporary(err), "%v", err)
		assert.Empty(t, s.received())
	})
}

func TestNewAppliesDefaults(t *testing.T) {
	for _, tc := range []struct{ tls, host, want string }{
		{"", "mail.demoville.fr", "mail.demoville.fr:587"},
		{"STARTTLS", "mail.demoville.fr", "mail.demoville.fr:587"},
		{smtp.TLSImplicit, "mail.demoville.fr", "mail.demoville.fr:465"},
		{smtp.TLSNone, "::1", "[::1]:25"},
	} {
		m := MustNew(t, smtp.Config{Host: tc.host, From: from, TLS: tc.tls})
		assert.Equal(t, tc.want, m.Addr(), tc.tls)
	}
}

func TestNewRefusesABadConfig(t *testing.T) {
	ok := smtp.Config{Host: "mail.demoville.fr", From: from}
	for name, edit := range map[string]func(*smtp.Config){
		"no host":                           func(c *smtp.Config) { c.Host = "" },
		"an unknown TLS mode":               func(c *smtp.Config) { c.TLS = "ssl" },
		"a port out of range":               func(c *smtp.Config) { c.Port = 70000 },
		"a negative timeout":                func(c *smtp.Config) { c.Timeout = -time.Second },
		"no From":                           func(c *smtp.Config) { c.From = "" },
		"two From addresses":                func(c *smtp.Config) { c.From = "a@demoville.fr, b@demoville.fr" },
		"a line break in From's name":       func(c *smtp.Config) { c.From = "Démoville\r\nBcc: x@evil.test <factures@demoville.fr>" },
		"an encoded line break in From":     func(c *smtp.Config) { c.From = "=?utf-8?q?D=0D=0ABcc:_x@evil.test?= <factures@demoville.fr>" },
		"a non-ASCII From domain":           func(c *smtp.Config) { c.From = "factures@démoville.fr" },
		"AUTH in clear to a distant host":   func(c *smtp.Config) { c.TLS, c.Username, c.Password = smtp.TLSNone, "u", "p" },
		"a HELO name with a space":          func(c *smtp.Config) { c.HeloName = "mail demoville.fr" },
		"a HELO name with a line break":     func(c *smtp.Config) { c.HeloName = "mail\r\nRCPT TO:<x@evil.test>" },
		"a host with a control character":   func(c *smtp.Config) { c.Host = "mail\x00.demoville.fr" },
		"a host that is a Unix socket path": func(c *smtp.Config) { c.Host = "unix:///run/smtp.sock" },
		"a host with its port":              func(c *smtp.Config) { c.Host = "mail.demoville.fr:587" },
	} {
		cfg := ok
		edit(&cfg)
		_, err := smtp.New(cfg)
		assert.Equal(t, domain.Invalid, domain.ErrorCode(err), "%s: %v", name, err)
	}
	_, err := smtp.New(ok)
	assert.NoError(t, err)
}

func TestConfigNeverPrintsThePassword(t *testing.T) {
	cfg := smtp.Config{Host: "mail.demoville.fr", From: from, Username: "u", Password: "s3cret"}
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, cfg), fmt.Sprint(&cfg)} {
		assert.NotContains(t, s, "s3cret")
	}
	assert.NotContains(t, cfg.LogValue().String(), "s3cret")
	assert.True(t, regexp.MustCompile(`Password:\[redacted\]`).MatchString(cfg.String()))
}
