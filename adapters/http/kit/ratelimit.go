package kit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// limiter counts events per key. It is an interface so that a store
// shared by several portal instances can replace the memory one.
type limiter interface {
	// Allow records one event for key at now and reports whether it is
	// within the limit; when not, it says how long to wait.
	Allow(ctx context.Context, key string, now time.Time) (bool, time.Duration)
	// Exhausted reports, without recording anything, whether the next
	// event would be refused.
	Exhausted(ctx context.Context, key string, now time.Time) (bool, time.Duration)
	// Undo gives back one event that Allow recorded for key at now: a
	// reservation that turned out not to count (a right password).
	Undo(ctx context.Context, key string, now time.Time)
}

// Limiters are the portal's rate limits (the policy is ports.RateLimits):
// every audience counts its attempts here, so that a limit holds across
// the citizens' portal, the back office and the API.
type Limiters struct {
	loginFailures, authIP, mails, contactAccount, contactIP, api limiter
	apiKeyFailures, callbacks, dataExports                       limiter
	clientIP                                                     func(*http.Request) string
	clock                                                        ports.Clock
}

// NewLimiters builds the limits of l (its zero fields from
// ports.DefaultRateLimits): token buckets in this process's memory, or,
// when th is given, counters in a store every instance shares. clientIP
// nil reads the host of r.RemoteAddr.
func NewLimiters(l ports.RateLimits, clientIP func(*http.Request) string, th ports.Throttle, clock ports.Clock, log *slog.Logger) (*Limiters, error) {
	l, err := l.WithDefaults()
	if err != nil {
		return nil, err
	}
	if clientIP == nil {
		clientIP = remoteIP
	}
	make := func(name string, r ports.Rate) limiter {
		if th != nil {
			return throttleLimiter{th: th, rate: r, name: name, log: log}
		}
		return newMemoryLimiter(r, l.MaxKeys)
	}
	return &Limiters{
		loginFailures:  make("login", l.LoginFailures),
		authIP:         make("auth-ip", l.AuthPerIP),
		mails:          make("mail", l.MailsPerAddress),
		contactAccount: make("contact", l.ContactPerAccount),
		contactIP:      make("contact-ip", l.ContactPerIP),
		api:            make("api", l.APIPerKey),
		apiKeyFailures: make("api-key-ip", l.APIKeyFailures),
		callbacks:      make("payment-callback", l.PaymentCallbacks),
		dataExports:    make("data-export", l.DataExports),
		clientIP:       clientIP,
		clock:          clock,
	}, nil
}

// ClientIP is the client's address as the limits count it.
func (l *Limiters) ClientIP(r *http.Request) string { return l.clientIP(r) }

// AllowAuth counts a login, activation, forgotten-password or
// password-link request against the client's address (AuthPerIP).
func (l *Limiters) AllowAuth(r *http.Request) error {
	return allow(r.Context(), l.authIP, l.clientIP(r), l.clock.Now())
}

// AllowMail counts a mail sent to email (MailsPerAddress).
func (l *Limiters) AllowMail(r *http.Request, email string) error {
	return allow(r.Context(), l.mails, "mail:"+domain.NormalizeEmail(email), l.clock.Now())
}

// AllowMailRequest counts a request that may send a mail to email (an
// activation, a forgotten password, the citizens' or the staff's): per
// IP (AllowAuth) and per address (AllowMail), known or not, so the limit
// tells nothing about who exists.
func (l *Limiters) AllowMailRequest(r *http.Request, email string) error {
	if err := l.AllowAuth(r); err != nil {
		return err
	}
	return l.AllowMail(r, email)
}

// AllowContact counts a contact message of account, against the client's
// address first (ContactPerIP), then the account (ContactPerAccount).
func (l *Limiters) AllowContact(r *http.Request, account string) error {
	now := l.clock.Now()
	if err := allow(r.Context(), l.contactIP, l.clientIP(r), now); err != nil {
		return err
	}
	return allow(r.Context(), l.contactAccount, account, now)
}

// AllowDataExport counts a download of « Mes données » by account
// (DataExports).
func (l *Limiters) AllowDataExport(r *http.Request, account string) error {
	return allow(r.Context(), l.dataExports, "export:"+account, l.clock.Now())
}

// AllowAPIKey counts an API request of the key keyID (APIPerKey).
func (l *Limiters) AllowAPIKey(ctx context.Context, keyID string) error {
	return allow(ctx, l.api, keyID, l.clock.Now())
}

