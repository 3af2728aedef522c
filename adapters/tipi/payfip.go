package tipi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// startWS creates the operation with creerPaiementSecurise and sends the
// payer to the payment page with its idOp (docs/payfip.md §3.3, §3.4).
func (g *Gateway) startWS(ctx context.Context, f request) (ports.Checkout, error) {
	notify, ret := g.callbacks(f)
	body, err := marshalRequest(creerPaiementSecurise{Arg0: creerArg{
		Exer: f.Exer, Mel: f.Mel, Montant: f.Montant, Numcli: f.Numcli, Objet: f.Objet,
		Refdet: f.Refdet, Saisie: string(f.Saisie), URLNotif: notify, URLRedirect: ret,
	}})
	if err != nil {
		return ports.Checkout{}, domain.WrapInternal(err)
	}
	fields, fault, err := g.call(ctx, "creerPaiementSecurise", body)
	if err != nil {
		return ports.Checkout{}, err
	}
	if fault != nil {
		return ports.Checkout{}, faultError(fault)
	}
	id := fields["idop"]
	if !validOperationID(id) {
		return ports.Checkout{}, unavailable(fmt.Errorf("creerPaiementSecurise: unusable idOp %q", id))
	}
	return ports.Checkout{OperationID: id, RedirectURL: g.pageURL + "?idop=" + id}, nil
}

// statusWS asks recupererDetailPaiementSecurise for the result of
// operation id (§3.6). The faults P1 (unknown or purged operation) and
// P5 (no result yet) are answers, not failures (§3.8, §3.11).
func (g *Gateway) statusWS(ctx context.Context, id string) (domain.Report, error) {
	if !validOperationID(id) {
		return domain.Report{}, domain.Errorf(domain.Invalid, "Identifiant d'opération PayFiP invalide.")
	}
	req := recupererDetailPaiementSecurise{}
	req.Arg0.IDOp = id
	body, err := marshalRequest(req)
	if err != nil {
		return domain.Report{}, domain.WrapInternal(err)
	}
	fields, fault, err := g.call(ctx, "recupererDetailPaiementSecurise", body)
	if err != nil {
		return domain.Report{}, err
	}
	if fault != nil {
		if !fault.Functional() && fault.Kind != "" {
			return domain.Report{}, faultError(fault)
		}
		switch code := strings.ToUpper(fault.Code); code {
		case "P1":
			return domain.Report{Outcome: domain.OutcomeUnknown, Code: code}, nil
		case "P5":
			return domain.Report{Outcome: domain.OutcomePending, Code: code}, nil
		}
		return domain.Report{}, faultError(fault)
	}
	if echo := fields["idop"]; echo != "" && echo != id {
		return domain.Report{}, &domain.Error{Code: domain.Conflict,
			Message: "Le résultat de paiement reçu ne correspond pas à ce paiement.",
			Err:     fmt.Errorf("recupererDetailPaiementSecurise(%s) answered for idOp %q", id, echo)}
	}
	r, err := parseReport(func(name string) string { return fields[name] })
	if err != nil {
		// The DGFiP itself said something the portal cannot read: the
		// attempt stays live and a person must look (§2.4, "anything else").
		return domain.Report{}, domain.WrapInternal(fmt.Errorf("recupererDetailPaiementSecurise(%s): %w", id, err))
	}
	r.Confirmed = true
	// The echoed saisie tells a test result from a real one (§3.12).
	r.Saisie = wsSaisie(fields["saisie"])
	return r, nil
}

