package http

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// invoicesPerPage is the length of one page of "Mes factures".
const invoicesPerPage = 20

// tabLink is one of the three tabs of "Mes factures": links, the current
// one marked with aria-current (RGAA 12.x: the current item is given to
// assistive technologies, not only shown).
type tabLink struct {
	Label   string
	URL     string
	Current bool
}

// invoicesPage is "Mes factures".
type invoicesPage struct {
	basePage
	List     ports.InvoicePage
	Tabs     []tabLink
	Now      time.Time
	Treasury bool
	Unpaid   bool
	Prev     string
	Next     string
}

func tabURL(tab domain.Tab, page int) string {
	q := url.Values{"onglet": {string(tab)}}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	return "/factures?" + q.Encode()
}

func (s *Server) invoices(w http.ResponseWriter, r *http.Request, u *user) error {
	q := r.URL.Query()
	tab := domain.TabUnpaid
	if t := q.Get("onglet"); t != "" {
		tab = domain.Tab(t)
	}
	n := 1
	if p := q.Get("page"); p != "" {
		var err error
		if n, err = strconv.Atoi(p); err != nil || n < 1 || n > 1_000_000 {
			return errBadRequest
		}
	}
	list, err := s.portal.Invoices(r.Context(), u.citizen, tab, n, invoicesPerPage)
	if err != nil {
		return err
	}
	p := &invoicesPage{
		basePage: basePage{Title: "Mes factures – " + tab.Label(), Menu: menuInvoices},
		List:     list, Now: s.clock.Now(), Treasury: tab == domain.TabTreasury, Unpaid: tab == domain.TabUnpaid,
	}
	if list.Page > 1 {
		p.Title += " – page " + strconv.Itoa(list.Page)
	}
	for _, t := range domain.Tabs {
		p.Tabs = append(p.Tabs, tabLink{Label: t.Label(), URL: tabURL(t, 1), Current: t == tab})
	}
	if list.Page > 1 {
		p.Prev = tabURL(tab, list.Page-1)
	}
	if list.Page < list.Pages {
		p.Next = tabURL(tab, list.Page+1)
	}
	return s.render(w, r, http.StatusOK, pageInvoices, p)
}

// invoicePage is the detail of one invoice and the actions allowed now.
type invoicePage struct {
	basePage
	Detail ports.InvoiceDetail
	// PayBlocked is why "Payer la facture" is not offered (the service's
	// suspension message, a payment in progress…).
	PayBlocked string
	// Locked is set while a payment attempt holds the invoice; Retry is
	// when a new attempt becomes possible.
	Locked bool
	Retry  string
}

// invoiceID reads {id}; a malformed id is a page that does not exist.
func invoiceID(r *http.Request) (uuid.UUID, error) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return uuid.Nil, errNotFound
	}
	return id, nil
}

func (s *Server) invoice(w http.ResponseWriter, r *http.Request, u *user) error {
	id, err := invoiceID(r)
	if err != nil {
		return err
	}
	d, err := s.portal.Invoice(r.Context(), u.citizen, id)
	if err != nil {
		return err
	}
	p := &invoicePage{basePage: basePage{Title: "Facture " + d.Invoice.Number, Menu: menuInvoices}, Detail: d}
	if d.Actions.PayBlocked != nil {
		p.PayBlocked = domain.ErrorMessage(d.Actions.PayBlocked)
	}
	if d.Invoice.Locked(s.clock.Now()) {
		p.Locked = true
		p.Retry = domain.FrenchDateTime(d.Invoice.LockedUntil)
	}
	return s.render(w, r, http.StatusOK, pageInvoice, p)
}

// invoicePDF would serve the invoice's document. ports has no use case
// that reads it yet, so nothing is served: no document is answered 404,
// a document that exists 503, never a made-up file.
func (s *Server) invoicePDF(w http.ResponseWriter, r *http.Request, u *user) error {
	id, err := invoiceID(r)
	if err != nil {
		return err
	}
	d, err := s.portal.Invoice(r.Context(), u.citizen, id)
	if err != nil {
		return err
	}
	if d.Invoice.PDF == "" {
		return errNoPDF
	}
	return errPDFLater
}

// declarePaid is "Marquer la facture comme réglée".
func (s *Server) declarePaid(w http.ResponseWriter, r *http.Request, u *user) error {
	id, err := invoiceID(r)
	if err != nil {
		return err
	}
	if err := s.portal.DeclarePaid(r.Context(), u.citizen, id); err != nil {
		return err
	}
	return redirect(w, r, "/factures/"+id.String(), flashDeclared)
}

// undoDeclarePaid is "Marquer la facture comme non réglée".
func (s *Server) undoDeclarePaid(w http.ResponseWriter, r *http.Request, u *user) error {
	id, err := invoiceID(r)
	if err != nil {
		return err
	}
	if err := s.portal.UndoDeclarePaid(r.Context(), u.citizen, id); err != nil {
		return err
	}
	return redirect(w, r, "/factures/"+id.String(), flashUndeclared)
}
