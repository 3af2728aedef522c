package main

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/viper"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports/demo"
)

// setting describes one configuration key. The table below is the single
// source for defaults, environment names, flags, the help text and how
// each value is read into Config.
type setting struct {
	key   string // viper key, dotted
	def   string // default, as text ("" for none)
	flag  string // flag name, "" when the key has no flag
	usage string // one line, English
	// parse reads the value (untrimmed) into c, or says in English what
	// is wrong with it; the key and its environment variable are added.
	parse func(c *Config, raw string) error
}

var settings = []setting{
	{"addr", "127.0.0.1:8080", "addr", "host:port the HTTP server listens on",
		text(func(c *Config) *string { return &c.Addr }, checkAddr)},
	{"demo", "false", "demo", "demo mode on a database too: demo data, /_dev/mail and the PayFiP simulator (always on without a database); never in production",
		optional(boolean(func(c *Config) *bool { return &c.Demo }))},
	{"public_url", "", "public-url", "URL citizens reach the portal at (default http:// + addr)",
		withoutTrailingSlash(optional(urlText(func(c *Config) *string { return &c.PublicURL }, "http", "https")))},
	{"log.level", "info", "log-level", "log level: debug, info, warn or error", logLevel},
	{"log.format", "text", "log-format", "log format: text or json",
		oneOf(func(c *Config) *string { return &c.Log.Format }, "a log format", "text", "json")},
	{"database.url", "", "database-url", "PostgreSQL URL (postgres://…); empty = in-memory demo store",
		optional(urlText(func(c *Config) *string { return &c.Database.URL }, "postgres", "postgresql"))},
	{"database.direct_url", "", "", "PostgreSQL URL reaching the server itself, for what needs a session of its own (the migrations' lock, the LISTEN to the billers' changes) when database.url goes through a transaction-mode pooler such as PgBouncer; empty = database.url",
		optional(urlText(func(c *Config) *string { return &c.Database.DirectURL }, "postgres", "postgresql"))},
	{"database.prepared_statements", "true", "", "prepare each statement once per connection (false: send it unprepared, for a transaction-mode pooler such as PgBouncer)",
		boolean(func(c *Config) *bool { return &c.Database.PreparedStatements })},
	{"database.migrate", "true", "", "apply the schema migrations when opening the database (false: run portal migrate yourself)",
		boolean(func(c *Config) *bool { return &c.Database.Migrate })},
	{"database.max_open_conns", "10", "", "most connections to PostgreSQL this process opens",
		count(func(c *Config) *int { return &c.Database.MaxOpenConns })},
	{"database.max_idle_conns", "5", "", "connections to PostgreSQL kept open when idle",
		count(func(c *Config) *int { return &c.Database.MaxIdleConns })},
	{"database.conn_max_lifetime", "30m", "", "connections to PostgreSQL older than this are closed and reopened",
		duration(func(c *Config) *time.Duration { return &c.Database.ConnMaxLifetime })},
	{"biller.id", demo.BillerID.String(), "", "with a database, the biller (service de facturation) served on host names no biller claims (portal biller hosts); empty: such hosts get a 404",
		billerID},
	{"tokens.activation_ttl", "48h", "", "validity of an account activation link",
		duration(func(c *Config) *time.Duration { return &c.Tokens.ActivationTTL })},
	{"tokens.reset_ttl", "1h", "", "validity of a password reset link",
		duration(func(c *Config) *time.Duration { return &c.Tokens.ResetTTL })},
	{"tokens.email_change_ttl", "48h", "", "validity of an e-mail change confirmation link",
		duration(func(c *Config) *time.Duration { return &c.Tokens.EmailChangeTTL })},
	{"session.ttl", "12h", "", "lifetime of a session",
		duration(func(c *Config) *time.Duration { return &c.Session.TTL })},
	{"session.remember_ttl", "720h", "", "lifetime of a session with \"remember me\"",
		duration(func(c *Config) *time.Duration { return &c.Session.RememberTTL })},
	{"session.staff_ttl", "8h", "", "lifetime of a back-office (/gestion/) session",
		duration(func(c *Config) *time.Duration { return &c.Session.StaffTTL })},
	{"payment.mode", "", "payment-mode", "simulator (demo only), payfip (web service) or tipi (legacy URL mode); default simulator without a database, payfip with one",
		optional(oneOf(func(c *Config) *string { return &c.Payment.Mode }, "a payment mode", PaymentSimulator, PaymentPayFiP, PaymentTIPI))},
	{"payment.numcli", "", "", "PayFiP client number (6 digits) of the biller served; empty = the biller's own",
		optional(text(func(c *Config) *string { return &c.Payment.Numcli }, func(s string) error {
			if !domain.ValidNumcli(s) {
				return fmt.Errorf("%q is not a PayFiP client number; it has 6 digits, leading zeros included", s)
			}
			return nil
		}))},
	{"payment.saisie", "", "", "PayFiP environment: T test, X activation, W production; empty = the biller's own",
		optional(upper(func(c *Config) *string { return &c.Payment.Saisie }, func(s string) error {
			if !domain.Saisie(s).Valid() {
				return fmt.Errorf("%q is not a PayFiP environment; use T (test), X (activation) or W (production)", s)
			}
			return nil
		}))},
	{"payment.soap_url", "https://www.payfip.gouv.fr/tpa/services/securite", "", "PayFiP web service endpoint",
		urlText(func(c *Config) *string { return &c.Payment.SOAPURL }, "https", "http")},
	{"payment.page_url", "https://www.payfip.gouv.fr/tpa/paiementws.web", "", "PayFiP payment page (web-service mode)",
		urlText(func(c *Config) *string { return &c.Payment.PageURL }, "https", "http")},
	{"payment.tipi_url", "https://www.payfip.gouv.fr/tpa/paiement.web", "", "TIPI payment page (legacy URL mode)",
		urlText(func(c *Config) *string { return &c.Payment.TipiURL }, "https", "http")},
	{"payment.tipi_production_letter", "A", "", "saisie letter sent for production in the legacy URL mode (A, X or M: ask the DGFiP)",
		upper(func(c *Config) *string { return &c.Payment.TipiProductionLetter }, func(s string) error {
			if len(s) != 1 || s[0] < 'A' || s[0] > 'Z' {
				return fmt.Errorf("%q must be one capital letter (A, X or M)", s)
			}
			return nil
		})},
	{"payment.timeout", "15s", "", "timeout of one call to the PayFiP web service",
		duration(func(c *Config) *time.Duration { return &c.Payment.Timeout })},
	{"payment.reconcile_interval", "5m", "", "how often unfinished payments, and those still holding their invoices, are checked with PayFiP; the nightly check runs at the first tick after 02:00 Paris",
		duration(func(c *Config) *time.Duration { return &c.Payment.ReconcileInterval })},
	{"smtp.host", "", "", "SMTP server the mails are sent through; empty = the demo's /_dev/mail mailbox (demo only)",
		text(func(c *Config) *string { return &c.SMTP.Host }, nil)},
	{"smtp.port", "0", "", "SMTP port; 0 = 587 for starttls, 465 for tls, 25 for none",
		port(func(c *Config) *int { return &c.SMTP.Port })},
	{"smtp.username", "", "", "SMTP user name; when set, the portal authenticates (never in clear text to a remote host)",
		text(func(c *Config) *string { return &c.SMTP.Username }, nil)},
	{"smtp.password", "", "", "SMTP password",
		func(c *Config, raw string) error { c.SMTP.Password = raw; return nil }}, // spaces may be part of it
	{"smtp.from", "", "", "sender of the mails, e.g. Commune de Démoville <factures@demoville.fr>; required with smtp.host",
		text(func(c *Config) *string { return &c.SMTP.From }, nil)},
	{"smtp.tls", "starttls", "", "starttls, tls (implicit, port 465) or none (a local relay only)",
		oneOf(func(c *Config) *string { return &c.SMTP.TLS }, "a TLS mode", "starttls", "tls", "none")},
	{"smtp.timeout", "15s", "", "timeout of one delivery, from connecting to the end",
		duration(func(c *Config) *time.Duration { return &c.SMTP.Timeout })},
	{"mail.retry_for", "24h", "", "how long a mail that fails temporarily is retried before it is marked failed",
		duration(func(c *Config) *time.Duration { return &c.Mail.RetryFor })},
	{"mail.interval", "1m", "", "how often mails waiting for a retry are looked at",
		duration(func(c *Config) *time.Duration { return &c.Mail.Interval })},
	{"treasury.interval", "1h", "", "how often the daily treasury job looks whether a new Paris day has begun; invoices move once a day whatever the interval",
		duration(func(c *Config) *time.Duration { return &c.Treasury.Interval })},
	{"reminders.interval", "1h", "", "how often the reminders job looks for unpaid invoices to remind of (it also runs at start); each invoice gets each kind of reminder once, whatever the interval and the number of instances",
		duration(func(c *Config) *time.Duration { return &c.Reminders.Interval })},
	{"notices.interval", "10m", "", "how often the new-invoice notice job looks for invoices that arrived (it also runs at start); a payer gets one mail per run listing its new invoices, each invoice announced once whatever the interval and the number of instances",
		duration(func(c *Config) *time.Duration { return &c.Notices.Interval })},
	{"notices.lookback", "72h", "", "how old an invoice may be and still be announced: a portal stopped longer, or a first start on old data, does not mail about older invoices",
		duration(func(c *Config) *time.Duration { return &c.Notices.Lookback })},
	{"retention.interval", "1h", "", "how often the retention job looks whether a new Paris day has begun (it also runs at start); once a day, whatever the interval and the number of instances, it erases the personal data of the accounts closed for longer than the biller's retention period",
		duration(func(c *Config) *time.Duration { return &c.Retention.Interval })},
	{"board.refresh_interval", "15m", "", "how often the figures of the back office dashboard's charts are computed again (it also runs at start): how old a figure may be; on PostgreSQL one run reads the invoices paid in the last 25 months and the unpaid ones (README, « Dashboard charts »)",
		duration(func(c *Config) *time.Duration { return &c.Board.RefreshInterval })},
	{"http.client_ip_header", "", "", "header in which a trusted reverse proxy gives the client's address (X-Forwarded-For or X-Real-IP); empty = the connection's address",
		optional(text(func(c *Config) *string { return &c.HTTP.ClientIPHeader }, func(h string) error {
			if !slices.Contains([]string{"x-forwarded-for", "x-real-ip"}, strings.ToLower(h)) {
				return fmt.Errorf("%q is not supported; use X-Forwarded-For or X-Real-IP", h)
			}
			return nil
		}))},
	{"http.api_per_minute", "600", "", "requests one API key may make a minute (/api/v1/); over it, 429",
		count(func(c *Config) *int { return &c.HTTP.APIPerMinute })},
	{"http.api_key_failures_per_minute", "20", "", "API requests with a missing or wrong key one address may make a minute; over it, the address gets 429 before its key is read",
		count(func(c *Config) *int { return &c.HTTP.APIKeyFailuresPerMinute })},
	{"http.payment_callbacks_per_minute", "60", "", "calls of /paiement/notification and /paiement/retour one address may make a minute; over it, 429 (the reconciler still asks PayFiP)",
		count(func(c *Config) *int { return &c.HTTP.PaymentCallbacksPerMinute })},
	{"password.hash_slots", "", "", "password hashes (argon2id, 19 MiB each) run at once; empty = as many as processors, within 64 MiB; more logins wait password.hash_wait, then get 503",
		optional(count(func(c *Config) *int { return &c.Password.HashSlots }))},
	{"password.hash_wait", "2s", "", "how long a login or a new password waits for a hash slot before the page asks to try again (503, Retry-After)",
		duration(func(c *Config) *time.Duration { return &c.Password.HashWait })},
	{"metrics.addr", "", "", "host:port of a listener of its own serving the Prometheus metrics on /metrics (e.g. 127.0.0.1:9090; keep it off the public network); empty = no metrics",
		optional(text(func(c *Config) *string { return &c.Metrics.Addr }, checkAddr))},
	{"memory.soft_limit_mib", "48", "", "soft memory limit of portal serve in MiB (Go's GOMEMLIMIT): the garbage collector works harder near it; 0 = none",
		func(c *Config, raw string) error {
			s := strings.TrimSpace(raw)
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				return fmt.Errorf("%q must be a whole number of MiB, 0 for none", s)
			}
			c.Memory.SoftLimitMiB = n
			return nil
		}},
}

