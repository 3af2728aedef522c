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
	// Reminders tunes the reminders job (issue 15).
	Reminders RemindersConfig
	// Notices tunes the new-invoice notice job (issue 15).
	Notices NoticesConfig
	// Retention tunes the retention job of closed accounts (issue 16).
	Retention RetentionConfig
	// Board tunes the job behind the dashboard's charts (issue 16, part 5).
	Board    BoardConfig
	HTTP     HTTPConfig
	Password PasswordConfig
	Memory   MemoryConfig
	// Metrics is the operators' Prometheus endpoint (issue 16).
	Metrics MetricsConfig
}

// MetricsConfig is where the Prometheus metrics are served.
type MetricsConfig struct {
	// Addr is the host:port of the metrics' own listener (/metrics);
	// empty: no metrics. Never the public address.
	Addr string
}

// MemoryConfig is the Go runtime's memory target for `portal serve`.
type MemoryConfig struct {
	// SoftLimitMiB is the soft memory limit (runtime/debug.SetMemoryLimit,
	// what GOMEMLIMIT sets) of `portal serve`, in MiB; 0: none. The
	// garbage collector then returns argon2id's blocks as soon as they
	// are dropped instead of letting the heap double.
	SoftLimitMiB int
}

// PasswordConfig bounds the memory of password hashing
// (ports.Config.HashSlots, HashWait).
type PasswordConfig struct {
	// HashSlots is how many argon2id hashes may run at once; 0: as many
	// as processors, within 64 MiB (ports.DefaultHashSlots).
	HashSlots int
	// HashWait is how long a login waits for a slot before the page says
	// « Le service est très sollicité : réessayez dans un instant. ».
	HashWait time.Duration
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

// RemindersConfig tunes the reminders job (ports.Jobs.RunReminders).
type RemindersConfig struct {
	// Interval is how often the job looks for invoices to remind; each
	// invoice gets each kind of reminder once whatever the interval.
	Interval time.Duration
}

// NoticesConfig tunes the new-invoice notice job (ports.Jobs.RunNotices).
type NoticesConfig struct {
	// Interval is how often the job looks for invoices that arrived; each
	// invoice is announced once whatever the interval.
	Interval time.Duration
	// Lookback is how old an invoice may be and still be announced
	// (ports.Config.NoticeLookback).
	Lookback time.Duration
}

// RetentionConfig tunes the retention job (ports.Jobs.RunRetention).
type RetentionConfig struct {
	// Interval is how often the job looks whether a new Paris day has
	// begun; it erases closed accounts once a day whatever the interval.
	Interval time.Duration
}

// BoardConfig tunes the board job (ports.Jobs.RefreshBoard).
type BoardConfig struct {
	// RefreshInterval is how often the charts' figures are computed
	// again: how old a figure on the dashboard may be.
	RefreshInterval time.Duration
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
	// DirectURL reaches PostgreSQL itself when URL goes through a
	// transaction-mode pooler, for the migrations' advisory lock; empty
	// means URL.
	DirectURL string
	// PreparedStatements prepares each statement once per connection;
	// false sends them unprepared, as a transaction-mode pooler needs.
	PreparedStatements bool
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
