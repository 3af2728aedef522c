// Command portal runs the Portail des factures, the web site where local
// authorities put their invoices online and citizens pay them through the
// DGFiP's PayFiP.
//
//	portal [serve] [flags]                          run the web server (the default)
//	portal migrate [flags]                          apply the database migrations
//	portal import --biller ID [--dry-run] [flags] FILE
//	                                                load payers and invoices from a CSV or JSON file
//	portal demo-seed [flags]                        fill the database with the demo data
//	portal apikey create|revoke|list --biller ID    the billing software's API keys (apikey.go)
//	portal version                                  print the version
//	portal help                                     print the help, with every setting
//
// This package is the only one that reads flags, files and the environment,
// and it wires the adapters to the use cases by hand (wire.go), after the
// Main struct of benbjohnson/wtf.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"

	"github.com/portail-factures/portail/adapters/metrics"
	"github.com/portail-factures/portail/ports"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal, restore the default behaviour so that a
		// second Ctrl-C kills a shutdown that takes too long.
		<-ctx.Done()
		stop()
	}()

	m := NewMain()
	err := m.ParseArgs(os.Args[1:])
	if err == nil {
		m.limitMemory()
		err = m.Run(ctx)
	}
	stop()
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	os.Exit(m.report(err))
}

// limitMemory sets the soft memory limit of `portal serve`
// (memory.soft_limit_mib). Only the real process sets it: tests driving
// Main in their own process keep theirs, and `portal import` streams its
// own way.
func (m *Main) limitMemory() {
	if m.command == "serve" && m.Config.Memory.SoftLimitMiB > 0 {
		debug.SetMemoryLimit(int64(m.Config.Memory.SoftLimitMiB) << 20)
	}
}

// Main is the program: its configuration, its resources, and what to
// release at exit. Tests drive it like main does.
type Main struct {
	Config Config

	// Listener, when not nil, is served instead of listening on
	// Config.Addr. Tests pass one bound to 127.0.0.1:0, so they know the
	// address before Run starts and need no waiting.
	Listener net.Listener
	// Serving, when not nil, is closed once serve has built the portal
	// (the demo's seeding included) and serves requests: tests wait on it
	// rather than on a client's timeout that start-up could exceed.
	Serving chan struct{}

	// Stdout receives what the user asked for (version, help); Stderr
	// receives the logs and the errors.
	Stdout, Stderr io.Writer
	// Stdin is read by `portal staff add --password-stdin`.
	Stdin io.Reader

	// Logger is built by Run from Config.Log when nil.
	Logger *slog.Logger

	// MetricsListener, when not nil, serves the metrics instead of
	// listening on Config.Metrics.Addr (tests), and turns them on.
	MetricsListener net.Listener

	// portal holds the use cases once serve has wired them.
	portal *ports.Portal
	// metrics counts for the operators when metrics.addr is set; nil
	// otherwise (metrics.go).
	metrics *metrics.Metrics

	command string         // set by ParseArgs: serve, migrate, import, demo-seed, version or help
	imp     importArgs     // the arguments of import
	adm     adminArgs      // the arguments of biller and staff
	key     apikeyArgs     // the arguments of apikey
	closers []func() error // released by Close, last first
}

// NewMain returns a Main writing to the process's standard streams.
func NewMain() *Main {
	return &Main{Stdout: os.Stdout, Stderr: os.Stderr, Stdin: os.Stdin}
}

