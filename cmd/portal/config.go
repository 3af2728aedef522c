package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/viper"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports/demo"
)

// Config is the whole configuration of the portal, read once at start-up by
// loadConfig and handed down by value: no other package reads a file, a flag
// or the environment (see HOUSE-STYLE.md, "Nowhere else reads the
// environment").
type Config struct {
	Addr string // host:port the HTTP server listens on
	// Demo turns on the demonstration: demo data, the /_dev/mail mailbox
	// and the PayFiP simulator. Always on without a database; with one, it
	// runs the same demonstration on PostgreSQL.
	Demo      bool
	PublicURL string // URL citizens reach the portal at, used in e-mails and PayFiP return URLs; no trailing slash

	Log      LogConfig
	Database DatabaseConfig
	Biller   BillerConfig
	Tokens   TokensConfig
	Session  SessionConfig
	Payment  PaymentConfig
	SMTP     SMTPConfig
	Mail     MailConfig
	Treasury TreasuryConfig
	HTTP     HTTPConfig
}

// SMTPConfig says where the portal's mails go. Without a host, mails stay
// in the demo's /_dev/mail mailbox, which only the in-memory demo has.
type SMTPConfig struct {
	Host     string
	Port     int // 0: the default of the TLS mode (587, 465 or 25)
	Username string
	Password string
	From     string // "Commune de Démoville <factures@demoville.fr>"
	TLS      string // starttls, tls or none
	Timeout  time.Duration
}

// MailConfig tunes the outbox's delivery of mails.
type MailConfig struct {
	// RetryFor is how long a mail that fails temporarily is retried
	// before it is marked failed.
	RetryFor time.Duration
	// Interval is how often the sender looks for mails to retry.
	Interval time.Duration
}

// TreasuryConfig tunes the daily treasury job (ports.Portal.RunTreasury).
type TreasuryConfig struct {
	// Interval is how often the job looks whether the Paris day has
	// changed; it moves invoices once a day whatever the interval.
	Interval time.Duration
}

// HTTPConfig holds the settings of the web server behind a reverse proxy.
type HTTPConfig struct {
	// ClientIPHeader names the header in which a trusted reverse proxy
	// gives the client's address (X-Forwarded-For, X-Real-IP); empty: the
	// connection's address.
	ClientIPHeader string
	// APIPerMinute is how many API requests one key may make a minute.
	APIPerMinute int
	// APIKeyFailuresPerMinute is how many API requests with a missing or
	// wrong key one address may make a minute.
	APIKeyFailuresPerMinute int
	// PaymentCallbacksPerMinute is how many calls of the payment
	// notification and return URLs one address may make a minute.
	PaymentCallbacksPerMinute int
}

// PaymentConfig says how citizens pay: through the DGFiP's PayFiP web
// service, its legacy TIPI URL mode, or the built-in simulator of the demo.
type PaymentConfig struct {
	Mode   string // "simulator", "payfip" or "tipi"
	Numcli string // when set, the PayFiP client number of the biller served
	Saisie string // when set, T (test), X (activation) or W (production)
	// SOAPURL, PageURL and TipiURL are the DGFiP's addresses.
	SOAPURL string
	PageURL string
	TipiURL string
	// TipiProductionLetter is the legacy URL mode's saisie letter for
	// production, which public sources disagree on (docs/payfip.md §2.2).
	TipiProductionLetter string
	Timeout              time.Duration
	ReconcileInterval    time.Duration
}

// The payment modes.
const (
	PaymentSimulator = "simulator"
	PaymentPayFiP    = "payfip"
	PaymentTIPI      = "tipi"
)

// LogConfig says how the portal logs.
type LogConfig struct {
	Level  slog.Level // debug, info, warn or error
	Format string     // "text" or "json"
}

// DatabaseConfig says where the data lives.
type DatabaseConfig struct {
	URL string // postgres:// URL; empty means the in-memory demo store
	// Migrate applies the schema migrations when the portal opens the
	// database; false leaves it to `portal migrate`.
	Migrate         bool
	MaxOpenConns    int           // connections this process may open
	MaxIdleConns    int           // connections kept open when idle
	ConnMaxLifetime time.Duration // connections older than this are replaced
}

// BillerConfig says which billing service the portal serves.
type BillerConfig struct {
	// ID is the biller's id in the database; the in-memory demo always
	// serves the demo biller.
	ID uuid.UUID
}

