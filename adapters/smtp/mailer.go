// Package smtp is the Mailer port over SMTP: it sends the messages that the
// core has already rendered in French, through the operator's mail server,
// with github.com/wneessen/go-mail.
//
// One Send is one connection: dial, STARTTLS or implicit TLS, AUTH when a
// username is set, one MAIL FROM, one RCPT TO, DATA, QUIT. There is no pool
// and no retry here: the durable outbox retries what Temporary reports, and
// gives up on what Permanent reports.
package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	netmail "net/mail"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The values of Config.TLS.
const (
	// TLSStartTLS connects in clear and upgrades with STARTTLS (RFC 3207),
	// refusing a server that does not offer it. The default, on port 587.
	TLSStartTLS = "starttls"
	// TLSImplicit speaks TLS from the first byte (RFC 8314), on port 465.
	TLSImplicit = "tls"
	// TLSNone never encrypts: only for a relay on the same host, on port 25.
	TLSNone = "none"
)

// DefaultTimeout bounds one Send, from the dial to the QUIT.
const DefaultTimeout = 15 * time.Second

// Config holds the mailer's settings. Host and From are required.
type Config struct {
	Host string
	// Port defaults to 587 for TLSStartTLS, 465 for TLSImplicit and 25 for
	// TLSNone.
	Port int
	// Username turns on AUTH; PLAIN is preferred, then LOGIN, then what
	// go-mail discovers. The credentials never cross an unencrypted
	// connection, except to a loopback host.
	Username string
	Password string
	// From is the sender of every message, an address with an optional
	// display name: "Commune de Démoville <factures@demoville.fr>". Its
	// domain also names the Message-IDs.
	From string
	// TLS is TLSStartTLS (default), TLSImplicit or TLSNone.
	TLS string
	// Timeout bounds one Send, from the dial to the QUIT. Default
	// DefaultTimeout.
	Timeout time.Duration
	// TLSConfig replaces the default TLS settings (system roots, TLS 1.2 at
	// least, the server's certificate checked against Host); tests use it to
	// trust their own CA. ServerName defaults to Host.
	TLSConfig *tls.Config
	// HeloName is the name given in EHLO. Default: this machine's hostname.
	HeloName string
}

// String describes c for logs, without the password.
func (c Config) String() string {
	pw := ""
	if c.Password != "" {
		pw = "[redacted]"
	}
	return fmt.Sprintf("smtp.Config{Host:%q Port:%d Username:%q Password:%s From:%q TLS:%q Timeout:%s HeloName:%q}",
		c.Host, c.Port, c.Username, pw, c.From, c.TLS, c.Timeout, c.HeloName)
}

// GoString is String, so that %#v does not print the password either.
func (c Config) GoString() string { return c.String() }

// LogValue keeps the password out of slog records.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// Mailer is ports.Mailer over SMTP. It is safe for concurrent use: each
// Send has a connection of its own.
type Mailer struct {
	host, addr  string
	implicitTLS bool
	timeout     time.Duration
	tlsConfig   *tls.Config
	from        *netmail.Address
	domain      string // of From, for Message-IDs
	options     []gomail.Option
}

var _ ports.Mailer = (*Mailer)(nil)

