package backoffice

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The back office's payments: the list of attempts with its filters and
// CSV export, one attempt's detail with its timeline, the legacy URL
// mode's payments awaiting confirmation (confirm or reject), the
// invoices payers declared paid, and the DGFiP's settlement report
// (payments_review.go).

const (
	pageStaffPayments    = "payments"
	pageStaffPayment     = "payments_detail"
	pageStaffUnconfirmed = "payments_unconfirmed"
)

const (
	flashPaymentConfirmed = "paiement-confirme"
	flashPaymentRejected  = "paiement-rejete"
)

// paymentFilter is the payment list's search form, as typed.
type paymentFilter struct {
	From, Until string // YYYY-MM-DD (input type="date")
	State       string
	PayerRef    string
	Refdet      string
	Anomaly     bool
}

// paymentFilterOf reads the filter from the URL's query.
func paymentFilterOf(r *http.Request) paymentFilter {
	q := r.URL.Query()
	return paymentFilter{
		From: strings.TrimSpace(q.Get("du")), Until: strings.TrimSpace(q.Get("au")), State: q.Get("etat"),
		PayerRef: strings.TrimSpace(q.Get("redevable")), Refdet: strings.TrimSpace(q.Get("refdet")), Anomaly: q.Get("anomalie") != "",
	}
}

// values writes the filter back as the list's query parameters.
func (f paymentFilter) values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("du", f.From)
	set("au", f.Until)
	set("etat", f.State)
	set("redevable", f.PayerRef)
	set("refdet", f.Refdet)
	if f.Anomaly {
		v.Set("anomalie", "1")
	}
	return v
}

// paymentQuery checks the filter and builds the use case's query: the
// form's mistakes come back as error lines; an unknown payer reference
// is a NotFound error. The dates are Paris days: "au" includes its
// whole day.
func (s *BackOffice) paymentQuery(r *http.Request, u *staffUser, f paymentFilter) (ports.PaymentQuery, []kit.SummaryLine, error) {
	var q ports.PaymentQuery
	var bad []kit.SummaryLine
	if f.From != "" {
		d, err := domain.ParseDate(f.From)
		if err != nil {
			bad = append(bad, kit.SummaryLine{ID: "du", Message: "La date de début doit être une date, par exemple 2026-11-26."})
		}
		q.From = d.Time(domain.Paris)
	}
	if f.Until != "" {
		d, err := domain.ParseDate(f.Until)
		if err != nil {
			bad = append(bad, kit.SummaryLine{ID: "au", Message: "La date de fin doit être une date, par exemple 2026-11-30."})
		}
		q.Until = d.AddDays(1).Time(domain.Paris)
	}
	if f.State != "" {
		st := domain.PaymentState(f.State)
		if !st.Valid() {
			bad = append(bad, kit.SummaryLine{ID: "etat", Message: "État de paiement inconnu."})
		}
		q.States = []domain.PaymentState{st}
	}
	if f.Refdet != "" {
		q.Refdet = strings.ToUpper(f.Refdet)
	}
	q.Anomaly = f.Anomaly
	if len(bad) > 0 {
		return q, bad, nil
	}
	if f.PayerRef != "" {
		payer, err := s.portal.BackOfficePayments().PaymentsPayer(r.Context(), u.actor, f.PayerRef)
		if err != nil {
			return q, nil, err
		}
		q.PayerID = payer.ID
	}
	return q, nil, nil
}

type staffPaymentsPage struct {
	kit.Base
	Filter paymentFilter
	States []domain.PaymentState
	List   ports.PaymentList
	// Message explains an empty result that is not a mistake in the form
	// (an unknown payer reference).
	Message    string
	Prev, Next string
	// Export is the CSV export's address with the same filters.
	Export string
}