// TokensConfig holds how long the links sent by e-mail stay valid.
type TokensConfig struct {
	ActivationTTL  time.Duration
	ResetTTL       time.Duration
	EmailChangeTTL time.Duration
}

// SessionConfig holds how long a signed-in session lasts.
type SessionConfig struct {
	TTL         time.Duration // plain session
	RememberTTL time.Duration // "se souvenir de moi"
	StaffTTL    time.Duration // a back-office session
}

// setting describes one configuration key. The table below is the single
// source for defaults, environment names, flags and the help text.
type setting struct {
	key   string // viper key, dotted
	def   string // default, as text ("" for none)
	flag  string // flag name, "" when the key has no flag
	usage string // one line, English
}

var settings = []setting{
	{"addr", "127.0.0.1:8080", "addr", "host:port the HTTP server listens on"},
	{"demo", "false", "demo", "demo mode on a database too: demo data, /_dev/mail and the PayFiP simulator (always on without a database); never in production"},
	{"public_url", "", "public-url", "URL citizens reach the portal at (default http:// + addr)"},
	{"log.level", "info", "log-level", "log level: debug, info, warn or error"},
	{"log.format", "text", "log-format", "log format: text or json"},
	{"database.url", "", "database-url", "PostgreSQL URL (postgres://…); empty = in-memory demo store"},
	{"database.migrate", "true", "", "apply the schema migrations when opening the database (false: run portal migrate yourself)"},
	{"database.max_open_conns", "10", "", "most connections to PostgreSQL this process opens"},
	{"database.max_idle_conns", "5", "", "connections to PostgreSQL kept open when idle"},
	{"database.conn_max_lifetime", "30m", "", "connections to PostgreSQL older than this are closed and reopened"},
	{"biller.id", demo.BillerID.String(), "", "with a database, the biller (service de facturation) served on host names no biller claims (portal biller hosts); empty: such hosts get a 404"},
	{"tokens.activation_ttl", "48h", "", "validity of an account activation link"},
	{"tokens.reset_ttl", "1h", "", "validity of a password reset link"},
	{"tokens.email_change_ttl", "48h", "", "validity of an e-mail change confirmation link"},
	{"session.ttl", "12h", "", "lifetime of a session"},
	{"session.remember_ttl", "720h", "", "lifetime of a session with \"remember me\""},
	{"session.staff_ttl", "8h", "", "lifetime of a back-office (/gestion/) session"},
	{"payment.mode", "", "payment-mode", "simulator (demo only), payfip (web service) or tipi (legacy URL mode); default simulator without a database, payfip with one"},
	{"payment.numcli", "", "", "PayFiP client number (6 digits) of the biller served; empty = the biller's own"},
	{"payment.saisie", "", "", "PayFiP environment: T test, X activation, W production; empty = the biller's own"},
	{"payment.soap_url", "https://www.payfip.gouv.fr/tpa/services/securite", "", "PayFiP web service endpoint"},
	{"payment.page_url", "https://www.payfip.gouv.fr/tpa/paiementws.web", "", "PayFiP payment page (web-service mode)"},
	{"payment.tipi_url", "https://www.payfip.gouv.fr/tpa/paiement.web", "", "TIPI payment page (legacy URL mode)"},
	{"payment.tipi_production_letter", "A", "", "saisie letter sent for production in the legacy URL mode (A, X or M: ask the DGFiP)"},
	{"payment.timeout", "15s", "", "timeout of one call to the PayFiP web service"},
	{"payment.reconcile_interval", "5m", "", "how often unfinished payments, and those still holding their invoices, are checked with PayFiP; the nightly check runs at the first tick after 02:00 Paris"},
	{"smtp.host", "", "", "SMTP server the mails are sent through; empty = the demo's /_dev/mail mailbox (demo only)"},
	{"smtp.port", "0", "", "SMTP port; 0 = 587 for starttls, 465 for tls, 25 for none"},
	{"smtp.username", "", "", "SMTP user name; when set, the portal authenticates (never in clear text to a remote host)"},
	{"smtp.password", "", "", "SMTP password"},
	{"smtp.from", "", "", "sender of the mails, e.g. Commune de Démoville <factures@demoville.fr>; required with smtp.host"},
	{"smtp.tls", "starttls", "", "starttls, tls (implicit, port 465) or none (a local relay only)"},
	{"smtp.timeout", "15s", "", "timeout of one delivery, from connecting to the end"},
	{"mail.retry_for", "24h", "", "how long a mail that fails temporarily is retried before it is marked failed"},
	{"mail.interval", "1m", "", "how often mails waiting for a retry are looked at"},
	{"treasury.interval", "1h", "", "how often the daily treasury job looks whether a new Paris day has begun; invoices move once a day whatever the interval"},
	{"http.client_ip_header", "", "", "header in which a trusted reverse proxy gives the client's address (X-Forwarded-For or X-Real-IP); empty = the connection's address"},
	{"http.api_per_minute", "600", "", "requests one API key may make a minute (/api/v1/); over it, 429"},
	{"http.api_key_failures_per_minute", "20", "", "API requests with a missing or wrong key one address may make a minute; over it, the address gets 429 before its key is read"},
	{"http.payment_callbacks_per_minute", "60", "", "calls of /paiement/notification and /paiement/retour one address may make a minute; over it, 429 (the reconciler still asks PayFiP)"},
}