// New checks cfg, applies its defaults and returns the mailer. It connects
// to nothing: a server that is down shows at the first Send. Its errors are
// *domain.Error with code Invalid and the detail in English.
func New(cfg Config) (*Mailer, error) {
	host := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(cfg.Host), "["), "]")
	if host == "" || strings.ContainsAny(host, " /") || hasControl(host) {
		return nil, configError("host %q: want a host name or an IP address", cfg.Host)
	}
	if strings.Contains(host, ":") && net.ParseIP(host) == nil {
		return nil, configError("host %q: give the port in Port", cfg.Host)
	}
	mode := strings.ToLower(strings.TrimSpace(cfg.TLS))
	port := cfg.Port
	switch mode {
	case "", TLSStartTLS:
		mode = TLSStartTLS
		port = orDefault(port, 587)
	case TLSImplicit:
		port = orDefault(port, 465)
	case TLSNone:
		port = orDefault(port, 25)
	default:
		return nil, configError("tls %q: want %q, %q or %q", cfg.TLS, TLSStartTLS, TLSImplicit, TLSNone)
	}
	if port < 1 || port > 65535 {
		return nil, configError("port %d: want 1 to 65535", port)
	}
	if cfg.Timeout < 0 {
		return nil, configError("negative timeout")
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	from, err := parseAddress("From", cfg.From)
	if err != nil {
		return nil, configError("%v", err)
	}
	idDomain, err := senderDomain(from.Address)
	if err != nil {
		return nil, err
	}
	if hasControl(cfg.HeloName) || strings.Contains(cfg.HeloName, " ") {
		return nil, configError("helo name %q: want one word", cfg.HeloName)
	}
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.TLSConfig != nil {
		tlsConfig = cfg.TLSConfig.Clone()
	}
	if tlsConfig.ServerName == "" {
		tlsConfig.ServerName = host
	}

	m := &Mailer{
		host: host, addr: net.JoinHostPort(host, strconv.Itoa(port)),
		implicitTLS: mode == TLSImplicit, timeout: timeout, tlsConfig: tlsConfig,
		from: from, domain: idDomain,
	}
	m.options = []gomail.Option{gomail.WithPort(port), gomail.WithTimeout(timeout), gomail.WithTLSConfig(tlsConfig)}
	switch mode {
	case TLSStartTLS:
		// Mandatory: a server (or a man in the middle) that drops STARTTLS
		// from its EHLO answer gets nothing in clear.
		m.options = append(m.options, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSImplicit:
		// The dialer does the handshake (see dial); WithSSL keeps go-mail
		// from trying STARTTLS inside it.
		m.options = append(m.options, gomail.WithSSL())
	case TLSNone:
		m.options = append(m.options, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if cfg.HeloName != "" {
		m.options = append(m.options, gomail.WithHELO(cfg.HeloName))
	}
	if cfg.Username != "" {
		prefer := []gomail.SMTPAuthType{gomail.SMTPAuthPlain, gomail.SMTPAuthLogin}
		if mode == TLSNone {
			if !isLoopback(host) {
				return nil, configError("AUTH over an unencrypted connection to %s would show the password on the network: use tls %q or %q", host, TLSStartTLS, TLSImplicit)
			}
			// go-mail refuses PLAIN and LOGIN in clear unless told; the
			// check above is what makes it safe.
			prefer = []gomail.SMTPAuthType{gomail.SMTPAuthPlainNoEnc, gomail.SMTPAuthLoginNoEnc}
		}
		m.options = append(m.options, gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password),
			gomail.WithOpportunisticSMTPAuth(prefer...))
	}
	// Apply the options once, so that a mistake shows now and not at the
	// first Send.
	if _, err := gomail.NewClient(host, m.options...); err != nil {
		return nil, configError("%v", err)
	}
	return m, nil
}

// Addr is the server's "host:port", for logs.
func (m *Mailer) Addr() string { return m.addr }

// Send delivers one message. Header values are checked before any
// connection: a CR, an LF or another control character in To, Reply-To or
// Subject is refused with code Invalid. A failure to deliver is a
// *domain.Error whose code says whether to retry: Unavailable (Temporary)
// or Invalid (Permanent); the server's reply, if any, is a *Reply in its
// chain. Send returns when ctx is done, at the latest, or after the
// mailer's Timeout.
//
// SMTP cannot tell "delivered" from "lost" when the connection breaks
// after the final "." and before the server's 250: that case is reported
// as temporary, so a retry may deliver a second copy. Nothing else can.
func (m *Mailer) Send(ctx context.Context, mail ports.Mail) error {
	msg, err := m.compose(mail)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeoutCause(ctx, m.timeout,
		fmt.Errorf("smtp: no answer from %s within %s: %w", m.addr, m.timeout, context.DeadlineExceeded))
	defer cancel()
	if ctx.Err() != nil {
		return classify(ctx, ctx.Err())
	}
	// go-mail only watches ctx while dialing, and leaves the connection
	// open when EHLO, STARTTLS or AUTH fails: the line cuts it when ctx is
	// done, and at the end of Send in any case.
	l := &line{}
	stop := context.AfterFunc(ctx, l.cut)
	defer stop()
	defer l.cut()
	err = m.deliver(ctx, l, msg)
	if dl, ok := ctx.Deadline(); err != nil && ok && !time.Now().Before(dl) {
		// The connection's own deadline, set by go-mail, can fire a moment
		// before the context's timer: wait for it, so that the error says
		// it was the timeout.
		<-ctx.Done()
	}
	return classify(ctx, err)
}

// deliver runs one SMTP session. It returns nil as soon as the server has
// accepted the message: a failing QUIT after that is no reason to send it
// again.
func (m *Mailer) deliver(ctx context.Context, l *line, msg *gomail.Msg) error {
	// A fresh slice: m.options is shared by concurrent Sends.
	opts := slices.Concat(m.options, []gomail.Option{gomail.WithDialContextFunc(m.dial(l))})
	client, err := gomail.NewClient(m.host, opts...)
	if err != nil {
		return err
	}
	// The transaction is driven here, not by go-mail's Send: its SendError
	// hides the server's reply behind a string, and it reports a failed
	// RSET or QUIT after a successful DATA as a failure.
	c, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return err
	}
	from, err := msg.GetSender(false)
	if err != nil {
		return err
	}
	rcpts, err := msg.GetRecipients()
	if err != nil {
		return err
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	for _, rcpt := range rcpts {
		if err := c.Rcpt(rcpt); err != nil {
			return fmt.Errorf("RCPT TO: %w", err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := msg.WriteTo(w); err != nil {
		return fmt.Errorf("writing the message: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("end of DATA: %w", err)
	}
	_ = c.Quit() // delivered: a QUIT that fails changes nothing
	return nil
}

// dial opens the connection, in TLS from the start for TLSImplicit, and
// hands it to l. It dials m.addr and ignores go-mail's address, which is
// "host:port" without the brackets an IPv6 literal needs.
func (m *Mailer) dial(l *line) gomail.DialContextFunc {
	return func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		raw, err := d.DialContext(ctx, network, m.addr)
		if err != nil {
			return nil, err
		}
		if !l.hold(raw) {
			return nil, errors.New("smtp: connection cut")
		}
		if !m.implicitTLS {
			return raw, nil
		}
		// A *tls.Conn tells go-mail's AUTH that the line is encrypted.
		conn := tls.Client(raw, m.tlsConfig)
		if err := conn.HandshakeContext(ctx); err != nil {
			return nil, err
		}
		return conn, nil
	}
}

// line holds the TCP connection of one Send, so that it can be cut from
// another goroutine when the context is done.
type line struct {
	mu     sync.Mutex
	conn   net.Conn
	closed bool
}

// hold keeps conn, or closes it at once if the line was already cut.
func (l *line) hold(conn net.Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		_ = conn.Close()
		return false
	}
	l.conn = conn
	return true
}

// cut closes the connection, which fails any read or write blocked on it.
func (l *line) cut() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	if l.conn != nil {
		_ = l.conn.Close()
		l.conn = nil
	}
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// isLoopback reports whether host is this machine without asking DNS.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func configError(format string, args ...any) error {
	return &domain.Error{Code: domain.Invalid, Message: msgConfig, Err: fmt.Errorf("smtp: "+format, args...)}
}

const msgConfig = "La configuration de l'envoi des messages est invalide."
