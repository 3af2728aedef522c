package smtp_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// serverOptions shape a test server.
type serverOptions struct {
	// TLS is the server's certificate: offered with STARTTLS, or spoken
	// from the first byte when Implicit is set. Nil: plain SMTP only.
	TLS      *tls.Config
	Implicit bool
	// User and Pass, when User is set, are required before MAIL.
	User, Pass string
	// Mechanisms offered for AUTH; default PLAIN.
	Mechanisms []string
	// InsecureAuth offers AUTH without TLS.
	InsecureAuth bool
}

// received is one message as the server took it.
type received struct {
	From string
	To   []string
	Data []byte
	TLS  bool
}

// failure answers Code to the next Count commands of a Step.
type failure struct {
	Step  string // "MAIL", "RCPT" or "DATA"
	Code  int
	Count int
}

// testServer is a real SMTP server on 127.0.0.1, in-process, that records
// what it receives, fails on demand, and can stop and start again on the
// same port.
type testServer struct {
	t        *testing.T
	opts     serverOptions
	addr     string
	accepted atomic.Int64 // connections accepted, TLS or not

	mu       sync.Mutex
	srv      *gosmtp.Server
	ln       net.Listener
	served   chan struct{}
	messages []received
	failures []failure
	hold     chan struct{} // when set, MAIL blocks until it is closed
	held     chan struct{} // closed when a MAIL blocks
}

func newTestServer(t *testing.T, opts serverOptions) *testServer {
	t.Helper()
	s := &testServer{t: t, opts: opts, addr: "127.0.0.1:0"}
	s.start()
	t.Cleanup(s.stop)
	return s
}

// port is the port the server listens on, the same across restarts.
func (s *testServer) port() int { return s.listenAddr().(*net.TCPAddr).Port }

func (s *testServer) listenAddr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ln.Addr()
}

func (s *testServer) start() {
	s.t.Helper()
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		s.t.Fatalf("listen: %v", err)
	}
	s.addr = ln.Addr().String()
	var l net.Listener = &countingListener{Listener: ln, n: &s.accepted}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(c *gosmtp.Conn) (gosmtp.Session, error) {
		_, isTLS := c.TLSConnectionState()
		return &session{s: s, tls: isTLS}, nil
	}))
	srv.Domain = "mx.test"
	srv.AllowInsecureAuth = s.opts.InsecureAuth
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.ReadTimeout = time.Minute
	if s.opts.Implicit {
		l = tls.NewListener(l, s.opts.TLS)
	} else {
		srv.TLSConfig = s.opts.TLS
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(l)
	}()
	s.mu.Lock()
	s.srv, s.ln, s.served = srv, ln, served
	s.mu.Unlock()
}

// stop closes the listener and every connection, so that the port refuses
// connections until start.
func (s *testServer) stop() {
	s.mu.Lock()
	srv, ln, served := s.srv, s.ln, s.served
	if s.hold != nil {
		close(s.hold)
		s.hold = nil
	}
	s.mu.Unlock()
	_ = srv.Close()
	_ = ln.Close() // in case Serve had not registered it yet
	<-served
}

// fail scripts the next replies of a step.
func (s *testServer) fail(step string, code, count int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, failure{Step: step, Code: code, Count: count})
}

// holdMail makes the next MAIL commands block until the server stops; the
// returned channel is closed once one does.
func (s *testServer) holdMail() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hold, s.held = make(chan struct{}), make(chan struct{})
	return s.held
}

// received returns the messages taken so far.
func (s *testServer) received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.messages...)
}

// scripted returns the error scripted for step, if any.
func (s *testServer) scripted(step string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.failures {
		f := &s.failures[i]
		if f.Step != step || f.Count == 0 {
			continue
		}
		f.Count--
		enhanced, ok := map[int]gosmtp.EnhancedCode{
			451: {4, 3, 0}, 452: {4, 2, 2}, 550: {5, 1, 1}, 551: {5, 1, 6}, 553: {5, 1, 3}, 554: {5, 6, 0},
		}[f.Code]
		if !ok {
			enhanced = gosmtp.EnhancedCodeNotSet
		}
		return &gosmtp.SMTPError{Code: f.Code, EnhancedCode: enhanced, Message: "scripted failure"}
	}
	return nil
}

type session struct {
	s      *testServer
	tls    bool
	authed bool
	from   string
	to     []string
}

func (x *session) AuthMechanisms() []string {
	if x.s.opts.User == "" {
		return nil
	}
	if len(x.s.opts.Mechanisms) == 0 {
		return []string{sasl.Plain}
	}
	return x.s.opts.Mechanisms
}

func (x *session) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		if user != x.s.opts.User || pass != x.s.opts.Pass {
			return gosmtp.ErrAuthFailed
		}
		x.authed = true
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	}
	return nil, gosmtp.ErrAuthUnknownMechanism
}

func (x *session) Mail(from string, _ *gosmtp.MailOptions) error {
	if x.s.opts.User != "" && !x.authed {
		return gosmtp.ErrAuthRequired
	}
	if err := x.s.scripted("MAIL"); err != nil {
		return err
	}
	x.s.mu.Lock()
	hold, held := x.s.hold, x.s.held
	x.s.held = nil
	x.s.mu.Unlock()
	if held != nil {
		close(held)
	}
	if hold != nil {
		<-hold
	}
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if err := x.s.scripted("RCPT"); err != nil {
		return err
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if err := x.s.scripted("DATA"); err != nil {
		return err
	}
	x.s.mu.Lock()
	x.s.messages = append(x.s.messages, received{From: x.from, To: x.to, Data: data, TLS: x.tls})
	x.s.mu.Unlock()
	return nil
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

// loginServer is the server side of AUTH LOGIN, which go-sasl lacks: a
// username, then a password, each asked for in a challenge.
type loginServer struct {
	check func(user, pass string) error
	step  int
	user  string
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	l.step++
	switch l.step {
	case 1:
		if response != nil {
			l.user, l.step = string(response), 2
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 2:
		l.user = string(response)
		return []byte("Password:"), false, nil
	case 3:
		return nil, true, l.check(l.user, string(response))
	}
	return nil, false, errors.New("unexpected response")
}

type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

// newCA makes a self-signed ECDSA certificate for 127.0.0.1, ::1 and
// localhost, and returns the server's TLS settings and a client's that
// trusts it.
func newCA(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Portail test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}}}
	return server, &tls.Config{RootCAs: roots}
}