// parseConfig turns the merged text values into a typed, valid Config:
// each key through its parser in the table, then the rules that tie keys
// together (checkTogether). It reports every invalid value, not just the
// first.
func parseConfig(v *viper.Viper) (Config, error) {
	var c Config
	var errs []error
	for _, s := range settings {
		if err := s.parse(&c, v.GetString(s.key)); err != nil {
			errs = append(errs, settingError(s.key, err))
		}
	}
	errs = append(errs, checkTogether(&c)...)
	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	return c, nil
}

// samePort reports whether two listen addresses name the same port (0,
// any free port, never clashes).
func samePort(a, b string) bool {
	_, pa, errA := net.SplitHostPort(a)
	_, pb, errB := net.SplitHostPort(b)
	return errA == nil && errB == nil && pa == pb && pa != "0"
}

// settingError names the key and its environment variable in err.
func settingError(key string, err error) error {
	return fmt.Errorf("%s (%s): %w", key, envName(key), err)
}

// checkTogether fills the defaults that depend on other keys and checks
// the rules between keys.
func checkTogether(c *Config) []error {
	var errs []error
	if c.PublicURL == "" && checkAddr(c.Addr) == nil {
		c.PublicURL = defaultPublicURL(c.Addr)
	}
	if c.Database.MaxOpenConns > 0 && c.Database.MaxIdleConns > c.Database.MaxOpenConns {
		errs = append(errs, settingError("database.max_idle_conns",
			fmt.Errorf("%d is more than database.max_open_conns (%d)", c.Database.MaxIdleConns, c.Database.MaxOpenConns)))
	}
	if c.Metrics.Addr != "" && samePort(c.Metrics.Addr, c.Addr) {
		errs = append(errs, settingError("metrics.addr", fmt.Errorf("%q has the port of addr (%s): the metrics are never served on the public port", c.Metrics.Addr, c.Addr)))
	}
	if c.Database.DirectURL != "" && c.Database.URL == "" {
		errs = append(errs, settingError("database.direct_url", errors.New("it needs database.url")))
	}
	// Without a database the portal is always the demo.
	c.Demo = c.Demo || c.Database.URL == ""
	switch {
	case c.Payment.Mode == "" && c.Demo:
		c.Payment.Mode = PaymentSimulator
	case c.Payment.Mode == "":
		c.Payment.Mode = PaymentPayFiP
	case c.Payment.Mode == PaymentSimulator && !c.Demo:
		errs = append(errs, settingError("payment.mode",
			errors.New("the simulator is for the demo only (no database.url, or demo=true); use payfip (or tipi) in production")))
	}
	if c.SMTP.Host != "" && c.SMTP.From == "" {
		errs = append(errs, settingError("smtp.from", errors.New("the sender address is required when smtp.host is set")))
	}
	return errs
}

