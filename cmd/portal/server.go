package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"text/tabwriter"
	"time"
)

// shutdownTimeout bounds the graceful shutdown: requests still running
// after it are cut.
const shutdownTimeout = 10 * time.Second

// serve builds the handler, serves it until ctx is cancelled, then shuts
// down gracefully: the listener closes at once, requests in flight get up
// to shutdownTimeout to finish.
func (m *Main) serve(ctx context.Context) error {
	handler, err := m.buildHandler(ctx)
	if err != nil {
		return err
	}
	if err := m.serveMetrics(); err != nil {
		return err
	}

	ln := m.Listener
	if ln == nil {
		if ln, err = net.Listen("tcp", m.Config.Addr); err != nil {
			return fmt.Errorf("cannot listen on %s: %w", m.Config.Addr, err)
		}
	}
	return m.serveHTTP(ctx, ln, handler)
}

// serveHTTP serves handler on ln, which it closes, until ctx is cancelled.
func (m *Main) serveHTTP(ctx context.Context, ln net.Listener, handler http.Handler) error {
	srv := &http.Server{
		Handler:           handler,          // which logs each request (adapters/http's access log)
		ReadHeaderTimeout: 10 * time.Second, // slow clients must not hold connections open
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelError),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	m.Logger.Info("listening", "url", "http://"+ln.Addr().String(), "public_url", m.Config.PublicURL)
	if m.Serving != nil {
		close(m.Serving)
	}

	select {
	case err := <-served:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}

	m.Logger.Info("shutting down", "timeout", shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close() // cut what is left; the shutdown error says why
		return fmt.Errorf("graceful shutdown did not finish within %s: %w", shutdownTimeout, err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http server: %w", err)
	}
	m.Logger.Info("stopped")
	return nil
}

// healthz tells a load balancer or a supervisor that the process serves.
func healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = io.WriteString(w, "ok\n")
}

// usage prints the help: commands, their flags, and every setting with
// its environment variable and default.
func (m *Main) usage(w io.Writer) {
	fmt.Fprint(w, `Portail des factures: invoices online, paid with PayFiP.

Usage:
  portal [serve] [flags]      run the web server (the default command)
  portal migrate [flags]      apply the database migrations
  portal import --biller ID [--dry-run] [flags] FILE
                              load payers and invoices from a CSV or JSON file
                              (formats: README), all or nothing
  portal demo-seed [flags]    write the demo data into the database
  portal biller add --name NAME --numcli 004200 [--email ADDRESS] [--host HOST]... [--id ID]
                              add a billing service (PayFiP test mode)
  portal biller hosts --biller ID HOST...
                              set the host names its portal answers on
  portal biller list          list the billing services
  portal staff add --biller ID --email ADDRESS [--name NAME]
                   [--role administrateur|gestionnaire|lecture] [--password-stdin]
                              add a back-office account, or reset its role and
                              password; without --password-stdin a password is
                              generated and printed once
  portal staff disable --biller ID --email ADDRESS
                              stop a back-office account and close its sessions
  portal staff list --biller ID
                              list a billing service's back-office accounts
  portal apikey create --biller ID --name NAME
                              make a key for the billing software's API
                              (/api/v1/); its secret is printed once
  portal apikey revoke --biller ID --id KEY
                              end a key at once
  portal apikey list --biller ID
                              list a billing service's API keys
  portal version              print the version
  portal help                 print this help

migrate, import, demo-seed, biller, staff and apikey need a database (database.url).

Flags of serve, migrate, import and demo-seed:
`)
	fs, _, _ := newFlagSet("portal serve")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprint(w, "\nFlags of import:\n")
	fs = flag.NewFlagSet("portal import", flag.ContinueOnError)
	importFlags(fs)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprint(w, "\nFlags of biller and staff:\n")
	fs = flag.NewFlagSet("portal staff", flag.ContinueOnError)
	adminFlags(fs)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprint(w, "\nFlags of apikey:\n")
	fs = flag.NewFlagSet("portal apikey", flag.ContinueOnError)
	apikeyFlags(fs)
	fs.SetOutput(w)
	fs.PrintDefaults()

	fmt.Fprint(w, `
Settings, from a configuration file (--config, nested keys) or the environment:
`)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  KEY\tENVIRONMENT\tDEFAULT")
	for _, s := range settings {
		def := s.def
		if def == "" {
			def = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", s.key, envName(s.key), def)
	}
	_ = tw.Flush()
	fmt.Fprint(w, `
Precedence: flag, then environment, then file, then default.
Durations are written like 48h, 90m or 30s.
`)
}
