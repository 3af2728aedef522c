package citizen

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/portail-factures/portail/adapters/http/kit"
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
	kit.Base
	List     ports.InvoicePage
	Tabs     []tabLink
	Now      time.Time
	Treasury bool
	Unpaid   bool
	Prev     string
	Next     string
	// Certificates are the yearly certificates, on the paid tab.
	Certificates []certificateLink
}

func tabURL(tab domain.Tab, page int) string {
	q := url.Values{"onglet": {string(tab)}}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	return "/factures?" + q.Encode()
}

func (s *Portal) invoices(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	q := r.URL.Query()
	tab := domain.TabUnpaid
	if t := q.Get("onglet"); t != "" {
		tab = domain.Tab(t)
	}
	n := 1
	if p := q.Get("page"); p != "" {
		var err error
		if n, err = strconv.Atoi(p); err != nil || n < 1 || n > 1_000_000 {
			return kit.ErrBadRequest
		}
	}
	list, err := s.portal.Citizens().Invoices(r.Context(), u.citizen, tab, n, invoicesPerPage)
	if err != nil {
		return err
	}
	p := &invoicesPage{
		Base: kit.Base{Title: "Mes factures – " + tab.Label(), Menu: menuInvoices},
		List: list, Now: s.clock.Now(), Treasury: tab == domain.TabTreasury, Unpaid: tab == domain.TabUnpaid,
	}
	if list.Page > 1 {
		p.Title += " – page " + strconv.Itoa(list.Page)
	}
	for _, t := range domain.Tabs {
		p.Tabs = append(p.Tabs, tabLink{Label: t.Label(), URL: tabURL(t, 1), Current: t == tab})
	}
	if tab == domain.TabPaid {
		if p.Certificates, err = s.certificateLinks(r, u); err != nil {
			return err
		}
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
	kit.Base
	Detail ports.InvoiceDetail
	// PayBlocked is why "Payer la facture" is not offered (the service's
	// suspension message, a payment in progress…).
	PayBlocked string
	// Locked is set while a payment attempt holds the invoice; Retry is
	// when a new attempt becomes possible.
	Locked bool
	Retry  string
	// PDF is the size of the invoice's stored document ("35 Ko"); empty
	// when none is stored, and then the page has no link (an imported
	// invoice may name a file never sent).
	PDF string
	// Receipt: the invoice is paid and its receipt can be shown.
	Receipt bool
}

func (s *Portal) invoice(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	id, err := kit.PathID(r)
	if err != nil {
		return err
	}
	d, err := s.portal.Citizens().Invoice(r.Context(), u.citizen, id)
	if err != nil {
		return err
	}
	p := &invoicePage{Base: kit.Base{Title: "Facture " + d.Invoice.Number, Menu: menuInvoices}, Detail: d,
		Receipt: d.Invoice.HasReceipt()}
	switch doc, err := s.portal.Citizens().InvoiceDocumentInfo(r.Context(), u.citizen, id); {
	case err == nil:
		p.PDF = fileSize(doc.Size)
	case !errors.Is(err, ports.ErrNoDocument):
		return err
	}
	if d.Actions.PayBlocked != nil {
		p.PayBlocked = domain.ErrorMessage(d.Actions.PayBlocked)
	}
	if d.Invoice.Locked(s.clock.Now()) {
		p.Locked = true
		p.Retry = domain.FrenchDateTime(d.Invoice.LockedUntil)
	}
	return s.render(w, r, http.StatusOK, pageInvoice, p)
}

// invoicePDF serves the invoice's document as a download: another
// payer's invoice is not found, one without a stored PDF says so.
func (s *Portal) invoicePDF(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	id, err := kit.PathID(r)
	if err != nil {
		return err
	}
	doc, err := s.portal.Citizens().InvoiceDocument(r.Context(), u.citizen, id)
	if err != nil {
		return err
	}
	kit.ServePDF(w, r, doc, "facture-"+doc.Name)
	return nil
}

// fileSize writes a size the French way, for a download link (RGAA 6.1:
// a link to a file says its format and weight).
func fileSize(n int) string {
	if n < 1000*1024 {
		return strconv.Itoa(max(1, (n+1023)/1024)) + " Ko"
	}
	return strings.Replace(strconv.FormatFloat(float64(n)/(1024*1024), 'f', 1, 64), ".", ",", 1) + " Mo"
}

// declarePaid is "Marquer la facture comme réglée".
func (s *Portal) declarePaid(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	id, err := kit.PathID(r)
	if err != nil {
		return err
	}
	if err := s.portal.Citizens().DeclarePaid(r.Context(), u.citizen, id); err != nil {
		return err
	}
	return redirect(w, r, "/factures/"+id.String(), flashDeclared)
}

// undoDeclarePaid is "Marquer la facture comme non réglée".
func (s *Portal) undoDeclarePaid(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	id, err := kit.PathID(r)
	if err != nil {
		return err
	}
	if err := s.portal.Citizens().UndoDeclarePaid(r.Context(), u.citizen, id); err != nil {
		return err
	}
	return redirect(w, r, "/factures/"+id.String(), flashUndeclared)
}
