package backoffice

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The double payments to refund (« À rembourser »): a confirmed payment
// that reached an invoice already paid. The list, its CSV export, and
// "Marquer comme remboursé" once the service refunded the payer.

const pageStaffRefunds = "refunds"

// menuStaffRefunds is the menu entry of the list.
const menuStaffRefunds = "rembourser"

const flashRefunded = "rembourse"

// The list's filter, as the query's "etat" says it.
const (
	refundFilterPending  = "a-rembourser"
	refundFilterRefunded = "rembourses"
	// refundFilterCancelled: no longer owed (domain.RefundCancelled).
	refundFilterCancelled = "annules"
	refundFilterAll       = "tous"
)

// refundFilterOption is one choice of the list's filter.
type refundFilterOption struct {
	Value, Label string
}

var refundFilterOptions = []refundFilterOption{
	{refundFilterPending, "À rembourser"},
	{refundFilterRefunded, "Remboursés"},
	{refundFilterCancelled, "Annulés"},
	{refundFilterAll, "Tous"},
}

// refundState reads the filter: to refund by default.
func refundState(r *http.Request) (string, domain.RefundState, bool) {
	switch v := r.URL.Query().Get("etat"); v {
	case "", refundFilterPending:
		return refundFilterPending, domain.RefundPending, true
	case refundFilterRefunded:
		return v, domain.RefundRefunded, true
	case refundFilterCancelled:
		return v, domain.RefundCancelled, true
	case refundFilterAll:
		return v, "", true
	default:
		return v, "", false
	}
}

var errRefundFilter = &domain.Error{Code: domain.Invalid, Field: "etat", Message: "Choix de liste inconnu : à rembourser, remboursés, annulés ou tous."}

type staffRefundsPage struct {
	kit.Base
	Filter     string
	Options    []refundFilterOption
	List       ports.RefundList
	Prev, Next string
	Export     string
}

func (s *BackOffice) staffRefunds(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	filter, state, ok := refundState(r)
	p := &staffRefundsPage{Base: kit.Base{Title: "Doubles paiements à rembourser", Menu: menuStaffRefunds},
		Filter: filter, Options: refundFilterOptions, List: ports.RefundList{Paging: ports.Paging{Page: 1, Pages: 1}}}
	if !ok {
		p.Errors = []kit.SummaryLine{{ID: "etat", Message: errRefundFilter.Message}}
		return s.renderStaff(w, r, u, http.StatusBadRequest, pageStaffRefunds, p)
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	list, err := s.portal.BackOfficePayments().Refunds(r.Context(), u.actor, ports.RefundQuery{State: state,
		Offset: (max(page, 1) - 1) * ports.PaymentsPerPage, Limit: ports.PaymentsPerPage})
	if err != nil {
		return err
	}
	p.List = list
	p.Prev, p.Next = pageLinks(r.URL, list.Page, list.Pages)
	p.Export = ports.PathRefunds + "/export.csv?" + url.Values{"etat": {filter}}.Encode()
	return s.renderStaff(w, r, u, http.StatusOK, pageStaffRefunds, p)
}

// staffExportRefunds sends the CSV export of the list
// (ports.RefundExportColumns says its format). The file is built whole
// before it is sent (double payments are few): a failure is an error
// page, never 200 with an empty or cut file.
func (s *BackOffice) staffExportRefunds(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	_, state, ok := refundState(r)
	if !ok {
		return errRefundFilter
	}
	var buf bytes.Buffer
	if err := s.portal.BackOfficePayments().ExportRefunds(r.Context(), u.actor, ports.RefundQuery{State: state}, &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="doubles-paiements-`+domain.Today(s.clock.Now()).String()+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, _ = buf.WriteTo(w)
	return nil
}

func (s *BackOffice) staffMarkRefunded(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	id, err := kit.PathID(r)
	if err != nil {
		return err
	}
	if _, err := s.portal.BackOfficePayments().MarkRefunded(r.Context(), u.actor, id); err != nil {
		return err
	}
	return staffRedirect(w, r, ports.PathRefunds, flashRefunded)
}
