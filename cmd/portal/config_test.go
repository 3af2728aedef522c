package main

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/ports/demo"
)

// clearEnv hides the PORTAL_* variables of the developer's shell from the
// test; viper ignores empty variables.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, envPrefix+"_") {
			t.Setenv(k, "")
		}
	}
}

// load parses `portal serve args…` and returns the configuration.
func load(t *testing.T, args ...string) (Config, error) {
	t.Helper()
	m := NewMain()
	m.Stdout, m.Stderr = io.Discard, io.Discard
	err := m.ParseArgs(append([]string{"serve"}, args...))
	return m.Config, err
}

// writeFile writes a configuration file named name in a temporary folder.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func TestConfigDefaults(t *testing.T) {
	clearEnv(t)
	c, err := load(t)
	require.NoError(t, err)
	assert.Equal(t, Config{
		Addr:      "127.0.0.1:8080",
		PublicURL: "http://127.0.0.1:8080",
		Demo:      true,
		Log:       LogConfig{Level: slog.LevelInfo, Format: "text"},
		Database:  DatabaseConfig{URL: "", Migrate: true, PreparedStatements: true, MaxOpenConns: 10, MaxIdleConns: 5, ConnMaxLifetime: 30 * time.Minute},
		Biller:    BillerConfig{ID: demo.BillerID},
		Tokens: TokensConfig{
			ActivationTTL:  48 * time.Hour,
			ResetTTL:       time.Hour,
			EmailChangeTTL: 48 * time.Hour,
		},
		Session: SessionConfig{TTL: 12 * time.Hour, RememberTTL: 720 * time.Hour, StaffTTL: 8 * time.Hour},
		Payment: PaymentConfig{
			Mode:                 PaymentSimulator,
			SOAPURL:              "https://www.payfip.gouv.fr/tpa/services/securite",
			PageURL:              "https://www.payfip.gouv.fr/tpa/paiementws.web",
			TipiURL:              "https://www.payfip.gouv.fr/tpa/paiement.web",
			TipiProductionLetter: "A",
			Timeout:              15 * time.Second,
			ReconcileInterval:    5 * time.Minute,
		},
		SMTP:      SMTPConfig{TLS: "starttls", Timeout: 15 * time.Second},
		Mail:      MailConfig{RetryFor: 24 * time.Hour, Interval: time.Minute},
		Treasury:  TreasuryConfig{Interval: time.Hour},
		Reminders: RemindersConfig{Interval: time.Hour},
		Notices:   NoticesConfig{Interval: 10 * time.Minute, Lookback: 72 * time.Hour},
		Retention: RetentionConfig{Interval: time.Hour},
		Board:     BoardConfig{RefreshInterval: 15 * time.Minute},
		HTTP:      HTTPConfig{APIPerMinute: 600, APIKeyFailuresPerMinute: 20, PaymentCallbacksPerMinute: 60},
		Password:  PasswordConfig{HashWait: 2 * time.Second},
		Memory:    MemoryConfig{SoftLimitMiB: 48},
	}, c)
}

func TestPaymentConfig(t *testing.T) {
	clearEnv(t)
	c, err := load(t, "--database-url", "postgres://db/portal")
	require.NoError(t, err)
	assert.Equal(t, PaymentPayFiP, c.Payment.Mode, "with a database the default is the real web service")

	t.Setenv("PORTAL_PAYMENT_NUMCLI", "004201")
	t.Setenv("PORTAL_PAYMENT_SAISIE", "w")
	t.Setenv("PORTAL_PAYMENT_MODE", "TIPI")
	c, err = load(t)
	require.NoError(t, err)
	assert.Equal(t, "004201", c.Payment.Numcli)
	assert.Equal(t, "W", c.Payment.Saisie)
	assert.Equal(t, PaymentTIPI, c.Payment.Mode)

	t.Setenv("PORTAL_PAYMENT_NUMCLI", "4201")
	t.Setenv("PORTAL_PAYMENT_SAISIE", "P")
	t.Setenv("PORTAL_PAYMENT_MODE", "cheque")
	t.Setenv("PORTAL_PAYMENT_SOAP_URL", "ftp://payfip")
	_, err = load(t)
	require.Error(t, err)
	for _, want := range []string{"payment.numcli (PORTAL_PAYMENT_NUMCLI)", "payment.saisie (PORTAL_PAYMENT_SAISIE)", "payment.mode (PORTAL_PAYMENT_MODE)", "payment.soap_url (PORTAL_PAYMENT_SOAP_URL)"} {
		assert.Contains(t, err.Error(), want)
	}

	clearEnv(t)
	_, err = load(t, "--database-url", "postgres://db/portal", "--payment-mode", "simulator")
	assert.ErrorContains(t, err, "the simulator is for the demo only")
	c, err = load(t, "--database-url", "postgres://db/portal", "--demo=true")
	require.NoError(t, err)
	assert.True(t, c.Demo, "the demonstration on PostgreSQL")
	assert.Equal(t, PaymentSimulator, c.Payment.Mode)
	_, err = load(t, "--demo=peut-être")
	assert.ErrorContains(t, err, "demo (PORTAL_DEMO)")
}