// usageError is a mistake on the command line: it is reported with a hint
// to run `portal help`, and exits with status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// ParseArgs reads the command line (without the program name) and, for
// the commands that use it (serve, migrate, import, demo-seed), the
// configuration. It returns flag.ErrHelp when help was asked
// with -h, after printing it.
func (m *Main) ParseArgs(args []string) error {
	m.command = "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		m.command, args = args[0], args[1:]
	}
	var sub string
	switch m.command {
	case "serve", "migrate", "demo-seed", "import":
	case "biller", "staff":
		if len(args) == 0 || strings.HasPrefix(args[0], "-") {
			return &usageError{fmt.Sprintf("%s needs a subcommand: %s", m.command, strings.Join(adminSubcommands[m.command], ", "))}
		}
		sub, args = args[0], args[1:]
	case "apikey":
		if len(args) == 0 || strings.HasPrefix(args[0], "-") {
			return &usageError{"apikey needs a subcommand: " + strings.Join(apikeySubcommands, ", ")}
		}
		sub, args = args[0], args[1:]
	case "version", "help":
		if len(args) > 0 {
			return &usageError{fmt.Sprintf("%s takes no arguments, got %q", m.command, args)}
		}
		return nil
	default:
		return &usageError{fmt.Sprintf("unknown command %q", m.command)}
	}

	fs, flagValues, configFile := newFlagSet("portal " + m.command)
	var biller *string
	var dryRun *bool
	var adminValues adminFlagValues
	var apikeyValues apikeyFlagValues
	switch m.command {
	case "import":
		biller, dryRun = importFlags(fs)
	case "biller", "staff":
		adminValues = adminFlags(fs)
	case "apikey":
		apikeyValues = apikeyFlags(fs)
	}
	fs.SetOutput(io.Discard) // errors are reported once, by report
	// Flags may follow the file name: portal import FILE --dry-run.
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				m.usage(m.Stdout)
				return err
			}
			return &usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch {
	case m.command == "import":
		imp, err := parseImportArgs(*biller, *dryRun, positional)
		if err != nil {
			return err
		}
		m.imp = imp
	case m.command == "biller" || m.command == "staff":
		adm, err := parseAdminArgs(m.command, sub, adminValues, positional)
		if err != nil {
			return err
		}
		m.adm = adm
	case m.command == "apikey":
		key, err := parseAPIKeyArgs(sub, apikeyValues, positional)
		if err != nil {
			return err
		}
		m.key = key
	case len(positional) > 0:
		return &usageError{fmt.Sprintf("%s takes no arguments, got %q", m.command, positional)}
	}
	c, err := loadConfig(fs, flagValues, *configFile)
	if err != nil {
		return fmt.Errorf("invalid configuration:\n%w", err)
	}
	m.Config = c
	return nil
}

// Run runs the command chosen by ParseArgs. For serve, it returns when ctx
// is cancelled and the server has shut down gracefully, or on failure.
func (m *Main) Run(ctx context.Context) error {
	switch m.command {
	case "version":
		_, err := fmt.Fprintln(m.Stdout, versionString())
		return err
	case "help":
		m.usage(m.Stdout)
		return nil
	case "serve", "migrate", "import", "demo-seed", "biller", "staff", "apikey":
		if m.Logger == nil {
			m.Logger = newLogger(m.Stderr, m.Config.Log)
		}
		switch m.command {
		case "migrate":
			return m.migrate(ctx)
		case "import":
			return m.importFile(ctx)
		case "demo-seed":
			return m.demoSeed(ctx)
		case "biller", "staff":
			return m.admin(ctx)
		case "apikey":
			return m.apikey(ctx)
		}
		return m.serve(ctx)
	default:
		return errors.New("Run called before ParseArgs")
	}
}

// onClose registers f to be called by Close; wire.go uses it for every
// resource it opens (database pool, SMTP connections…).
func (m *Main) onClose(f func() error) {
	m.closers = append(m.closers, f)
}

// Close releases what the wiring opened, in reverse order, and reports
// every failure. It may be called more than once.
func (m *Main) Close() error {
	var errs []error
	for _, f := range slices.Backward(m.closers) {
		errs = append(errs, f())
	}
	m.closers = nil
	return errors.Join(errs...)
}

// report prints err for a human, without a stack trace, and returns the
// exit status: 0 for success or -h, 2 for a usage mistake, 1 otherwise.
func (m *Main) report(err error) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(m.Stderr, "portal: %s\nRun 'portal help' for usage.\n", ue.msg)
		return 2
	default:
		msg := strings.ReplaceAll(err.Error(), "\n", "\n  ")
		fmt.Fprintf(m.Stderr, "portal: %s\n", msg)
		return 1
	}
}

// newLogger returns the process's logger; the configuration was validated,
// so Format is text or json.
// Each line logged for an HTTP request carries its id
// (ports.LogRequestIDs).
func newLogger(w io.Writer, c LogConfig) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.Level}
	if c.Format == "json" {
		return slog.New(ports.LogRequestIDs(slog.NewJSONHandler(w, opts)))
	}
	return slog.New(ports.LogRequestIDs(slog.NewTextHandler(w, opts)))
}

// versionString names the build: the -X version if set, else the module
// version `go install` recorded, plus the VCS revision when known.
func versionString() string {
	v := version
	var rev string
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = " " + s.Value[:12]
			}
		}
	}
	return fmt.Sprintf("portal %s%s (%s %s/%s)", v, rev, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
