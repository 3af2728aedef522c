package ports

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/portail-factures/portail/domain"
)

// Config holds the settings of the use cases.
type Config struct {
	// PublicURL is the portal's address as citizens and the DGFiP reach it
	// (https://factures.exemple.fr); links in emails start with it.
	PublicURL      string
	ActivationTTL  time.Duration // default 48 h
	ResetTTL       time.Duration // default 1 h
	EmailChangeTTL time.Duration // default 48 h
	SessionTTL     time.Duration // a browser session; default 12 h
	RememberTTL    time.Duration // "Se souvenir de moi"; default 30 days
	// StaffSessionTTL is a back-office session; default 8 h (a working day).
	StaffSessionTTL time.Duration
	Argon2          Argon2Params // default DefaultArgon2
	// HashSlots is how many password hashes may run at once (logins, new
	// passwords); default DefaultHashSlots(Argon2). HashWait is how long
	// one waits for its turn before domain.ErrBusy; default 2 s.
	HashSlots int
	HashWait  time.Duration
	// MailRetryFor bounds the retries of a mail that fails temporarily;
	// default 24 h.
	MailRetryFor time.Duration
	// MailInline delivers queued mails before a use case returns (the
	// demo's local mailbox, tests); otherwise a background sender
	// delivers them (MailsWaiting, DeliverMails).
	MailInline bool
	// PayFiPMode is the protocol the gateway speaks (web service or URL
	// mode): PayFiP's limits on amounts and labels depend on it. Zero: the
	// web service.
	PayFiPMode domain.PayFiPMode
	// ImportPart is how many lines a streamed import (ImportStream) plans
	// and applies at a time; default 10 000. Tests make it small to cross
	// parts with a few lines.
	ImportPart int
	// NoticeLookback is how far back the new-invoice notice job looks for
	// invoices that arrived and got no notice yet (RunNotices); default
	// 72 h. It bounds the job's walk, and keeps a first run from
	// announcing invoices that arrived long before.
	NoticeLookback time.Duration
}

func (c *Config) setDefaults() error {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.ActivationTTL, 48*time.Hour)
	def(&c.ResetTTL, time.Hour)
	def(&c.EmailChangeTTL, 48*time.Hour)
	def(&c.SessionTTL, 12*time.Hour)
	def(&c.RememberTTL, 30*24*time.Hour)
	def(&c.StaffSessionTTL, 8*time.Hour)
	def(&c.MailRetryFor, 24*time.Hour)
	def(&c.NoticeLookback, 72*time.Hour)
	if c.Argon2 == (Argon2Params{}) {
		c.Argon2 = DefaultArgon2
	}
	if c.HashSlots == 0 {
		c.HashSlots = DefaultHashSlots(c.Argon2)
	}
	def(&c.HashWait, 2*time.Second)
	if c.ImportPart <= 0 {
		c.ImportPart = defaultImportPart
	}
	u, err := url.Parse(c.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("public URL %q: want an absolute http(s) URL", c.PublicURL)
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.PayFiPMode != "" && c.PayFiPMode != domain.PayFiPWebService && c.PayFiPMode != domain.PayFiPURL {
		return fmt.Errorf("PayFiP mode %q: want %q or %q", c.PayFiPMode, domain.PayFiPWebService, domain.PayFiPURL)
	}
	if c.HashSlots < 0 {
		return errors.New("hash slots must be positive")
	}
	for _, d := range []time.Duration{c.ActivationTTL, c.ResetTTL, c.EmailChangeTTL, c.SessionTTL, c.RememberTTL, c.StaffSessionTTL, c.HashWait} {
		if d < 0 {
			return errors.New("durations must be positive")
		}
	}
	return nil
}

// Deps are the driven ports a Portal uses.
type Deps struct {
	Store    Store
	Sessions SessionStore
	Mailer   Mailer
	Gateway  PaymentGateway
	Clock    Clock  // default SystemClock
	Random   Random // default SystemRandom
	Logger   *slog.Logger
	// PDF lays out the receipts and certificates; nil: their PDF is
	// unavailable (ErrNoPDF), their HTML page still works.
	PDF PDFWriter
	// Observer counts the payments' events for the operators' metrics;
	// nil: nothing counts them.
	Observer PaymentObserver
}

// Portal is the primary port: every use case of the manual, for the
// adapters that drive the core (the web portal, the command line, tests).
type Portal struct {
	store     Store
	sessions  SessionStore
	mailer    Mailer
	gateway   PaymentGateway
	clock     Clock
	random    Random
	pdf       PDFWriter
	log       *slog.Logger
	cfg       Config
	hasher    PasswordHasher
	dummyHash string
	mails     *mailTemplates
	wake      chan struct{}
	statuses  statusFlights // concurrent notifications of one attempt share a status query
	// sender is the mail sender's heartbeat, once WatchMailSender is called.
	sender senderWatch
	// billers keeps the billers read on the hot paths; nil when the store
	// does not tell its changes (core_billers_cache.go).
	billers *billerCache
	// citizenSessions reads a session with its account and payer at once;
	// nil unless the SessionStore is the Store and can.
	citizenSessions CitizenSessions
	// unsubscribe keeps the unsubscribe links' key (core_unsubscribe.go).
	unsubscribe keyCache
	// observer counts the payments' events (payment_counts.go).
	observer PaymentObserver
}

