package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/adapters/postgres"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
	"github.com/portail-factures/portail/ports/importfile"
)

// importArgs are the arguments of `portal import`.
type importArgs struct {
	biller uuid.UUID
	dryRun bool
	file   string
}

// importFlags declares the flags of import beside the settings' flags.
func importFlags(fs *flag.FlagSet) (biller *string, dryRun *bool) {
	return fs.String("biller", "", "id of the biller (service de facturation) the file is for; required"),
		fs.Bool("dry-run", false, "check the file and say what it would change, saving nothing")
}

func parseImportArgs(biller string, dryRun bool, files []string) (importArgs, error) {
	if len(files) != 1 {
		return importArgs{}, &usageError{fmt.Sprintf("import takes one file, got %d: portal import --biller ID [--dry-run] FILE", len(files))}
	}
	if biller == "" {
		return importArgs{}, &usageError{"import needs --biller ID, the id of the biller the file is for"}
	}
	id, err := uuid.Parse(biller)
	if err != nil || id == uuid.Nil {
		return importArgs{}, &usageError{fmt.Sprintf("--biller %q is not a biller id; write it like %s", biller, demo.BillerID)}
	}
	return importArgs{biller: id, dryRun: dryRun, file: files[0]}, nil
}

// maxPrinted bounds the line errors printed: the first ones show what is
// wrong with the file.
const maxPrinted = 1000

// importFile is `portal import`: it reads a CSV or JSON file
// (ports/importfile) and loads it with ports.Portal.Import, all or
// nothing. Line errors go to stderr, in French for the billing service,
// and make the command fail; the counts go to stdout.
func (m *Main) importFile(ctx context.Context) error {
	a := m.imp
	f, err := os.Open(a.file)
	if err != nil {
		return err
	}
	defer f.Close()
	db, err := m.openDatabase(ctx, m.Config.Database.Migrate)
	if err != nil {
		return err
	}
	portal, err := m.importPortal(db)
	if err != nil {
		return err
	}

	start := time.Now()
	var size int64
	if fi, err := f.Stat(); err == nil {
		size = fi.Size()
	}
	prog := newProgress(m.Stderr, size)
	// The file is read twice, its payers then its invoices, each time
	// from its start, and never held: memory stays flat whatever its size.
	passes := []string{"payers", "invoices"}
	var readErr error
	src := func(payer func(domain.ImportPayer) error, invoice func(domain.ImportInvoice) error) ([]domain.LineError, error) {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			readErr = err
			return nil, err
		}
		label := "checking and saving"
		if a.dryRun {
			label = "checking"
		}
		if len(passes) > 0 {
			label += " the " + passes[0] + " of"
			passes = passes[1:]
		}
		errs, err := importfile.Scan(prog.reading(f, label+" "+a.file), importfile.Records{Payer: payer, Invoice: invoice})
		if err != nil && readErr == nil && !isDomainError(err) {
			readErr = err
		}
		return errs, err
	}
	res, lineErrs, err := portal.Operator().ImportStream(ctx, a.biller, src, a.dryRun)
	prog.end()
	if readErr != nil {
		return fmt.Errorf("reading %s: %w", a.file, readErr)
	}
	switch {
	case domain.ErrorCode(err) == domain.NotFound:
		return fmt.Errorf("biller %s is not in the database: check --biller (portal demo-seed writes the demo biller, %s)", a.biller, demo.BillerID)
	case err != nil:
		return fmt.Errorf("import of %s failed, nothing was saved: %w", a.file, err)
	case len(lineErrs) > 0:
		return m.lineErrors(a.file, lineErrs)
	}

	took := time.Since(start).Round(time.Millisecond)
	if a.dryRun {
		fmt.Fprintf(m.Stdout, "dry run of %s for biller %s (%s): the file is valid; nothing was saved. The import would make:\n", a.file, a.biller, took)
	} else {
		fmt.Fprintf(m.Stdout, "imported %s for biller %s (%s):\n", a.file, a.biller, took)
	}
	fmt.Fprintf(m.Stdout, "  payers:    %d created, %d updated\n", res.PayersCreated, res.PayersUpdated)
	fmt.Fprintf(m.Stdout, "  invoices:  %d created, %d updated\n", res.InvoicesCreated, res.InvoicesUpdated)
	fmt.Fprintf(m.Stdout, "  unchanged: %d\n", res.Unchanged)
	return nil
}

// isDomainError reports whether err is the import's own, rather than the
// file's reading.
func isDomainError(err error) bool {
	var e *domain.Error
	return errors.As(err, &e)
}