// The parsers of the table's kinds of value. Each trims spaces first
// (but smtp.password's), and returns an English sentence when the value
// is wrong.

// text reads a string; check, when given, validates it.
func text(field func(*Config) *string, check func(string) error) func(*Config, string) error {
	return func(c *Config, raw string) error {
		s := strings.TrimSpace(raw)
		*field(c) = s
		if check != nil {
			return check(s)
		}
		return nil
	}
}

// upper reads a string in capitals; check validates it.
func upper(field func(*Config) *string, check func(string) error) func(*Config, string) error {
	t := text(field, check)
	return func(c *Config, raw string) error { return t(c, strings.ToUpper(raw)) }
}

// optional leaves an empty value empty (or to checkTogether's default)
// and parses any other with parse.
func optional(parse func(*Config, string) error) func(*Config, string) error {
	return func(c *Config, raw string) error {
		if strings.TrimSpace(raw) == "" {
			return nil
		}
		return parse(c, raw)
	}
}

// withoutTrailingSlash drops the slashes that end the value before parse
// reads it: the portal adds paths to it.
func withoutTrailingSlash(parse func(*Config, string) error) func(*Config, string) error {
	return func(c *Config, raw string) error {
		return parse(c, strings.TrimRight(strings.TrimSpace(raw), "/"))
	}
}

