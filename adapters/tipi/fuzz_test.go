package tipi

import (
	"context"
	"net/url"
	"testing"

	"github.com/portail-factures/portail/domain"
)

// FuzzReadNotification feeds both modes any query string: a callback is
// anyone's to forge (docs/payfip.md §4.1), so it must never panic, and what
// it accepts must be well formed.
func FuzzReadNotification(f *testing.F) {
	for _, seed := range []string{
		"idop=" + opID,
		"IDOP=" + opID + "&idOp=" + opID,
		"idop=a&idop=b",
		"idop=%00%ff&resultrans=P",
		callback().Encode(),
		upper(callback()).Encode(),
		"refdet=ABCDEF123456",
		"refdet=ABCDEF123456&resultrans=P&montant=99999999999999999999&numcli=006270",
		"refdet=ABCDEF123456&resultrans=V&montant=1&numcli=006270&dattrans=29022024&heurtrans=2359",
		"refdet=ABCDEF123456&resultrans=p&montant=1&numcli=006270&dattrans=99999999",
		"",
		"%",
		";;&&==",
	} {
		f.Add(seed)
	}
	ws, err := New(Config{PublicURL: "https://p.fr"})
	if err != nil {
		f.Fatal(err)
	}
	legacy, err := New(Config{PublicURL: "https://p.fr", Mode: ModeTIPI})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, query string) {
		params, _ := url.ParseQuery(query) // keeps what it could parse
		n, err := ws.ReadNotification(context.Background(), params)
		switch {
		case err != nil && domain.ErrorCode(err) != domain.Invalid:
			t.Fatalf("web service: error code %s: %v", domain.ErrorCode(err), err)
		case err == nil && (!validOperationID(n.OperationID) || n.Report != nil || n.Refdet != ""):
			t.Fatalf("web service accepted %+v", n)
		}
		n, err = legacy.ReadNotification(context.Background(), params)
		switch {
		case err != nil && domain.ErrorCode(err) != domain.Invalid:
			t.Fatalf("URL mode: error code %s: %v", domain.ErrorCode(err), err)
		case err == nil && domain.CheckRefdet(n.Refdet) != nil:
			t.Fatalf("URL mode accepted refdet %q", n.Refdet)
		case err == nil && n.Report != nil && (n.Report.Confirmed || !n.Report.Outcome.Valid() || !n.Report.Amount.IsPositive()):
			t.Fatalf("URL mode accepted report %+v", *n.Report)
		}
	})
}

// FuzzParseSOAPResponse feeds the response reader anything a server or
// a proxy might answer.
func FuzzParseSOAPResponse(f *testing.F) {
	for _, seed := range []string{
		answerCreate, answerPaid, answerDetail("V", nil), answerDetail("Q", map[string]string{"montant": "-1"}),
		fault(FaultFunctional, "P5", "x"), fault(FaultMalfunction, "999", "y"),
		fault(FaultUnavailability, "", ""), fault(FaultProtocol, "P1", "&amp;"),
		`<?xml version="1.0" encoding="ISO-8859-1"?><Envelope><Body><r><return><objet>` + "\xe9" + `</objet></return></r></Body></Envelope>`,
		`<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Envelope><Body><r><return><idOp>&e;</idOp></return></r></Body></Envelope>`,
		"<html><body>502</body></html>", "", "<", "<a><b><c>", "\x00\xff",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ans, flt, err := parseSOAPResponse(data)
		if err != nil {
			return
		}
		if flt != nil {
			_ = flt.Error()
			_ = faultError(flt)
			return
		}
		r, err := parseReport(func(name string) string { return ans.Fields[name] })
		if err == nil && !r.Outcome.Valid() {
			t.Fatalf("report with outcome %q", r.Outcome)
		}
	})
}