func (s *BackOffice) staffPayments(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	f := paymentFilterOf(r)
	p := &staffPaymentsPage{Base: kit.Base{Title: "Paiements", Menu: menuStaffPayments}, Filter: f, States: domain.PaymentStates,
		List: ports.PaymentList{Paging: ports.Paging{Page: 1, Pages: 1}}}
	q, bad, err := s.paymentQuery(r, u, f)
	switch {
	case len(bad) > 0:
		p.Errors = bad
		return s.renderStaff(w, r, u, http.StatusBadRequest, pageStaffPayments, p)
	case domain.ErrorCode(err) == domain.NotFound:
		p.Message = domain.ErrorMessage(err)
		return s.renderStaff(w, r, u, http.StatusOK, pageStaffPayments, p)
	case err != nil:
		return err
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	q.Offset, q.Limit = (max(page, 1)-1)*ports.PaymentsPerPage, ports.PaymentsPerPage
	if p.List, err = s.portal.BackOfficePayments().Payments(r.Context(), u.actor, q); err != nil {
		return err
	}
	p.Prev, p.Next = pageLinks(r.URL, p.List.Page, p.List.Pages)
	p.Export = "/gestion/paiements/export.csv"
	if v := f.values(); len(v) > 0 {
		p.Export += "?" + v.Encode()
	}
	return s.renderStaff(w, r, u, http.StatusOK, pageStaffPayments, p)
}

// staffExportPayments sends the CSV export of the payments matching the
// list's filters (ports.PaymentExportColumns says its format).
func (s *BackOffice) staffExportPayments(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	q, bad, err := s.paymentQuery(r, u, paymentFilterOf(r))
	if len(bad) > 0 {
		return &domain.Error{Code: domain.Invalid, Message: bad[0].Message}
	}
	if err != nil {
		return err
	}
	return s.sendFile(w, r, "text/csv; charset=utf-8", `attachment; filename="paiements-`+domain.Today(s.clock.Now()).String()+`.csv"`,
		func(f io.Writer) error {
			return s.portal.BackOfficePayments().ExportPayments(r.Context(), u.actor, q, f)
		})
}

type staffPaymentPage struct {
	kit.Base
	Detail ports.PaymentDetail
}

func (s *BackOffice) staffPayment(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	id, err := kit.PathID(r)
	if err != nil {
		return err
	}
	d, err := s.portal.BackOfficePayments().PaymentDetail(r.Context(), u.actor, id)
	if err != nil {
		return err
	}
	p := &staffPaymentPage{Base: kit.Base{Title: "Paiement " + d.Payment.Refdet, Menu: menuStaffPayments}, Detail: d}
	return s.renderStaff(w, r, u, http.StatusOK, pageStaffPayment, p)
}

type staffUnconfirmedPage struct {
	kit.Base
	List       ports.PaymentList
	Prev, Next string
}

// staffUnconfirmed lists the payments known only from the legacy URL
// mode's unauthenticated callback, awaiting the service's decision.
func (s *BackOffice) staffUnconfirmed(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	list, err := s.portal.BackOfficePayments().Payments(r.Context(), u.actor, ports.PaymentQuery{Unconfirmed: true,
		Offset: (max(page, 1) - 1) * ports.PaymentsPerPage, Limit: ports.PaymentsPerPage})
	if err != nil {
		return err
	}
	p := &staffUnconfirmedPage{Base: kit.Base{Title: "Paiements à confirmer", Menu: menuStaffPayments}, List: list}
	p.Prev, p.Next = pageLinks(r.URL, list.Page, list.Pages)
	return s.renderStaff(w, r, u, http.StatusOK, pageStaffUnconfirmed, p)
}

func (s *BackOffice) staffConfirmPayment(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	return s.reviewPayment(w, r, u, s.portal.BackOfficePayments().ConfirmPayment, flashPaymentConfirmed)
}

func (s *BackOffice) staffRejectPayment(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	if !confirmed(r) {
		return s.askRejectPayment(w, r)
	}
	return s.reviewPayment(w, r, u, s.portal.BackOfficePayments().RejectPayment, flashPaymentRejected)
}

// reviewPayment runs a decision on a payment and goes back where the
// form came from (the list awaiting confirmation, or the detail).
func (s *BackOffice) reviewPayment(w http.ResponseWriter, r *http.Request, u *staffUser,
	decide func(ctx context.Context, a ports.Actor, id uuid.UUID) error, flash string) error {
	id, err := kit.PathID(r)
	if err != nil {
		return err
	}
	if err := decide(r.Context(), u.actor, id); err != nil {
		return err
	}
	back := "/gestion/paiements/" + id.String()
	if r.PostForm.Get("retour") == "liste" {
		back = "/gestion/paiements/a-confirmer"
	}
	return staffRedirect(w, r, back, flash)
}
