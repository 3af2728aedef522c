package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/portail-factures/portail/adapters/tipi"
)

// startSimulator serves the portal's own PayFiP simulator (adapters/tipi)
// from this process on a port of its own: for the portal it is a
// separate PayFiP answering at once, and it notifies portalAddr only.
func startSimulator(portalAddr string) (base string, stop func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	notifier := &http.Client{
		Timeout:       30 * time.Second,
		Transport:     &rotatingAddress{next: http.DefaultTransport},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	sim := tipi.NewSimulator(tipi.SimulatorConfig{
		BasePath: tipi.DefaultSimulatorPath, AllowedHosts: []string{portalAddr}, HTTPClient: notifier,
		Logger: slog.New(slog.DiscardHandler), // failed notifications show in the SQL checks
	})
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	return "http://" + l.Addr().String() + tipi.DefaultSimulatorPath, func() { _ = srv.Close() }, nil
}

// rotatingAddress gives each notification an X-Forwarded-For address of
// its own: the portal limits notifications per address (at most 10 000 a
// minute, http.payment_callbacks_per_minute), which would otherwise cap
// the run at 166 payments a second, all coming from this one process.
type rotatingAddress struct {
	next http.RoundTripper
	n    atomic.Uint32
}

func (t *rotatingAddress) RoundTrip(r *http.Request) (*http.Response, error) {
	n := t.n.Add(1)
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", fmt.Sprintf("172.%d.%d.%d", 16+n>>16&15, n>>8&255, n&255))
	return t.next.RoundTrip(r)
}

// payerQueue is one paying citizen's queue: its sessions and, for each, the
// unpaid invoices it pays one by one.
type payerQueue struct {
	mu    sync.Mutex
	items []payItem
}

type payItem struct {
	s       *session
	invoice string
}

func (q *payerQueue) next() (payItem, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) == 0 {
		return payItem{}, false
	}
	it := q.items[0]
	q.items = q.items[1:]
	return it, true
}

// unpaidInvoices returns the unpaid invoices of each session's payer.
func unpaidInvoices(ctx context.Context, db *sql.DB, s *session) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT id::text FROM invoices WHERE payer_id = $1 AND state = 'unpaid' ORDER BY number`, idOf(kindPayer, s.payer))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// payStep is one settled payment of client's queue: « Payer » posted
// (the portal creates the attempt at PayFiP and sends the browser
// there), « Payer » chosen at the simulator (which notifies the portal,
// which asks it for the result and settles the invoice before the
// simulator answers), then the return page the browser is sent to.
func payStep(c *http.Client, base string, queues []*payerQueue, paid *paidSet) func(ctx context.Context, client, i int) error {
	return func(ctx context.Context, client, _ int) error {
		it, ok := queues[client].next()
		if !ok {
			return errExhausted
		}
		s := it.s
		status, page, loc, err := s.request(ctx, c, http.MethodPost, base+"/paiement", url.Values{"facture": {it.invoice}, "jeton": {s.token}})
		if err != nil {
			return err
		}
		if status != http.StatusSeeOther {
			return fmt.Errorf("POST /paiement: %d\n%.1500s", status, page)
		}
		u, err := url.Parse(loc)
		if err != nil || u.Query().Get("idop") == "" {
			return fmt.Errorf("POST /paiement sent the browser to %q, not to PayFiP's page", loc)
		}
		idop := u.Query().Get("idop")
		u.RawQuery = ""
		status, page, back, err := s.request(ctx, c, http.MethodPost, u.String(), url.Values{"idop": {idop}, "action": {"pay"}})
		if err != nil {
			return err
		}
		if status != http.StatusSeeOther || !strings.HasPrefix(back, base) {
			return fmt.Errorf("the simulator's « Payer »: %d, to %q\n%.1500s", status, back, page)
		}
		status, page, _, err = s.request(ctx, c, http.MethodGet, back, nil)
		if err != nil {
			return err
		}
		if status != http.StatusOK && status != http.StatusSeeOther {
			return fmt.Errorf("GET %s: %d\n%.1500s", back, status, page)
		}
		paid.add(it.invoice)
		return nil
	}
}

// paidSet is the invoices the run paid.
type paidSet struct {
	mu  sync.Mutex
	ids []string
}

func (p *paidSet) add(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ids = append(p.ids, id)
}

// checkPaidOnce checks in SQL that every invoice the run paid is paid,
// by exactly one paid payment, and that no payment was paid that the run
// did not make: the run fails loudly otherwise.
func checkPaidOnce(ctx context.Context, db *sql.DB, ids []string) error {
	var notPaid, paidPayments, twice, otherPayments int
	err := db.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM invoices WHERE id = ANY($1::uuid[]) AND (state <> 'paid' OR payment_id IS NULL)),
			(SELECT count(*) FROM payments WHERE state = 'paid'),
			(SELECT count(*) FROM (SELECT pi.invoice_id FROM payment_invoices pi JOIN payments p ON p.id = pi.payment_id
				WHERE p.state = 'paid' GROUP BY pi.invoice_id HAVING count(*) > 1) d),
			(SELECT count(*) FROM payment_invoices pi JOIN payments p ON p.id = pi.payment_id
				WHERE p.state = 'paid' AND NOT pi.invoice_id = ANY($1::uuid[]))`,
		"{"+strings.Join(ids, ",")+"}").Scan(&notPaid, &paidPayments, &twice, &otherPayments)
	if err != nil {
		return err
	}
	var problems []string
	if notPaid > 0 {
		problems = append(problems, fmt.Sprintf("%d invoices of the %d paid are not settled", notPaid, len(ids)))
	}
	if twice > 0 {
		problems = append(problems, fmt.Sprintf("%d invoices were paid more than once", twice))
	}
	if paidPayments != len(ids) {
		problems = append(problems, fmt.Sprintf("%d payments are paid for %d invoices paid", paidPayments, len(ids)))
	}
	if otherPayments > 0 {
		problems = append(problems, fmt.Sprintf("%d paid payments name an invoice the run did not pay", otherPayments))
	}
	if problems != nil {
		return errors.New("payments: " + strings.Join(problems, "; "))
	}
	return nil
}
