package api

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The handlers of the API's routes: read the request, call one use case,
// write its result. Every rule is in the use cases.

// putStatus is 201 for a record created, 200 otherwise.
func putStatus(res ports.PutResult) int {
	if res == ports.PutCreated {
		return http.StatusCreated
	}
	return http.StatusOK
}

// locate sets Location to path with one escaped segment, for a 201.
func locate(w http.ResponseWriter, res ports.PutResult, prefix, segment, suffix string) {
	if res == ports.PutCreated {
		w.Header().Set("Location", prefix+url.PathEscape(segment)+suffix)
	}
}

func (s *API) getPayer(w http.ResponseWriter, r *http.Request, a ports.Actor) error {
	rec, err := s.site.Portal.BillingAPI().PayerByRef(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, PayerDoc{Payer: payerOf(rec)})
	return nil
}

func (s *API) putPayer(w http.ResponseWriter, r *http.Request, a ports.Actor) error {
	var in PayerIn
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	rec, res, err := s.site.Portal.BillingAPI().PutPayer(r.Context(), a, r.PathValue("ref"), ports.PayerInput{Name: in.Name, Email: in.Email})
	if err != nil {
		return err
	}
	locate(w, res, "/api/v1/payers/", rec.Payer.ExternalRef, "")
	s.writeJSON(w, r, putStatus(res), PayerDoc{Result: res, Payer: payerOf(rec)})
	return nil
}

func (s *API) getInvoice(w http.ResponseWriter, r *http.Request, a ports.Actor) error {
	rec, err := s.site.Portal.BillingAPI().InvoiceByNumber(r.Context(), a, r.PathValue("number"))
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, InvoiceDoc{Invoice: invoiceOf(rec, s.site.Clock.Now())})
	return nil
}

func (s *API) putInvoice(w http.ResponseWriter, r *http.Request, a ports.Actor) error {
	var in InvoiceIn
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	rec, res, err := s.site.Portal.BillingAPI().PutInvoice(r.Context(), a, r.PathValue("number"), ports.InvoiceInput{
		PayerRef: in.Payer, IssueDate: in.IssueDate, DueDate: in.DueDate, Amount: in.Amount, Object: in.Object,
	})
	if err != nil {
		return err
	}
	locate(w, res, "/api/v1/invoices/", rec.Invoice.Number, "")
	s.writeJSON(w, r, putStatus(res), InvoiceDoc{Result: res, Invoice: invoiceOf(rec, s.site.Clock.Now())})
	return nil
}

func (s *API) getPDF(w http.ResponseWriter, r *http.Request, a ports.Actor) error {
	doc, err := s.site.Portal.BillingAPI().InvoicePDF(r.Context(), a, r.PathValue("number"))
	if err != nil {
		return err
	}
	kit.ServePDF(w, r, doc, "facture-"+doc.Name)
	return nil
}

func (s *API) putPDF(w http.ResponseWriter, r *http.Request, a ports.Actor) error {
	if !hasMediaType(r, "application/pdf") {
		return errPDFType
	}
	r.Body = http.MaxBytesReader(w, r.Body, domain.MaxDocumentSize)
	data, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &problem{status: http.StatusRequestEntityTooLarge, code: "payload_too_large", field: "pdf",
				message: "Le document dépasse 10 Mo."}
		}
		return &problem{status: http.StatusBadRequest, code: "invalid_request", field: "pdf",
			message: "Le document n'a pas pu être lu en entier."}
	}
	info, res, err := s.site.Portal.BillingAPI().PutInvoicePDF(r.Context(), a, r.PathValue("number"), data)
	if err != nil {
		return err
	}
	locate(w, res, "/api/v1/invoices/", info.Name, "/pdf")
	s.writeJSON(w, r, putStatus(res), PDFDoc{Result: res, PDF: documentOf(info)})
	return nil
}

func (s *API) setStatus(w http.ResponseWriter, r *http.Request, a ports.Actor) error {
	var in StatusIn
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	ch := ports.InvoiceStatusChange{Status: domain.InvoiceState(in.Status)}
	if in.PaidAt != "" {
		at, err := parseInstant(in.PaidAt)
		if err != nil {
			return domain.FieldError("paid_at", "Date de règlement invalide : écrivez 2026-11-20 ou 2026-11-20T14:05:00+01:00.")
		}
		ch.PaidAt = at
	}
	rec, changed, err := s.site.Portal.BillingAPI().SetInvoiceStatus(r.Context(), a, r.PathValue("number"), ch)
	if err != nil {
		return err
	}
	res := ports.PutUnchanged
	if changed {
		res = ports.PutUpdated
	}
	s.writeJSON(w, r, http.StatusOK, InvoiceDoc{Result: res, Invoice: invoiceOf(rec, s.site.Clock.Now())})
	return nil
}

// parseInstant reads RFC 3339, or a day taken as midnight in Paris.
func parseInstant(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	d, err := domain.ParseDate(s)
	if err != nil || !d.Valid() {
		return time.Time{}, errors.New("not an instant")
	}
	return d.Time(domain.Paris), nil
}

// payments is GET /api/v1/payments?since=…[&until=…][&offset=…][&limit=…]:
// the paid payments whose attempt began in [since, until), newest first.
// The answer's "next" link, when more remain, pins until so that pages
// do not shift as new payments arrive.
func (s *API) payments(w http.ResponseWriter, r *http.Request, a ports.Actor) error {
	q := r.URL.Query()
	var pq ports.PaidPaymentsQuery
	var err error
	if q.Get("since") == "" {
		return domain.FieldError("since", "Le paramètre since est obligatoire : payments?since=2026-11-01T00:00:00Z.")
	}
	if pq.Since, err = parseInstant(q.Get("since")); err != nil {
		return domain.FieldError("since", "Paramètre since invalide : écrivez 2026-11-01 ou 2026-11-01T00:00:00Z.")
	}
	pq.Until = s.site.Clock.Now()
	if v := q.Get("until"); v != "" {
		if pq.Until, err = parseInstant(v); err != nil {
			return domain.FieldError("until", "Paramètre until invalide : écrivez 2026-11-01 ou 2026-11-01T00:00:00Z.")
		}
	}
	pq.Limit = 100
	for name, dst := range map[string]*int{"offset": &pq.Offset, "limit": &pq.Limit} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || (name == "limit" && (n < 1 || n > ports.MaxPaymentsPerPage)) {
				return domain.FieldError(name, "Paramètre "+name+" invalide (limit : de 1 à "+strconv.Itoa(ports.MaxPaymentsPerPage)+").")
			}
			*dst = n
		}
	}
	list, total, err := s.site.Portal.BillingAPI().PaidPayments(r.Context(), a, pq)
	if err != nil {
		return err
	}
	out := struct {
		Payments []Payment `json:"payments"`
		Total    int       `json:"total"`
		Next     *string   `json:"next"`
	}{Payments: []Payment{}, Total: total}
	for _, p := range list {
		out.Payments = append(out.Payments, paymentOf(p))
	}
	if end := pq.Offset + len(list); end < total && len(list) > 0 {
		next := "/api/v1/payments?" + url.Values{
			"since": {pq.Since.UTC().Format(time.RFC3339Nano)}, "until": {pq.Until.UTC().Format(time.RFC3339Nano)},
			"offset": {strconv.Itoa(end)}, "limit": {strconv.Itoa(pq.Limit)},
		}.Encode()
		out.Next = &next
	}
	s.writeJSON(w, r, http.StatusOK, out)
	return nil
}
