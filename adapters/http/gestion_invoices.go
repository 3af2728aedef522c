package http

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The back office's invoices: search, one invoice's detail, and the
// changes staff make by hand (paid at the counter, sent to treasury,
// cancelled).

const (
	pageStaffInvoices = "gestion_invoices"
	pageStaffInvoice  = "gestion_invoice"
)

func init() {
	registerGestionArea(func(s *Server, mux *http.ServeMux) {
		mux.Handle("GET /gestion/factures", s.staffRead(s.staffInvoices))
		mux.Handle("GET /gestion/factures/{id}", s.staffRead(s.staffInvoice))
	})
}

// invoiceStates are the states offered in the search form.
var invoiceStates = []domain.InvoiceState{domain.InvoiceUnpaid, domain.InvoicePaid, domain.InvoiceTreasury, domain.InvoiceCancelled}

type staffInvoicesPage struct {
	staffBase
	Filter ports.StaffInvoiceFilter
	States []domain.InvoiceState
	List   ports.StaffInvoiceList
	// Prev and Next are the addresses of the neighbouring pages, "" at
	// either end.
	Prev, Next string
}

func (s *Server) staffInvoices(w http.ResponseWriter, r *http.Request, u *staffUser) error {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	f := ports.StaffInvoiceFilter{Number: q.Get("numero"), PayerRef: q.Get("redevable"),
		State: domain.InvoiceState(q.Get("etat")), Declared: q.Get("declarees") != "", Page: page}
	p := &staffInvoicesPage{staffBase: staffBase{Title: "Factures", Menu: menuStaffInvoices}, Filter: f, States: invoiceStates}
	list, err := s.portal.StaffInvoices(r.Context(), u.actor, f)
	if fieldError(err) {
		p.Errors = []summaryLine{{ID: "etat", Message: domain.ErrorMessage(err)}}
		return s.renderStaff(w, r, u, http.StatusBadRequest, pageStaffInvoices, p)
	}
	if err != nil {
		return err
	}
	p.List = list
	p.Prev, p.Next = pageLinks(r.URL, list.Page, list.Pages)
	return s.renderStaff(w, r, u, http.StatusOK, pageStaffInvoices, p)
}

// pageLinks returns the addresses of the pages before and after page of
// pages, keeping the other query parameters.
func pageLinks(u *url.URL, page, pages int) (prev, next string) {
	at := func(n int) string {
		q := u.Query()
		q.Set("page", strconv.Itoa(n))
		return u.Path + "?" + q.Encode()
	}
	if page > 1 {
		prev = at(page - 1)
	}
	if page < pages {
		next = at(page + 1)
	}
	return prev, next
}

type staffInvoicePage struct {
	staffBase
	Detail ports.StaffInvoiceDetail
}

func (s *Server) staffInvoice(w http.ResponseWriter, r *http.Request, u *staffUser) error {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return errNotFound
	}
	d, err := s.portal.StaffInvoice(r.Context(), u.actor, id)
	if err != nil {
		return err
	}
	p := &staffInvoicePage{staffBase: staffBase{Title: "Facture " + d.Invoice.Number, Menu: menuStaffInvoices}, Detail: d}
	return s.renderStaff(w, r, u, http.StatusOK, pageStaffInvoice, p)
}