// envPrefix prefixes every environment variable: key database.url is read
// from PORTAL_DATABASE_URL.
const envPrefix = "PORTAL"

// envName returns the environment variable that sets key.
func envName(key string) string {
	return envPrefix + "_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// newFlagSet declares the flags of `portal serve`. Flag values are kept as
// text and applied over viper only when set, so that a flag left alone
// does not hide the environment or the file.
func newFlagSet(name string) (*flag.FlagSet, map[string]*string, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	configFile := fs.String("config", "", "configuration file (.yaml, .yml, .toml or .json); env "+envPrefix+"_CONFIG")
	values := make(map[string]*string)
	for _, s := range settings {
		if s.flag != "" {
			values[s.flag] = fs.String(s.flag, s.def, s.usage+"; env "+envName(s.key))
		}
	}
	return fs, values, configFile
}

// loadConfig builds the configuration from, by decreasing precedence, the
// flags set in fs, the PORTAL_* environment, the configuration file and the
// defaults, then validates it. Errors are plain English sentences meant for
// an operator, one per line.
func loadConfig(fs *flag.FlagSet, flagValues map[string]*string, configFile string) (Config, error) {
	v := viper.New()
	v.SetEnvPrefix(envPrefix)
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	// AutomaticEnv only answers for keys viper knows: every key gets a
	// default, even an empty one.
	for _, s := range settings {
		v.SetDefault(s.key, s.def)
	}

	if configFile == "" {
		configFile = v.GetString("config") // PORTAL_CONFIG
	}
	if configFile != "" {
		if err := readConfigFile(v, configFile); err != nil {
			return Config{}, err
		}
	}

	fs.Visit(func(f *flag.Flag) {
		for _, s := range settings {
			if s.flag == f.Name {
				v.Set(s.key, *flagValues[f.Name])
			}
		}
	})

	return parseConfig(v)
}

// readConfigFile merges the file at path into v, and rejects keys the
// portal does not know: a misspelt key would otherwise be silently ignored.
func readConfigFile(v *viper.Viper, path string) error {
	ext := strings.TrimPrefix(filepath.Ext(path), ".")
	if !slices.Contains([]string{"yaml", "yml", "toml", "json"}, ext) {
		return fmt.Errorf("config file %s: unsupported extension %q; use .yaml, .yml, .toml or .json", path, filepath.Ext(path))
	}
	v.SetConfigFile(path)
	v.SetConfigType(ext)
	if err := v.ReadInConfig(); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	var unknown []string
	for _, k := range v.AllKeys() {
		if !slices.ContainsFunc(settings, func(s setting) bool { return s.key == k }) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return fmt.Errorf("config file %s: unknown key(s) %s", path, strings.Join(unknown, ", "))
	}
	return nil
}

// parseConfig turns the merged text values into a typed, valid Config.
// It reports every invalid value, not just the first.
func parseConfig(v *viper.Viper) (Config, error) {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s (%s): %s", key, envName(key), fmt.Sprintf(format, args...)))
	}
	duration := func(key string) time.Duration {
		s := strings.TrimSpace(v.GetString(key))
		d, err := time.ParseDuration(s)
		switch {
		case err != nil:
			bad(key, "%q is not a duration; write it like 48h, 90m or 30s", s)
		case d <= 0:
			bad(key, "%q must be positive", s)
		}
		return d
	}

	var c Config
	c.Addr = strings.TrimSpace(v.GetString("addr"))
	if err := checkAddr(c.Addr); err != nil {
		bad("addr", "%v", err)
	}

	c.PublicURL = strings.TrimRight(strings.TrimSpace(v.GetString("public_url")), "/")
	if c.PublicURL == "" && checkAddr(c.Addr) == nil {
		c.PublicURL = defaultPublicURL(c.Addr)
	}
	if c.PublicURL != "" { // empty only when addr is invalid, already reported
		if err := checkURL(c.PublicURL, "http", "https"); err != nil {
			bad("public_url", "%v", err)
		}
	}

	level := strings.ToLower(strings.TrimSpace(v.GetString("log.level")))
	if err := c.Log.Level.UnmarshalText([]byte(level)); err != nil || !slices.Contains([]string{"debug", "info", "warn", "error"}, level) {
		bad("log.level", "%q is not a log level; use debug, info, warn or error", level)
	}
	c.Log.Format = strings.ToLower(strings.TrimSpace(v.GetString("log.format")))
	if c.Log.Format != "text" && c.Log.Format != "json" {
		bad("log.format", "%q is not a log format; use text or json", c.Log.Format)
	}

	c.Database.URL = strings.TrimSpace(v.GetString("database.url"))
	if c.Database.URL != "" {
		if err := checkURL(c.Database.URL, "postgres", "postgresql"); err != nil {
			bad("database.url", "%v", err)
		}
	}
	migrate := strings.TrimSpace(v.GetString("database.migrate"))
	if b, err := strconv.ParseBool(migrate); err != nil {
		bad("database.migrate", "%q is not a boolean; use true or false", migrate)
	} else {
		c.Database.Migrate = b
	}
	count := func(key string) int {
		s := strings.TrimSpace(v.GetString(key))
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 10000 {
			bad(key, "%q must be a whole number from 1 to 10000", s)
		}
		return n
	}
	c.Database.MaxOpenConns = count("database.max_open_conns")
	c.Database.MaxIdleConns = count("database.max_idle_conns")
	if c.Database.MaxIdleConns > c.Database.MaxOpenConns && c.Database.MaxOpenConns > 0 {
		bad("database.max_idle_conns", "%d is more than database.max_open_conns (%d)", c.Database.MaxIdleConns, c.Database.MaxOpenConns)
	}
	c.Database.ConnMaxLifetime = duration("database.conn_max_lifetime")

	// An empty biller.id serves only the billers' own host names.
	if billerID := strings.TrimSpace(v.GetString("biller.id")); billerID != "" {
		if id, err := uuid.Parse(billerID); err != nil || id == uuid.Nil {
			bad("biller.id", "%q is not a biller id; write it like %s", billerID, demo.BillerID)
		} else {
			c.Biller.ID = id
		}
	}

	c.Tokens.ActivationTTL = duration("tokens.activation_ttl")
	c.Tokens.ResetTTL = duration("tokens.reset_ttl")
	c.Tokens.EmailChangeTTL = duration("tokens.email_change_ttl")
	c.Session.TTL = duration("session.ttl")
	c.Session.RememberTTL = duration("session.remember_ttl")
	c.Session.StaffTTL = duration("session.staff_ttl")

	switch demo := strings.ToLower(strings.TrimSpace(v.GetString("demo"))); demo {
	case "true", "1", "yes":
		c.Demo = true
	case "false", "0", "no", "":
		c.Demo = c.Database.URL == ""
	default:
		bad("demo", "%q is not a boolean; use true or false", demo)
	}

	p := &c.Payment
	p.Mode = strings.ToLower(strings.TrimSpace(v.GetString("payment.mode")))
	if p.Mode == "" {
		p.Mode = PaymentSimulator
		if !c.Demo {
			p.Mode = PaymentPayFiP
		}
	}
	switch p.Mode {
	case PaymentSimulator:
		if !c.Demo {
			bad("payment.mode", "the simulator is for the demo only (no database.url, or demo=true); use payfip (or tipi) in production")
		}
	case PaymentPayFiP, PaymentTIPI:
	default:
		bad("payment.mode", "%q is not a payment mode; use simulator, payfip or tipi", p.Mode)
	}
	p.Numcli = strings.TrimSpace(v.GetString("payment.numcli"))
	if p.Numcli != "" && !domain.ValidNumcli(p.Numcli) {
		bad("payment.numcli", "%q is not a PayFiP client number; it has 6 digits, leading zeros included", p.Numcli)
	}
	p.Saisie = strings.ToUpper(strings.TrimSpace(v.GetString("payment.saisie")))
	if p.Saisie != "" && !domain.Saisie(p.Saisie).Valid() {
		bad("payment.saisie", "%q is not a PayFiP environment; use T (test), X (activation) or W (production)", p.Saisie)
	}
	for key, dst := range map[string]*string{"payment.soap_url": &p.SOAPURL, "payment.page_url": &p.PageURL, "payment.tipi_url": &p.TipiURL} {
		*dst = strings.TrimSpace(v.GetString(key))
		if err := checkURL(*dst, "https", "http"); err != nil {
			bad(key, "%v", err)
		}
	}
	p.TipiProductionLetter = strings.ToUpper(strings.TrimSpace(v.GetString("payment.tipi_production_letter")))
	if len(p.TipiProductionLetter) != 1 || p.TipiProductionLetter[0] < 'A' || p.TipiProductionLetter[0] > 'Z' {
		bad("payment.tipi_production_letter", "%q must be one capital letter (A, X or M)", p.TipiProductionLetter)
	}
	p.Timeout = duration("payment.timeout")
	p.ReconcileInterval = duration("payment.reconcile_interval")

	sm := &c.SMTP
	sm.Host = strings.TrimSpace(v.GetString("smtp.host"))
	sm.Username = strings.TrimSpace(v.GetString("smtp.username"))
	sm.Password = v.GetString("smtp.password")
	sm.From = strings.TrimSpace(v.GetString("smtp.from"))
	sm.TLS = strings.ToLower(strings.TrimSpace(v.GetString("smtp.tls")))
	if port, err := strconv.Atoi(strings.TrimSpace(v.GetString("smtp.port"))); err != nil || port < 0 || port > 65535 {
		bad("smtp.port", "%q is not a port; use a number from 0 to 65535", v.GetString("smtp.port"))
	} else {
		sm.Port = port
	}
	if !slices.Contains([]string{"starttls", "tls", "none"}, sm.TLS) {
		bad("smtp.tls", "%q is not a TLS mode; use starttls, tls or none", sm.TLS)
	}
	sm.Timeout = duration("smtp.timeout")
	if sm.Host != "" && sm.From == "" {
		bad("smtp.from", "the sender address is required when smtp.host is set")
	}
	c.Mail.RetryFor = duration("mail.retry_for")
	c.Mail.Interval = duration("mail.interval")
	c.Treasury.Interval = duration("treasury.interval")

	c.HTTP.ClientIPHeader = strings.TrimSpace(v.GetString("http.client_ip_header"))
	c.HTTP.APIPerMinute = count("http.api_per_minute")
	c.HTTP.APIKeyFailuresPerMinute = count("http.api_key_failures_per_minute")
	c.HTTP.PaymentCallbacksPerMinute = count("http.payment_callbacks_per_minute")
	if h := c.HTTP.ClientIPHeader; h != "" && !slices.Contains([]string{"x-forwarded-for", "x-real-ip"}, strings.ToLower(h)) {
		bad("http.client_ip_header", "%q is not supported; use X-Forwarded-For or X-Real-IP", h)
	}

	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	return c, nil
}

// checkAddr accepts host:port and :port, with a numeric port.
func checkAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not a listen address; write it like 127.0.0.1:8080 or :8080", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q has an invalid port; use a number from 0 to 65535", addr)
	}
	return nil
}

// defaultPublicURL derives the public URL from the listen address; a
// wildcard host is replaced by localhost, which is right on a developer's
// machine and must be overridden in production anyway.
func defaultPublicURL(addr string) string {
	host, port, _ := net.SplitHostPort(addr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// checkURL accepts an absolute URL with one of the given schemes.
// The error never repeats the URL itself: it may hold a password.
func checkURL(raw string, schemes ...string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("not a valid URL")
	}
	if !slices.Contains(schemes, u.Scheme) {
		return fmt.Errorf("must be a URL starting with %s://", strings.Join(schemes, ":// or "))
	}
	// A PostgreSQL URL may omit the host to use the local Unix socket.
	if u.Host == "" && (u.Scheme == "http" || u.Scheme == "https") {
		return errors.New("the URL has no host")
	}
	return nil
}