// NewPortal checks its dependencies and returns the use cases.
func NewPortal(d Deps, cfg Config) (*Portal, error) {
	if d.Store == nil || d.Sessions == nil || d.Mailer == nil || d.Gateway == nil {
		return nil, errors.New("ports: NewPortal needs a Store, a SessionStore, a Mailer and a PaymentGateway")
	}
	if err := cfg.setDefaults(); err != nil {
		return nil, fmt.Errorf("ports: %w", err)
	}
	if d.Clock == nil {
		d.Clock = SystemClock{}
	}
	if d.Random == nil {
		d.Random = SystemRandom
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Observer == nil {
		d.Observer = noPaymentObserver{}
	}
	p := &Portal{
		store: d.Store, sessions: d.Sessions, mailer: d.Mailer, gateway: d.Gateway,
		clock: d.Clock, random: d.Random, pdf: d.PDF, log: d.Logger, cfg: cfg,
		hasher: PasswordHasher{Params: cfg.Argon2, Random: d.Random, Slots: NewHashSlots(cfg.HashSlots, cfg.HashWait)},
		mails:  mustParseMailTemplates(),
		wake:   make(chan struct{}, 1), observer: d.Observer,
	}
	p.billers = newBillerCache(d.Store)
	if cs, ok := d.Sessions.(CitizenSessions); ok && sameStore(d.Store, d.Sessions) {
		p.citizenSessions = cs
	}
	// A login with an unknown address verifies the password against this
	// hash, so it spends the same time as a wrong password.
	h, err := p.hasher.Hash("portail-des-factures")
	if err != nil {
		return nil, fmt.Errorf("ports: %w", err)
	}
	p.dummyHash = h
	return p, nil
}

// HashSlots are the slots bounding the password hashes running at once
// (Config.HashSlots).
func (p *Portal) HashSlots() *HashSlots { return p.hasher.Slots }

// Config returns the settings in force, defaults applied.
func (p *Portal) Config() Config { return p.cfg }

// Now returns the portal's current time.
func (p *Portal) Now() time.Time { return p.clock.Now() }

// Citizen identifies a logged-in payer: the HTTP adapter gets it from the
// session, and every use case scopes what it reads and does by it.
type Citizen struct {
	BillerID  uuid.UUID
	AccountID uuid.UUID
	PayerID   uuid.UUID
	// read holds the account and payer Authenticate read with the
	// session, so that the request's use cases outside a transaction do
	// not read them again; nil in a Citizen built otherwise.
	read *citizenRead
}

// citizenRead is what Authenticate read of a citizen.
type citizenRead struct {
	account domain.Account
	payer   domain.Payer
}

// sameStore reports whether the SessionStore is the Store itself, whose
// sessions live beside its accounts.
func sameStore(store Store, sessions SessionStore) bool {
	a, b := any(store), any(sessions)
	t := reflect.TypeOf(a)
	return t == reflect.TypeOf(b) && t.Comparable() && a == b
}

// newID draws a time-ordered UUID (version 7): records created together
// sit together in the stores' primary-key indexes, which makes bulk
// imports much cheaper than with random ids, and 74 random bits keep
// ids unguessable.
func (p *Portal) newID() (uuid.UUID, error) {
	return newV7(p.clock.Now(), p.random)
}

// newV7 builds a version-7 UUID (RFC 9562) from the portal's clock, so
// that tests with a fixed clock and a seeded random source get the same
// ids: 48 bits of Unix milliseconds, then 74 random bits.
func newV7(now time.Time, random io.Reader) (uuid.UUID, error) {
	var id uuid.UUID
	ms := uint64(now.UnixMilli())
	for i := 5; i >= 0; i-- {
		id[i] = byte(ms)
		ms >>= 8
	}
	if _, err := io.ReadFull(random, id[6:]); err != nil {
		return uuid.Nil, domain.WrapInternal(fmt.Errorf("random id: %w", err))
	}
	id[6] = 0x70 | id[6]&0x0f // version 7
	id[8] = 0x80 | id[8]&0x3f // RFC 9562 variant
	return id, nil
}

// sequentialIDs returns a generator of version-7 UUIDs that all carry the
// instant now and then a counter in their first 30 bits after it, so that
// the many records of one import are created in index order too; 44 bits
// stay random.
func sequentialIDs(now time.Time, random io.Reader) func() (uuid.UUID, error) {
	var seq uint32
	return func() (uuid.UUID, error) {
		id, err := newV7(now, random)
		if err != nil {
			return id, err
		}
		n := seq & (1<<30 - 1)
		seq++
		id[6] = 0x70 | byte(n>>26)&0x0f
		id[7] = byte(n >> 18)
		id[8] = 0x80 | byte(n>>12)&0x3f
		id[9] = byte(n >> 4)
		id[10] = byte(n)<<4 | id[10]&0x0f
		return id, nil
	}
}

func (p *Portal) randomBytes(n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(p.random, b); err != nil {
		return nil, domain.WrapInternal(fmt.Errorf("random bytes: %w", err))
	}
	return b, nil
}

func (p *Portal) randomString(n int) (string, error) {
	b, err := p.randomBytes(n)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
