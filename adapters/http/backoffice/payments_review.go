package backoffice

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The invoices payers declared paid, and the DGFiP's settlement report.

const (
	pageStaffDeclared   = "payments_declared"
	pageStaffSettlement = "payments_settlement"
)

const (
	flashDeclaredConfirmed = "declaration-confirmee"
	flashDeclaredRejected  = "declaration-rejetee"
)

type staffDeclaredPage struct {
	kit.Base
	List       ports.DeclaredList
	Prev, Next string
}

func (s *BackOffice) staffDeclared(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	list, err := s.portal.BackOfficePayments().DeclaredInvoices(r.Context(), u.actor, page)
	if err != nil {
		return err
	}
	p := &staffDeclaredPage{Base: kit.Base{Title: "Factures déclarées réglées", Menu: menuStaffPayments}, List: list}
	p.Prev, p.Next = pageLinks(r.URL, list.Page, list.Pages)
	return s.renderStaff(w, r, u, http.StatusOK, pageStaffDeclared, p)
}

func (s *BackOffice) staffConfirmDeclared(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	id, err := kit.PathID(r)
	if err != nil {
		return err
	}
	if err := s.portal.BackOfficePayments().ConfirmDeclared(r.Context(), u.actor, id); err != nil {
		return err
	}
	return staffRedirect(w, r, "/gestion/factures-declarees", flashDeclaredConfirmed)
}

func (s *BackOffice) staffRejectDeclared(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	if !confirmed(r) {
		return s.askRejectDeclared(w, r)
	}
	id, err := kit.PathID(r)
	if err != nil {
		return err
	}
	if err := s.portal.BackOfficePayments().RejectDeclared(r.Context(), u.actor, id); err != nil {
		return err
	}
	return staffRedirect(w, r, "/gestion/factures-declarees", flashDeclaredRejected)
}

type staffSettlementPage struct {
	kit.Base
	// Result is set once a report was applied.
	Result *ports.SettlementResult
}

func (s *BackOffice) staffSettlementForm(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	p := &staffSettlementPage{Base: kit.Base{Title: "Relevé de règlement de la DGFiP", Menu: menuStaffPayments}}
	return s.renderStaff(w, r, u, http.StatusOK, pageStaffSettlement, p)
}

// staffSettlement applies an uploaded settlement report and shows what
// it found. A file that cannot be read comes back on the form with the
// lines at fault.
func (s *BackOffice) staffSettlement(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	p := &staffSettlementPage{Base: kit.Base{Title: "Relevé de règlement de la DGFiP", Menu: menuStaffPayments}}
	file, _, err := r.FormFile("releve")
	if err != nil {
		p.Errors = []kit.SummaryLine{{ID: "releve", Message: "Choisissez le fichier du relevé."}}
		return s.renderStaff(w, r, u, http.StatusBadRequest, pageStaffSettlement, p)
	}
	defer file.Close()
	res, err := s.portal.BackOfficePayments().ApplySettlementReport(r.Context(), u.actor, file)
	var de *domain.Error
	if errors.As(err, &de) && de.Code == domain.Invalid {
		p.Errors = []kit.SummaryLine{{ID: "releve", Message: de.Message}}
		return s.renderStaff(w, r, u, http.StatusBadRequest, pageStaffSettlement, p)
	}
	if err != nil {
		return err
	}
	p.Title = "Résultat du relevé de règlement"
	p.Result = &res
	return s.renderStaff(w, r, u, http.StatusOK, pageStaffSettlement, p)
}
