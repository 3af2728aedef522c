package backoffice

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The back office's invoices: search, one invoice's detail, and the
// changes staff make by hand (paid at the counter, sent to treasury,
// cancelled).

const (
	pageStaffInvoices = "invoices"
	pageStaffInvoice  = "invoice"
)

const (
	flashInvoicePaid      = "facture-reglee"
	flashInvoiceTreasury  = "facture-tresorerie"
	flashInvoiceCancelled = "facture-annulee"
	flashInvoiceSame      = "facture-inchangee"
)

// invoiceStates are the states offered in the search form.
var invoiceStates = []domain.InvoiceState{domain.InvoiceUnpaid, domain.InvoicePaid, domain.InvoiceTreasury, domain.InvoiceCancelled}

type staffInvoicesPage struct {
	kit.Base
	Filter ports.StaffInvoiceFilter
	States []domain.InvoiceState
	List   ports.StaffInvoiceList
	// Prev and Next are the addresses of the neighbouring pages, "" at
	// either end.
	Prev, Next string
}

func (s *BackOffice) staffInvoices(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	f := ports.StaffInvoiceFilter{Number: q.Get("numero"), PayerRef: q.Get("redevable"),
		State: domain.InvoiceState(q.Get("etat")), Declared: q.Get("declarees") != "", Page: page}
	p := &staffInvoicesPage{Base: kit.Base{Title: "Factures", Menu: menuStaffInvoices}, Filter: f, States: invoiceStates}
	list, err := s.portal.BackOffice().StaffInvoices(r.Context(), u.actor, f)
	if kit.FieldError(err) {
		p.Errors = []kit.SummaryLine{{ID: "etat", Message: domain.ErrorMessage(err)}}
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
	kit.Base
	Detail ports.StaffInvoiceDetail
	// Today is the default date of a payment at the counter (Paris).
	Today string
}

func (s *BackOffice) staffInvoice(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	id, err := kit.PathID(r)
	if err != nil {
		return err
	}
	d, err := s.portal.BackOffice().StaffInvoice(r.Context(), u.actor, id)
	if err != nil {
		return err
	}
	return s.renderStaffInvoice(w, r, u, http.StatusOK, d, nil)
}

func (s *BackOffice) renderStaffInvoice(w http.ResponseWriter, r *http.Request, u *staffUser, st int, d ports.StaffInvoiceDetail, errs []kit.SummaryLine) error {
	p := &staffInvoicePage{Base: kit.Base{Title: "Facture " + d.Invoice.Number, Menu: menuStaffInvoices, Errors: errs},
		Detail: d, Today: domain.Today(s.clock.Now()).String()}
	return s.renderStaff(w, r, u, st, pageStaffInvoice, p)
}

// setStaffInvoiceState records what happened to an invoice outside the
// portal: paid at the counter (on a date), sent to treasury, cancelled.
func (s *BackOffice) setStaffInvoiceState(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	id, err := kit.PathID(r)
	if err != nil {
		return err
	}
	d, err := s.portal.BackOffice().StaffInvoice(r.Context(), u.actor, id)
	if err != nil {
		return err
	}
	ch := ports.InvoiceStatusChange{Status: domain.InvoiceState(r.PostForm.Get("etat"))}
	flash := map[domain.InvoiceState]string{domain.InvoicePaid: flashInvoicePaid,
		domain.InvoiceTreasury: flashInvoiceTreasury, domain.InvoiceCancelled: flashInvoiceCancelled}[ch.Status]
	if ch.Status == domain.InvoicePaid {
		day, err := domain.ParseDate(r.PostForm.Get("reglee_le"))
		if err != nil {
			return s.renderStaffInvoice(w, r, u, http.StatusBadRequest, d,
				[]kit.SummaryLine{{ID: "reglee_le", Message: "La date du règlement est invalide : écrivez-la sous la forme JJ/MM/AAAA."}})
		}
		ch.PaidAt = domain.PaidOn(day, s.clock.Now())
	}
	_, changed, err := s.portal.BillingAPI().SetInvoiceStatus(r.Context(), u.actor, d.Invoice.Number, ch)
	if err != nil {
		if code := domain.ErrorCode(err); code == domain.Invalid || code == domain.Conflict {
			return s.renderStaffInvoice(w, r, u, kit.Status(err), d, []kit.SummaryLine{{Message: domain.ErrorMessage(err)}})
		}
		return err
	}
	if !changed {
		flash = flashInvoiceSame
	}
	return staffRedirect(w, r, "/gestion/factures/"+id.String(), flash)
}