// call posts one SOAP request and reads the answer: the fields of
// return, or a fault. Any failure to get a readable answer is a domain
// Unavailable error.
func (g *Gateway) call(ctx context.Context, operation string, body []byte) (map[string]string, *Fault, error) {
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.soapURL, bytes.NewReader(body))
	if err != nil {
		return nil, nil, domain.WrapInternal(err)
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("Accept", "text/xml")
	req.Header.Set("SOAPAction", `""`)
	resp, err := g.client.Do(req)
	if err != nil {
		return nil, nil, unavailable(fmt.Errorf("%s: %w", operation, err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxSOAPBody+1))
	if err != nil {
		return nil, nil, unavailable(fmt.Errorf("%s: reading the answer: %w", operation, err))
	}
	ans, fault, err := parseSOAPResponse(data)
	if err != nil {
		return nil, nil, unavailable(fmt.Errorf("%s: HTTP %d: unreadable answer: %w", operation, resp.StatusCode, err))
	}
	if fault != nil {
		return nil, fault, nil
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, unavailable(fmt.Errorf("%s: HTTP %d without a fault", operation, resp.StatusCode))
	}
	if !strings.EqualFold(ans.Element, operation+"Response") {
		return nil, nil, unavailable(fmt.Errorf("%s: answered with %s", operation, ans.Element))
	}
	return ans.Fields, nil, nil
}

// faultError turns a fault into the domain error a citizen may read.
// Technical faults say "try later"; functional ones say what PayFiP
// refused, with its code for the billing service. Only R3 and A2 are
// backed by recorded exchanges (§3.8); P3 and P4 come from a weak source
// and only pick the Conflict code.
func faultError(f *Fault) error {
	if !f.Functional() {
		return unavailable(f)
	}
	code := strings.ToUpper(f.Code)
	e := &domain.Error{Code: domain.Invalid, Err: f}
	switch code {
	case "R3":
		e.Message = "Le service de paiement de la DGFiP a refusé la référence de paiement (code R3). Veuillez contacter votre service de facturation."
	case "A2":
		e.Field = "email"
		e.Message = "Le service de paiement de la DGFiP refuse votre adresse de messagerie (code A2). Vérifiez l'adresse de votre compte, puis réessayez."
	case "P3", "P4":
		e.Code = domain.Conflict
		e.Message = "Cette opération de paiement n'est plus valable (code " + code + "). Veuillez recommencer le paiement."
	default:
		e.Message = "Le service de paiement de la DGFiP a refusé la demande (code " + safeCode(code) + "). Veuillez contacter votre service de facturation."
	}
	return e
}

// safeCode keeps a fault code fit to show: a few letters and digits.
func safeCode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < 8; i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteByte(c)
		}
	}
	if b.Len() == 0 {
		return "inconnu"
	}
	return b.String()
}

// parseReport reads the result fields shared by the status answer and the
// legacy callback (§2.3, §3.6); get returns a field by lower-case name.
// Fields absent stay zero, and the domain then skips their cross-check;
// fields present but malformed are an error.
func parseReport(get func(string) string) (domain.Report, error) {
	code := strings.ToUpper(strings.TrimSpace(get("resultrans")))
	r := domain.Report{Code: code}
	switch code {
	case "P":
		r.Outcome, r.Method = domain.OutcomePaid, domain.MethodCard
	case "V":
		r.Outcome, r.Method = domain.OutcomePaid, domain.MethodDirectDebit
	case "R":
		r.Outcome, r.Method = domain.OutcomeRefused, domain.MethodCard
	case "Z":
		r.Outcome, r.Method = domain.OutcomeRefused, domain.MethodDirectDebit
	case "A":
		r.Outcome = domain.OutcomeAbandoned
	default:
		return domain.Report{}, fmt.Errorf("unknown resultrans %q", code)
	}
	r.Authorization = strings.TrimSpace(get("numauto"))
	if len(r.Authorization) > 64 {
		return domain.Report{}, errors.New("numauto too long")
	}
	at, err := transactionTime(strings.TrimSpace(get("dattrans")), strings.TrimSpace(get("heurtrans")))
	if err != nil {
		return domain.Report{}, err
	}
	r.TransactionAt = at
	if m := strings.TrimSpace(get("montant")); m != "" {
		if r.Amount, err = fromCents(m); err != nil {
			return domain.Report{}, err
		}
	}
	r.Refdet = strings.TrimSpace(get("refdet"))
	r.Numcli = strings.TrimSpace(get("numcli"))
	if len(r.Refdet) > 64 || len(r.Numcli) > 64 {
		return domain.Report{}, errors.New("refdet or numcli too long")
	}
	return r, nil
}

// transactionTime reads dattrans (DDMMYYYY) and heurtrans (HHMM), French
// legal time without offset (§3.9): time.Date with the Paris location
// gives the right offset, summer or winter. No date gives the zero time.
func transactionTime(date, hour string) (time.Time, error) {
	if date == "" {
		return time.Time{}, nil
	}
	if hour == "" {
		hour = "0000"
	}
	d, ok1 := digits(date, 8)
	h, ok2 := digits(hour, 4)
	if !ok1 || !ok2 {
		return time.Time{}, fmt.Errorf("dattrans %q heurtrans %q: want DDMMYYYY and HHMM", date, hour)
	}
	day, month, year := d/1000000, time.Month(d/10000%100), d%10000
	hh, mm := h/100, h%100
	t := time.Date(year, month, day, hh, mm, 0, 0, domain.Paris)
	if t.Day() != day || t.Month() != month || t.Year() != year || hh > 23 || mm > 59 {
		return time.Time{}, fmt.Errorf("dattrans %q heurtrans %q: no such date", date, hour)
	}
	return t, nil
}

// digits reads s as exactly n decimal digits.
func digits(s string, n int) (int, bool) {
	if len(s) != n {
		return 0, false
	}
	v := 0
	for i := 0; i < n; i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		v = v*10 + int(s[i]-'0')
	}
	return v, true
}