// lineErrors prints the file's line errors, the first maxPrinted of them,
// and returns the command's error.
func (m *Main) lineErrors(file string, errs []domain.LineError) error {
	for i, e := range errs {
		if i == maxPrinted {
			fmt.Fprintf(m.Stderr, "  … and %d more\n", len(errs)-maxPrinted)
			break
		}
		fmt.Fprintf(m.Stderr, "  %s\n", e.Error())
	}
	return fmt.Errorf("%s: %d line error(s) above, nothing was imported", file, len(errs))
}

// importPortal returns the use cases for an import: the store, and no
// mailer or payment gateway, which an import never uses.
func (m *Main) importPortal(db *postgres.DB) (*ports.Portal, error) {
	return ports.NewPortal(ports.Deps{
		Store: db, Sessions: db, Mailer: refusingMailer{}, Gateway: refusingGateway{},
		Clock: ports.SystemClock{}, Logger: m.Logger,
	}, m.portalConfig(false))
}

// portalConfig is the use cases' configuration, from the portal's.
// mailInline delivers mails before a use case returns, for the demo's
// local mailbox (shown at once on /_dev/mail).
func (m *Main) portalConfig(mailInline bool) ports.Config {
	return ports.Config{
		MailRetryFor:    m.Config.Mail.RetryFor,
		MailInline:      mailInline,
		PublicURL:       m.Config.PublicURL,
		ActivationTTL:   m.Config.Tokens.ActivationTTL,
		ResetTTL:        m.Config.Tokens.ResetTTL,
		EmailChangeTTL:  m.Config.Tokens.EmailChangeTTL,
		SessionTTL:      m.Config.Session.TTL,
		RememberTTL:     m.Config.Session.RememberTTL,
		StaffSessionTTL: m.Config.Session.StaffTTL,
		HashSlots:       m.Config.Password.HashSlots,
		HashWait:        m.Config.Password.HashWait,
		NoticeLookback:  m.Config.Notices.Lookback,
	}
}

// errNotHere refuses what a command-line import never does.
var errNotHere = &domain.Error{Code: domain.Internal, Message: "Action impossible depuis la ligne de commande.",
	Err: errors.New("portal import sends no mail and takes no payment")}

// refusingMailer is the mailer of an import, which sends none.
type refusingMailer struct{}

func (refusingMailer) Send(context.Context, ports.Mail) error { return errNotHere }

// refusingGateway is the payment gateway of an import, which takes none.
type refusingGateway struct{}

func (refusingGateway) Start(context.Context, ports.PaymentRequest) (ports.Checkout, error) {
	return ports.Checkout{}, errNotHere
}

func (refusingGateway) Status(context.Context, domain.Payment) (domain.Report, error) {
	return domain.Report{}, errNotHere
}

func (refusingGateway) ReadNotification(context.Context, url.Values) (ports.Notification, error) {
	return ports.Notification{}, errNotHere
}

// progress shows one line on a terminal while a large import runs: the
// share of the file read in each of its two passes. On
// anything but a terminal, and for small files, it shows nothing; a nil
// *progress is ready to use and does nothing.
type progress struct {
	w     io.Writer
	size  int64
	read  atomic.Int64
	mu    sync.Mutex
	stop  chan struct{}
	ended chan struct{}
}

// progressFrom is the smallest file that gets a progress line.
const progressFrom = 1 << 20

// newProgress returns the progress line of a file of size bytes, or nil
// when w is not a terminal or the file is small.
func newProgress(w io.Writer, size int64) *progress {
	if size < progressFrom || !isTerminal(w) {
		return nil
	}
	return &progress{w: w, size: size}
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// reading returns r, counting what is read from it to show the share of
// the file read so far after label.
func (p *progress) reading(r io.Reader, label string) io.Reader {
	if p == nil {
		return r
	}
	p.read.Store(0)
	p.run(func(time.Duration) string {
		n := p.read.Load()
		return fmt.Sprintf("%s: %d%% (%.1f of %.1f MB)", label, n*100/p.size, float64(n)/1e6, float64(p.size)/1e6)
	})
	return countingReader{r: r, n: &p.read}
}

// run redraws the line every 200 ms until end.
func (p *progress) run(line func(time.Duration) string) {
	p.end()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stop, p.ended = make(chan struct{}), make(chan struct{})
	stop, ended := p.stop, p.ended
	start := time.Now()
	go func() {
		defer close(ended)
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			fmt.Fprintf(p.w, "\r\033[K%s", line(time.Since(start)))
			select {
			case <-stop:
				fmt.Fprint(p.w, "\r\033[K")
				return
			case <-tick.C:
			}
		}
	}()
}

// end erases the line.
func (p *progress) end() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stop != nil {
		close(p.stop)
		<-p.ended
		p.stop = nil
	}
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n.Add(int64(n))
	return n, err
}