// oneOf reads one of values, in lower case; what names the kind of value
// in the error ("a log format").
func oneOf(field func(*Config) *string, what string, values ...string) func(*Config, string) error {
	return func(c *Config, raw string) error {
		s := strings.ToLower(strings.TrimSpace(raw))
		*field(c) = s
		if !slices.Contains(values, s) {
			return fmt.Errorf("%q is not %s; use %s or %s", s, what, strings.Join(values[:len(values)-1], ", "), values[len(values)-1])
		}
		return nil
	}
}

// urlText reads an absolute URL with one of schemes.
func urlText(field func(*Config) *string, schemes ...string) func(*Config, string) error {
	return func(c *Config, raw string) error {
		s := strings.TrimSpace(raw)
		*field(c) = s
		return checkURL(s, schemes...)
	}
}

// boolean reads true/false (also 1/0 and yes/no).
func boolean(field func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, raw string) error {
		switch s := strings.ToLower(strings.TrimSpace(raw)); s {
		case "true", "t", "1", "yes":
			*field(c) = true
		case "false", "f", "0", "no":
			*field(c) = false
		default:
			return fmt.Errorf("%q is not a boolean; use true or false", s)
		}
		return nil
	}
}

// duration reads a positive Go duration (48h, 90m, 30s).
func duration(field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, raw string) error {
		s := strings.TrimSpace(raw)
		d, err := time.ParseDuration(s)
		switch {
		case err != nil:
			return fmt.Errorf("%q is not a duration; write it like 48h, 90m or 30s", s)
		case d <= 0:
			return fmt.Errorf("%q must be positive", s)
		}
		*field(c) = d
		return nil
	}
}