// APIKeyFailuresExhausted refuses, before any key is read, an address
// over APIKeyFailures.
func (l *Limiters) APIKeyFailuresExhausted(ctx context.Context, ip string) error {
	if over, wait := l.apiKeyFailures.Exhausted(ctx, ip, l.clock.Now()); over {
		return &TooManyError{RetryAfter: wait}
	}
	return nil
}

// CountAPIKeyFailure records a missing or wrong API key from ip.
func (l *Limiters) CountAPIKeyFailure(ctx context.Context, ip string) {
	l.apiKeyFailures.Allow(ctx, ip, l.clock.Now())
}

// throttleLimiter counts in a ports.Throttle that every portal instance
// shares, at most Rate.Events per fixed window of Rate.Per. Keys are
// hashed, so the store never holds an address. When the store fails, the
// request goes through and the failure is logged: a database hiccup must
// not lock citizens out of their accounts.
type throttleLimiter struct {
	th   ports.Throttle
	rate ports.Rate
	name string
	log  *slog.Logger
}

func (l throttleLimiter) key(k string) string {
	sum := sha256.Sum256([]byte(l.name + "\x00" + k))
	return l.name + ":" + hex.EncodeToString(sum[:16])
}

func (l throttleLimiter) Allow(ctx context.Context, key string, now time.Time) (bool, time.Duration) {
	n, ends, err := l.th.Hit(ctx, l.key(key), now, l.rate.Per)
	if err != nil {
		l.log.WarnContext(ctx, "rate limit not counted", "limit", l.name, "err", err)
		return true, 0
	}
	if n > l.rate.Events {
		return false, ends.Sub(now)
	}
	return true, 0
}

func (l throttleLimiter) Undo(ctx context.Context, key string, now time.Time) {
	if err := l.th.Undo(ctx, l.key(key), now, l.rate.Per); err != nil {
		l.log.WarnContext(ctx, "rate limit not given back", "limit", l.name, "err", err)
	}
}

func (l throttleLimiter) Exhausted(ctx context.Context, key string, now time.Time) (bool, time.Duration) {
	n, ends, err := l.th.Count(ctx, l.key(key), now, l.rate.Per)
	if err != nil {
		l.log.WarnContext(ctx, "rate limit not read", "limit", l.name, "err", err)
		return false, 0
	}
	return n >= l.rate.Events, ends.Sub(now)
}

// allow records an event in lim and returns a 429 error over the limit.
func allow(ctx context.Context, lim limiter, key string, now time.Time) error {
	if ok, wait := lim.Allow(ctx, key, now); !ok {
		return &TooManyError{RetryAfter: wait}
	}
	return nil
}

// LimitPaymentCallbacks counts a call of the payment notification or
// return URL against the client's address before next runs, and answers
// 429 with Retry-After over the limit: in plain text to the notification,
// which servers call, through fail on the return page.
func (l *Limiters) LimitPaymentCallbacks(next http.Handler, fail func(http.ResponseWriter, *http.Request, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := allow(r.Context(), l.callbacks, l.clientIP(r), l.clock.Now())
		var tm *TooManyError
		switch {
		case !errors.As(err, &tm):
			next.ServeHTTP(w, r)
		case r.URL.Path == ports.PathPaymentNotify:
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("Retry-After", tm.retryAfterHeader())
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(tm.Message() + "\n"))
		default:
			fail(w, r, err)
		}
	})
}

// ReserveLogin counts a password check against key before it is made,
// in one atomic step of the limiter, and refuses it over the limit: of
// many attempts sent at once, at most LoginFailures.Events passwords are
// checked, on every instance together. release(err), called with the
// check's result, gives the attempt back unless the password was wrong,
// so that only failures count: a right password does not use up the
// allowance of its account.
func (l *Limiters) ReserveLogin(r *http.Request, key string) (release func(error), err error) {
	now := l.clock.Now()
	if err := allow(r.Context(), l.loginFailures, key, now); err != nil {
		return nil, err
	}
	return func(err error) {
		if !wrongPassword(err) {
			l.loginFailures.Undo(r.Context(), key, now)
		}
	}, nil
}

// wrongPassword reports whether err is a refused login or a wrong current
// password, the failures LoginFailures counts.
func wrongPassword(err error) bool {
	return domain.ErrorCode(err) == domain.Unauthenticated || domain.ErrorField(err) == "current_password"
}

// remoteIP is the host of r.RemoteAddr; IPv6 addresses count by /64,
// since one household or one attacker holds a whole /64.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return ipKey(host)
}

// ipKey groups an address for the limits: an IPv4 address alone, an IPv6
// address by its /64, which one household usually holds whole.
func ipKey(host string) string {
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	addr = addr.Unmap()
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}