func TestConfigPrecedence(t *testing.T) {
	file := writeFile(t, "portal.yaml", `
addr: 127.0.0.1:1001
log:
  level: warn
tokens:
  reset_ttl: 2h
`)
	tests := []struct {
		name      string
		env       map[string]string
		args      []string
		wantAddr  string
		wantLevel slog.Level
		wantReset time.Duration
	}{
		{"default when nothing is set", nil, nil, "127.0.0.1:8080", slog.LevelInfo, time.Hour},
		{"file over default", nil, []string{"--config", file}, "127.0.0.1:1001", slog.LevelWarn, 2 * time.Hour},
		{"env over file",
			map[string]string{"PORTAL_ADDR": "127.0.0.1:1002", "PORTAL_LOG_LEVEL": "error", "PORTAL_TOKENS_RESET_TTL": "3h"},
			[]string{"--config", file}, "127.0.0.1:1002", slog.LevelError, 3 * time.Hour},
		{"flag over env",
			map[string]string{"PORTAL_ADDR": "127.0.0.1:1002", "PORTAL_LOG_LEVEL": "error"},
			[]string{"--config", file, "--addr", "127.0.0.1:1003", "-log-level", "debug"},
			"127.0.0.1:1003", slog.LevelDebug, 2 * time.Hour},
		{"PORTAL_CONFIG names the file", map[string]string{"PORTAL_CONFIG": file}, nil, "127.0.0.1:1001", slog.LevelWarn, 2 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			c, err := load(t, tt.args...)
			require.NoError(t, err)
			assert.Equal(t, tt.wantAddr, c.Addr)
			assert.Equal(t, "http://"+tt.wantAddr, c.PublicURL, "public_url follows addr")
			assert.Equal(t, tt.wantLevel, c.Log.Level)
			assert.Equal(t, tt.wantReset, c.Tokens.ResetTTL)
		})
	}
}

func TestConfigFileFormats(t *testing.T) {
	files := map[string]string{
		"portal.yml":  "session:\n  ttl: 90m\ndatabase:\n  url: postgres://portal@db/portal\n",
		"portal.toml": "[session]\nttl = \"90m\"\n[database]\nurl = \"postgres://portal@db/portal\"\n",
		"portal.json": `{"session": {"ttl": "90m"}, "database": {"url": "postgres://portal@db/portal"}}`,
	}
	for name, content := range files {
		t.Run(name, func(t *testing.T) {
			clearEnv(t)
			c, err := load(t, "--config", writeFile(t, name, content))
			require.NoError(t, err)
			assert.Equal(t, 90*time.Minute, c.Session.TTL)
			assert.Equal(t, "postgres://portal@db/portal", c.Database.URL)
			assert.Equal(t, 720*time.Hour, c.Session.RememberTTL, "keys absent from the file keep their default")
		})
	}
}

func TestConfigDerivesPublicURL(t *testing.T) {
	tests := []struct{ name, addr, publicURL, want string }{
		{"from addr", "127.0.0.1:9000", "", "http://127.0.0.1:9000"},
		{"wildcard host becomes localhost", ":9000", "", "http://localhost:9000"},
		{"explicit URL wins, without trailing slash", ":9000", "https://factures.example.fr/", "https://factures.example.fr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			c, err := load(t, "--addr", tt.addr, "--public-url", tt.publicURL)
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.PublicURL)
		})
	}
}

func TestTreasuryInterval(t *testing.T) {
	clearEnv(t)
	t.Setenv("PORTAL_TREASURY_INTERVAL", "10m")
	c, err := load(t)
	require.NoError(t, err)
	assert.Equal(t, 10*time.Minute, c.Treasury.Interval)
	c, err = load(t, "--config", writeFile(t, "portal.yaml", "treasury:\n  interval: 2h\n"))
	require.NoError(t, err)
	assert.Equal(t, 10*time.Minute, c.Treasury.Interval, "the environment wins over the file")
	clearEnv(t)
	c, err = load(t, "--config", writeFile(t, "portal.yaml", "treasury:\n  interval: 2h\n"))
	require.NoError(t, err)
	assert.Equal(t, 2*time.Hour, c.Treasury.Interval)
}