// count reads a whole number from 1 to 10 000.
func count(field func(*Config) *int) func(*Config, string) error {
	return func(c *Config, raw string) error {
		s := strings.TrimSpace(raw)
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 10000 {
			return fmt.Errorf("%q must be a whole number from 1 to 10000", s)
		}
		*field(c) = n
		return nil
	}
}

// port reads a TCP port, 0 meaning "the default".
func port(field func(*Config) *int) func(*Config, string) error {
	return func(c *Config, raw string) error {
		s := strings.TrimSpace(raw)
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 65535 {
			return fmt.Errorf("%q is not a port; use a number from 0 to 65535", raw)
		}
		*field(c) = n
		return nil
	}
}

// logLevel reads one of slog's four levels by name (not "info+2").
func logLevel(c *Config, raw string) error {
	s := strings.ToLower(strings.TrimSpace(raw))
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, s) {
		return fmt.Errorf("%q is not a log level; use debug, info, warn or error", s)
	}
	return c.Log.Level.UnmarshalText([]byte(s))
}

// billerID reads the biller served on hosts no biller names; empty
// serves only the billers' own host names.
func billerID(c *Config, raw string) error {
	s := strings.TrimSpace(raw)
	if s == "" {
		c.Biller.ID = uuid.Nil
		return nil
	}
	id, err := uuid.Parse(s)
	if err != nil || id == uuid.Nil {
		return fmt.Errorf("%q is not a biller id; write it like %s", s, demo.BillerID)
	}
	c.Biller.ID = id
	return nil
}