// memoryLimiter keeps one token bucket per key in memory, at most max
// keys: when full, it forgets the buckets that have refilled (they hold
// no information), then the idlest ones. A bucket holds up to burst
// tokens, one comes back every per/burst, and an event takes one.
type memoryLimiter struct {
	every time.Duration // one token comes back every every
	per   time.Duration
	burst int
	max   int

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64   // at time at
	at     time.Time // when tokens was last computed
	last   time.Time // the last event, for eviction
}

func newMemoryLimiter(r ports.Rate, max int) *memoryLimiter {
	return &memoryLimiter{
		every: r.Per / time.Duration(r.Events), per: r.Per, burst: r.Events, max: max,
		buckets: make(map[string]*bucket),
	}
}

// tokensAt is what b holds at now; the caller holds m.mu.
func (m *memoryLimiter) tokensAt(b *bucket, now time.Time) float64 {
	elapsed := now.Sub(b.at)
	if elapsed <= 0 {
		return b.tokens
	}
	return min(float64(m.burst), b.tokens+float64(elapsed)/float64(m.every))
}

// set stores what b holds at now; the caller holds m.mu.
func (m *memoryLimiter) set(b *bucket, tokens float64, now time.Time) {
	if now.After(b.at) {
		b.at = now
	}
	b.tokens = tokens
}

// Allow takes a token when there is one, in one step under the lock: of
// many requests at once, at most the tokens held get through.
func (m *memoryLimiter) Allow(_ context.Context, key string, now time.Time) (bool, time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b := m.bucket(key, now)
	b.last = now
	tokens := m.tokensAt(b, now)
	if tokens >= 1 {
		m.set(b, tokens-1, now)
		return true, 0
	}
	return false, m.wait(tokens)
}

func (m *memoryLimiter) Undo(_ context.Context, key string, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if b, ok := m.buckets[key]; ok {
		m.set(b, min(float64(m.burst), m.tokensAt(b, now)+1), now)
	}
}

func (m *memoryLimiter) Exhausted(_ context.Context, key string, now time.Time) (bool, time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.buckets[key]
	if !ok {
		return false, 0
	}
	if tokens := m.tokensAt(b, now); tokens < 1 {
		return true, m.wait(tokens)
	}
	return false, 0
}

// wait is how long until a bucket holding tokens holds one again.
func (m *memoryLimiter) wait(tokens float64) time.Duration {
	return time.Duration((1 - tokens) * float64(m.every))
}

// bucket returns key's bucket, full when new, making room when the map
// is full. The caller holds m.mu.
func (m *memoryLimiter) bucket(key string, now time.Time) *bucket {
	if b, ok := m.buckets[key]; ok {
		return b
	}
	if len(m.buckets) >= m.max {
		m.evict(now)
	}
	b := &bucket{tokens: float64(m.burst), at: now, last: now}
	m.buckets[key] = b
	return b
}

// evict forgets every bucket idle for a whole period (it has refilled),
// and if that is not enough, the idlest tenth.
func (m *memoryLimiter) evict(now time.Time) {
	for k, b := range m.buckets {
		if now.Sub(b.last) >= m.per {
			delete(m.buckets, k)
		}
	}
	if len(m.buckets) < m.max {
		return
	}
	type idle struct {
		key  string
		last time.Time
	}
	all := make([]idle, 0, len(m.buckets))
	for k, b := range m.buckets {
		all = append(all, idle{k, b.last})
	}
	slices.SortFunc(all, func(a, b idle) int { return a.last.Compare(b.last) })
	for _, e := range all[:max(1, len(all)/10)] {
		delete(m.buckets, e.key)
	}
}

// size reports how many keys are remembered (for tests).
func (m *memoryLimiter) size() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.buckets)
}

// ClientIPFromHeader returns a Config.ClientIP for a portal behind a
// trusted reverse proxy that gives the client's address in header:
// X-Real-IP holds one address; in X-Forwarded-For the last address is the
// one the proxy itself added (those before it are the client's word and
// can be forged). A missing or malformed header falls back to the
// connection's address.
func ClientIPFromHeader(header string) func(*http.Request) string {
	return func(r *http.Request) string {
		v := r.Header.Values(header)
		if len(v) == 0 {
			return remoteIP(r)
		}
		last := v[len(v)-1]
		if i := strings.LastIndexByte(last, ','); i >= 0 {
			last = last[i+1:]
		}
		if addr, err := netip.ParseAddr(strings.TrimSpace(last)); err == nil {
			return ipKey(addr.String())
		}
		return remoteIP(r)
	}
}
