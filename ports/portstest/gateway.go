package portstest

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

var _ ports.PaymentGateway = (*FakeGateway)(nil)

// FakeGatewayURL is the page FakeGateway sends browsers to, followed by
// ?idop= and the operation id.
const FakeGatewayURL = "https://payfip.test/tpa/paiementws.web"

// FakeGateway is a ports.PaymentGateway in PayFiP's web-service mode that
// runs no payment: it records every Start request, numbers operations
// "op-1", "op-2"… and answers Status with what the test set. It is safe
// for concurrent use; its zero value is ready.
type FakeGateway struct {
	mu         sync.Mutex
	requests   []ports.PaymentRequest
	started    map[string]ports.PaymentRequest // by operation id
	seq        int
	failN      int
	failErr    error
	reports    map[string]domain.Report
	statusErrs map[string]error
	queried    []string
	// OnStart, when set, runs at the start of each Start, outside the
	// gateway's lock: a test does there what happens elsewhere while
	// PayFiP creates the operation.
	OnStart func(ports.PaymentRequest)
}

// Start records r and returns the next operation: "op-1" first, with the
// redirect URL FakeGatewayURL?idop=op-1. When FailNextStarts asked for it,
// it returns that error instead; the request is recorded all the same and
// uses no operation id.
func (g *FakeGateway) Start(_ context.Context, r ports.PaymentRequest) (ports.Checkout, error) {
	if g.OnStart != nil {
		g.OnStart(r)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.requests = append(g.requests, r)
	if g.failN > 0 {
		g.failN--
		return ports.Checkout{}, g.failErr
	}
	g.seq++
	op := "op-" + strconv.Itoa(g.seq)
	if g.started == nil {
		g.started = make(map[string]ports.PaymentRequest)
	}
	g.started[op] = r
	return ports.Checkout{OperationID: op, RedirectURL: FakeGatewayURL + "?idop=" + url.QueryEscape(op)}, nil
}

// FailNextStarts makes the next n calls of Start return err, as when
// PayFiP refuses to create the operation or cannot be reached.
func (g *FakeGateway) FailNextStarts(n int, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.failN, g.failErr = n, err
}

// Requests returns the requests Start received, oldest first.
func (g *FakeGateway) Requests() []ports.PaymentRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.requests)
}

// LastRequest returns the request Start received last, if any.
func (g *FakeGateway) LastRequest() (ports.PaymentRequest, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.requests) == 0 {
		return ports.PaymentRequest{}, false
	}
	return g.requests[len(g.requests)-1], true
}

// SetReport makes Status answer r for the operation.
func (g *FakeGateway) SetReport(operationID string, r domain.Report) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.reports == nil {
		g.reports = make(map[string]domain.Report)
	}
	delete(g.statusErrs, operationID)
	g.reports[operationID] = r
}

// SetOutcome makes Status answer a confirmed report of outcome for an
// operation Start created, echoing its request's refdet, amount and
// client number as PayFiP does, with the resultrans code of a card
// payment (P, R or A; P5 for pending, P1 for unknown). It returns the
// report. It panics for an operation Start never created.
func (g *FakeGateway) SetOutcome(operationID string, outcome domain.Outcome) domain.Report {
	g.mu.Lock()
	r, ok := g.started[operationID]
	g.mu.Unlock()
	if !ok {
		panic("portstest: SetOutcome of unknown operation " + operationID)
	}
	report := reportFor(r, outcome)
	g.SetReport(operationID, report)
	return report
}

func reportFor(r ports.PaymentRequest, outcome domain.Outcome) domain.Report {
	report := domain.Report{
		Outcome: outcome, Refdet: r.Refdet, Amount: r.Amount, Numcli: r.Numcli, Confirmed: true, Saisie: r.Saisie,
	}
	switch outcome {
	case domain.OutcomePaid:
		report.Method, report.Code, report.Authorization = domain.MethodCard, "P", "123456"
	case domain.OutcomeRefused:
		report.Method, report.Code = domain.MethodCard, "R"
	case domain.OutcomeAbandoned:
		report.Code = "A"
	case domain.OutcomePending:
		report.Code = "P5"
	case domain.OutcomeUnknown:
		report.Code = "P1"
	}
	return report
}

// SetStatusError makes Status fail with err for the operation, e.g.
// ports.ErrNoStatusQuery or an Unavailable error.
func (g *FakeGateway) SetStatusError(operationID string, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.statusErrs == nil {
		g.statusErrs = make(map[string]error)
	}
	delete(g.reports, operationID)
	g.statusErrs[operationID] = err
}

// Status answers what the test set for p's operation. Without anything
// set, it answers as PayFiP does: pending (P5) for an operation Start
// created, unknown (P1) for any other.
func (g *FakeGateway) Status(_ context.Context, p domain.Payment) (domain.Report, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	op := p.OperationID
	g.queried = append(g.queried, op)
	if err, ok := g.statusErrs[op]; ok {
		return domain.Report{}, err
	}
	if r, ok := g.reports[op]; ok {
		return r, nil
	}
	if r, ok := g.started[op]; ok {
		return reportFor(r, domain.OutcomePending), nil
	}
	return domain.Report{Outcome: domain.OutcomeUnknown, Confirmed: true, Code: "P1"}, nil
}

// StatusQueries returns the operation ids Status was asked about, oldest
// first.
func (g *FakeGateway) StatusQueries() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.queried)
}

// ReadNotification reads the operation id from the parameter idop,
// whatever its case (idOp, IDOP…), and refdet if present. A callback
// without idop is Invalid.
func (g *FakeGateway) ReadNotification(_ context.Context, params url.Values) (ports.Notification, error) {
	n := ports.Notification{OperationID: param(params, "idop"), Refdet: param(params, "refdet")}
	if n.OperationID == "" {
		return ports.Notification{}, domain.Errorf(domain.Invalid, "Notification de paiement incomplète.")
	}
	return n, nil
}

// param returns the first non-empty value of the parameter name, in any
// case; names are tried in sorted order, so the answer is deterministic.
func param(params url.Values, name string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if strings.EqualFold(k, name) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range params[k] {
			if v = strings.TrimSpace(v); v != "" {
				return v
			}
		}
	}
	return ""
}
