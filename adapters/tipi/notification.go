package tipi

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// maxOperationID bounds an idOp; PayFiP's are 36-character UUIDs (§3.3).
const maxOperationID = 64

// validOperationID reports whether s looks like a PayFiP idOp: 1 to 64
// ASCII letters, digits and hyphens. Anything else is refused before it
// reaches a store query, a log line or a URL.
func validOperationID(s string) bool {
	if s == "" || len(s) > maxOperationID {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// param returns the value of the parameter name, matched in any case
// (idop, idOp, IDOP…): the callers seen in the wild disagree on case, and
// on query or body (docs/payfip.md §2.3, §3.5). Values are trimmed. Two
// different values for one name, say idop in the query and IDOP in the
// body, are an error rather than a guess.
func param(params url.Values, name string) (string, error) {
	found := ""
	for key, values := range params {
		if !strings.EqualFold(key, name) {
			continue
		}
		for _, v := range values {
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			if found != "" && v != found {
				return "", fmt.Errorf("parameter %s given twice with different values", name)
			}
			found = v
		}
	}
	return found, nil
}

func badNotification(err error) error {
	return &domain.Error{Code: domain.Invalid, Message: "Notification de paiement invalide.", Err: err}
}

// readOperation reads a web-service notification or browser return: the
// operation id and nothing else. Result fields, if any, are ignored: in
// this mode only the answer to the portal's own status query counts
// (docs/payfip.md §4.2.1).
func readOperation(params url.Values) (ports.Notification, error) {
	id, err := param(params, "idop")
	if err != nil {
		return ports.Notification{}, badNotification(err)
	}
	if id == "" {
		return ports.Notification{}, badNotification(fmt.Errorf("no idop"))
	}
	if !validOperationID(id) {
		return ports.Notification{}, badNotification(fmt.Errorf("malformed idop %q", truncate(id, 80)))
	}
	return ports.Notification{OperationID: id}, nil
}

// resultFields are the fields of a legacy URL-mode callback (§2.3).
var resultFields = []string{"resultrans", "numauto", "dattrans", "heurtrans", "refdet", "montant", "numcli", "exer", "mel", "objet", "saisie"}

// readCallback reads a legacy URL-mode callback to urlcl (§2.3). Its
// report is never Confirmed: anyone can post it (§4.1). So that the
// domain can compare it with the attempt, refdet, montant and numcli are
// required whenever a result is given. A refdet without resultrans is the
// payer's browser coming back: the attempt is named, with no report.
//
// The echoed saisie letter is read by saisie (Gateway.urlSaisie): a T
// marks a test payment (§2.6, §3.12).
func readCallback(params url.Values, saisie func(string) domain.Saisie) (ports.Notification, error) {
	values := make(map[string]string, len(resultFields))
	for _, name := range resultFields {
		v, err := param(params, name)
		if err != nil {
			return ports.Notification{}, badNotification(err)
		}
		values[name] = v
	}
	refdet := values["refdet"]
	if refdet == "" {
		return ports.Notification{}, badNotification(fmt.Errorf("no refdet"))
	}
	if err := domain.CheckRefdet(refdet); err != nil {
		return ports.Notification{}, badNotification(fmt.Errorf("malformed refdet %q", truncate(refdet, 80)))
	}
	if values["resultrans"] == "" {
		return ports.Notification{Refdet: refdet}, nil
	}
	if values["montant"] == "" || !domain.ValidNumcli(values["numcli"]) {
		return ports.Notification{}, badNotification(fmt.Errorf("result without montant or a valid numcli"))
	}
	r, err := parseReport(func(name string) string { return values[name] })
	if err != nil {
		return ports.Notification{}, badNotification(err)
	}
	r.Confirmed = false
	r.Saisie = saisie(values["saisie"])
	return ports.Notification{Refdet: refdet, Report: &r}, nil
}

// truncate cuts s for an error message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
