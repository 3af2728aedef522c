package ports

import (
	"errors"
	"time"
)

// The rate-limit policy: how many attempts per window each form of the
// portal allows. The mechanism that counts them (token buckets in memory,
// or a shared Throttle) lives in adapters/http/kit.

// Rate is Events per Per, as a token bucket: up to Events at once, then
// one more every Per/Events.
type Rate struct {
	Events int
	Per    time.Duration
}

// RateLimits are the rate limits of the forms that send mail or check a
// password, of the API and of the payment callbacks. The defaults never
// trouble a family sharing one connection.
type RateLimits struct {
	// LoginFailures counts failed logins (and wrong current passwords)
	// per address; default 10 per 15 minutes. Over it, the address is
	// locked out until the window refills.
	LoginFailures Rate
	// AuthPerIP counts login, activation, forgotten-password and
	// password-link requests per client IP; default 60 per minute.
	AuthPerIP Rate
	// MailsPerAddress counts activation, reset and email-change mails per
	// address; default 5 per hour.
	MailsPerAddress Rate
	// ContactPerAccount counts contact messages per account; default 10
	// per hour.
	ContactPerAccount Rate
	// ContactPerIP counts contact messages per client IP; default 30 per
	// hour.
	ContactPerIP Rate
	// APIPerKey counts the billing software's API requests per key;
	// default 600 per minute (bulk loads go through the import).
	APIPerKey Rate
	// APIKeyFailures counts the API requests with a missing or wrong key
	// per client IP; default 20 per minute. Over it, the address's
	// requests are refused before their key is read. The API never reads
	// the login limits: people failing to log in from the billing
	// software's address do not stop its key.
	APIKeyFailures Rate
	// PaymentCallbacks counts the calls of the payment notification and
	// return URLs per client IP, each of which may make the portal ask
	// PayFiP for a result; default 60 per minute. PayFiP's notifier calls
	// from few addresses: a notification refused here is caught by the
	// reconciler, which asks PayFiP itself.
	PaymentCallbacks Rate
	// DataExports counts the downloads of « Mes données » as JSON per
	// account; default 10 per hour. Each reads everything the portal
	// holds about the payer, so a loop of them must not load the store.
	DataExports Rate
	// MaxKeys bounds the addresses, accounts or IPs each limiter
	// remembers; the idlest are forgotten first. Default 100 000.
	MaxKeys int
}

// DefaultRateLimits are the limits used for every zero field of
// RateLimits.
var DefaultRateLimits = RateLimits{
	LoginFailures:     Rate{Events: 10, Per: 15 * time.Minute},
	AuthPerIP:         Rate{Events: 60, Per: time.Minute},
	MailsPerAddress:   Rate{Events: 5, Per: time.Hour},
	ContactPerAccount: Rate{Events: 10, Per: time.Hour},
	ContactPerIP:      Rate{Events: 30, Per: time.Hour},
	APIPerKey:         Rate{Events: 600, Per: time.Minute},
	APIKeyFailures:    Rate{Events: 20, Per: time.Minute},
	PaymentCallbacks:  Rate{Events: 60, Per: time.Minute},
	DataExports:       Rate{Events: 10, Per: time.Hour},
	MaxKeys:           100_000,
}

// WithDefaults returns l with every zero field set from
// DefaultRateLimits; a rate with a non-positive number of events or
// duration is an error.
func (l RateLimits) WithDefaults() (RateLimits, error) {
	for _, p := range []struct{ r, def *Rate }{
		{&l.LoginFailures, &DefaultRateLimits.LoginFailures},
		{&l.AuthPerIP, &DefaultRateLimits.AuthPerIP},
		{&l.MailsPerAddress, &DefaultRateLimits.MailsPerAddress},
		{&l.ContactPerAccount, &DefaultRateLimits.ContactPerAccount},
		{&l.ContactPerIP, &DefaultRateLimits.ContactPerIP},
		{&l.APIPerKey, &DefaultRateLimits.APIPerKey},
		{&l.APIKeyFailures, &DefaultRateLimits.APIKeyFailures},
		{&l.PaymentCallbacks, &DefaultRateLimits.PaymentCallbacks},
		{&l.DataExports, &DefaultRateLimits.DataExports},
	} {
		if *p.r == (Rate{}) {
			*p.r = *p.def
		}
		if p.r.Events <= 0 || p.r.Per <= 0 {
			return l, errors.New("http: a rate limit needs a positive number of events and duration")
		}
	}
	if l.MaxKeys <= 0 {
		l.MaxKeys = DefaultRateLimits.MaxKeys
	}
	return l, nil
}