func TestConfigRejectsInvalidValues(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"bad duration", map[string]string{"PORTAL_SESSION_TTL": "twelve hours"}, nil,
			`session.ttl (PORTAL_SESSION_TTL): "twelve hours" is not a duration`},
		{"duration without unit", map[string]string{"PORTAL_TOKENS_RESET_TTL": "3600"}, nil,
			`tokens.reset_ttl (PORTAL_TOKENS_RESET_TTL): "3600" is not a duration`},
		{"negative duration", map[string]string{"PORTAL_TOKENS_ACTIVATION_TTL": "-1h"}, nil,
			`tokens.activation_ttl (PORTAL_TOKENS_ACTIVATION_TTL): "-1h" must be positive`},
		{"treasury interval of zero", map[string]string{"PORTAL_TREASURY_INTERVAL": "0s"}, nil,
			`treasury.interval (PORTAL_TREASURY_INTERVAL): "0s" must be positive`},
		{"bad log level", nil, []string{"--log-level", "verbose"},
			`log.level (PORTAL_LOG_LEVEL): "verbose" is not a log level; use debug, info, warn or error`},
		{"slog offsets are not log levels", nil, []string{"--log-level", "info+2"}, `"info+2" is not a log level`},
		{"bad log format", map[string]string{"PORTAL_LOG_FORMAT": "xml"}, nil, `log.format (PORTAL_LOG_FORMAT): "xml" is not a log format`},
		{"bad public URL", nil, []string{"--public-url", "factures.example.fr"},
			"public_url (PORTAL_PUBLIC_URL): must be a URL starting with http:// or https://"},
		{"public URL without host", nil, []string{"--public-url", "https://"}, "public_url (PORTAL_PUBLIC_URL): the URL has no host"},
		{"bad database URL", map[string]string{"PORTAL_DATABASE_URL": "mysql://db/portal"}, nil,
			"database.url (PORTAL_DATABASE_URL): must be a URL starting with postgres:// or postgresql://"},
		{"bad addr", nil, []string{"--addr", "localhost"}, `addr (PORTAL_ADDR): "localhost" is not a listen address`},
		{"bad metrics addr", map[string]string{"PORTAL_METRICS_ADDR": "9090"}, nil, `metrics.addr (PORTAL_METRICS_ADDR): "9090" is not a listen address`},
		{"metrics on the public port", map[string]string{"PORTAL_METRICS_ADDR": "0.0.0.0:8080"}, nil,
			`metrics.addr (PORTAL_METRICS_ADDR): "0.0.0.0:8080" has the port of addr (127.0.0.1:8080): the metrics are never served on the public port`},
		{"bad migrate switch", map[string]string{"PORTAL_DATABASE_MIGRATE": "sometimes"}, nil,
			`database.migrate (PORTAL_DATABASE_MIGRATE): "sometimes" is not a boolean`},
		{"no connections", map[string]string{"PORTAL_DATABASE_MAX_OPEN_CONNS": "0"}, nil,
			`database.max_open_conns (PORTAL_DATABASE_MAX_OPEN_CONNS): "0" must be a whole number from 1 to 10000`},
		{"more idle connections than open ones", map[string]string{"PORTAL_DATABASE_MAX_IDLE_CONNS": "20"}, nil,
			`database.max_idle_conns (PORTAL_DATABASE_MAX_IDLE_CONNS): 20 is more than database.max_open_conns (10)`},
		{"bad connection lifetime", map[string]string{"PORTAL_DATABASE_CONN_MAX_LIFETIME": "forever"}, nil,
			`database.conn_max_lifetime (PORTAL_DATABASE_CONN_MAX_LIFETIME): "forever" is not a duration`},
		{"bad biller id", map[string]string{"PORTAL_BILLER_ID": "004200"}, nil,
			`biller.id (PORTAL_BILLER_ID): "004200" is not a biller id`},
		{"bad port", nil, []string{"--addr", "localhost:http"}, `addr (PORTAL_ADDR): "localhost:http" has an invalid port`},
		{"unknown key in file", nil, []string{"--config", writeFile(t, "typo.yaml", "sesion:\n  ttl: 1h\n")},
			"unknown key(s) sesion.ttl"},
		{"unsupported file type", nil, []string{"--config", writeFile(t, "portal.ini", "addr=:80\n")},
			`unsupported extension ".ini"; use .yaml, .yml, .toml or .json`},
		{"missing file", nil, []string{"--config", "/nonexistent/portal.yaml"}, "config file /nonexistent/portal.yaml: open"},
		{"malformed file", nil, []string{"--config", writeFile(t, "bad.json", "{addr:")}, "config file "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			_, err := load(t, tt.args...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "invalid configuration:\n")
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestConfigErrorsAreAllReportedWithoutSecrets(t *testing.T) {
	clearEnv(t)
	t.Setenv("PORTAL_DATABASE_URL", "mysql://portal:s3cret@db/portal")
	t.Setenv("PORTAL_SESSION_TTL", "0s")
	m := NewMain()
	var stderr bytes.Buffer
	m.Stderr = &stderr
	code := m.report(m.ParseArgs([]string{"--log-format", "yaml"}))

	assert.Equal(t, 1, code)
	assert.Equal(t, `portal: invalid configuration:
  log.format (PORTAL_LOG_FORMAT): "yaml" is not a log format; use text or json
  database.url (PORTAL_DATABASE_URL): must be a URL starting with postgres:// or postgresql://
  session.ttl (PORTAL_SESSION_TTL): "0s" must be positive
`, stderr.String())
	assert.NotContains(t, stderr.String(), "s3cret")
}

func TestSMTPAndHTTPConfig(t *testing.T) {
	clearEnv(t)
	t.Setenv("PORTAL_SMTP_HOST", "smtp.demoville.fr")
	t.Setenv("PORTAL_SMTP_FROM", "Commune de Démoville <factures@demoville.fr>")
	t.Setenv("PORTAL_SMTP_TLS", "TLS")
	t.Setenv("PORTAL_SMTP_PASSWORD", "s3cret")
	t.Setenv("PORTAL_HTTP_CLIENT_IP_HEADER", "X-Forwarded-For")
	c, err := load(t)
	require.NoError(t, err)
	assert.Equal(t, SMTPConfig{Host: "smtp.demoville.fr", From: "Commune de Démoville <factures@demoville.fr>", TLS: "tls", Password: "s3cret", Timeout: 15 * time.Second}, c.SMTP)
	assert.Equal(t, "X-Forwarded-For", c.HTTP.ClientIPHeader)
	t.Setenv("PORTAL_HTTP_API_PER_MINUTE", "0")
	_, err = load(t)
	assert.ErrorContains(t, err, "http.api_per_minute")
	t.Setenv("PORTAL_HTTP_API_PER_MINUTE", "120")
	c, err = load(t)
	require.NoError(t, err)
	assert.Equal(t, 120, c.HTTP.APIPerMinute)
	t.Setenv("PORTAL_HTTP_API_KEY_FAILURES_PER_MINUTE", "-1")
	_, err = load(t)
	assert.ErrorContains(t, err, "http.api_key_failures_per_minute")
	t.Setenv("PORTAL_HTTP_API_KEY_FAILURES_PER_MINUTE", "5")
	c, err = load(t)
	require.NoError(t, err)
	assert.Equal(t, 5, c.HTTP.APIKeyFailuresPerMinute)
	t.Setenv("PORTAL_HTTP_PAYMENT_CALLBACKS_PER_MINUTE", "600")
	c, err = load(t)
	require.NoError(t, err)
	assert.Equal(t, 600, c.HTTP.PaymentCallbacksPerMinute)
	t.Setenv("PORTAL_HTTP_API_PER_MINUTE", "")

	t.Setenv("PORTAL_SMTP_FROM", "")
	t.Setenv("PORTAL_SMTP_TLS", "ssl")
	t.Setenv("PORTAL_SMTP_PORT", "smtp")
	t.Setenv("PORTAL_HTTP_CLIENT_IP_HEADER", "Forwarded")
	_, err = load(t)
	require.Error(t, err)
	for _, want := range []string{"smtp.from (PORTAL_SMTP_FROM)", "smtp.tls (PORTAL_SMTP_TLS)", "smtp.port (PORTAL_SMTP_PORT)", "http.client_ip_header"} {
		assert.Contains(t, err.Error(), want)
	}
	assert.NotContains(t, err.Error(), "s3cret", "the password is never echoed")
}

// TestSettingsTable checks the table parseConfig is driven by: every key
// once, with a parser, and a default its own parser accepts.
func TestSettingsTable(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range settings {
		assert.False(t, seen[s.key], "%s is in the table twice", s.key)
		seen[s.key] = true
		if assert.NotNil(t, s.parse, "%s has no parser", s.key) {
			var c Config
			assert.NoError(t, s.parse(&c, s.def), "%s: default %q", s.key, s.def)
		}
	}
}

func TestConfigDatabaseBehindAPooler(t *testing.T) {
	clearEnv(t)
	c, err := load(t, "--config", writeFile(t, "portal.yml",
		"database:\n  url: postgres://portal@pgbouncer:6432/portal\n  direct_url: postgres://portal@db:5432/portal\n  prepared_statements: false\n"))
	require.NoError(t, err)
	assert.Equal(t, "postgres://portal@db:5432/portal", c.Database.DirectURL)
	assert.False(t, c.Database.PreparedStatements)

	_, err = load(t, "--database-url", "")
	require.NoError(t, err)
	t.Setenv("PORTAL_DATABASE_DIRECT_URL", "postgres://portal@db:5432/portal")
	_, err = load(t)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "database.direct_url (PORTAL_DATABASE_DIRECT_URL): it needs database.url")
}
