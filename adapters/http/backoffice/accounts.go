package backoffice

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The accounts screens (/gestion/redevables): look a payer up by
// reference, address or name, see where its account stands, its latest
// invoices and messages, and send the activation link again.

const (
	pageStaffPayers     = "accounts"
	pageStaffPayer      = "accounts_payer"
	flashActivationSent = "activation"
)

type staffPayersPage struct {
	kit.Base
	Query string
	Rows  []ports.PayerRow
	Pager boPager
	// CertificateYear is the year the ZIP of certificates proposes (last
	// year), zero when the biller offers no certificate.
	CertificateYear int
	CertificatesZIP string
}

func (s *BackOffice) showPayers(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if utf8.RuneCountInString(q) > 200 {
		q = string([]rune(q)[:200])
	}
	page, err := s.portal.BackOffice().FindPayers(r.Context(), u.actor, ports.PayerSearch{Text: q,
		Offset: pageOffset(pageNumber(r)), Limit: ports.DefaultBackOfficePage})
	if err != nil {
		return err
	}
	p := &staffPayersPage{Base: kit.Base{Title: "Redevables", Menu: menuStaffPayers}, Query: q, Rows: page.Rows,
		Pager: newPager(r, page.Offset, page.Limit, page.Total), CertificatesZIP: pathCertificatesZIP}
	if b, err := s.portal.BackOfficeAdmin().Settings(r.Context(), u.actor); err == nil && b.Certificate.Offered {
		p.CertificateYear = domain.Today(s.clock.Now()).Year - 1
	}
	return s.renderStaff(w, r, u, http.StatusOK, pageStaffPayers, p)
}

type staffPayerPage struct {
	kit.Base
	Detail ports.PayerDetail
	// CanResend offers the activation link: the account is not active
	// and the payer has an address.
	CanResend bool
	// Certificates are the payer's yearly certificates (certificates.go).
	Certificates []certificateChoice
}

func (s *BackOffice) showPayer(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	return s.renderPayer(w, r, u, http.StatusOK, nil)
}

func (s *BackOffice) renderPayer(w http.ResponseWriter, r *http.Request, u *staffUser, st int, problem error) error {
	id, err := kit.PathID(r)
	if err != nil {
		return err
	}
	d, err := s.portal.BackOffice().PayerDetail(r.Context(), u.actor, id)
	if err != nil {
		return err
	}
	p := &staffPayerPage{Base: kit.Base{Title: "Redevable " + d.Payer.ExternalRef, Menu: menuStaffPayers}, Detail: d,
		CanResend: d.Status != ports.AccountActive && d.Payer.Email != ""}
	if problem != nil {
		p.Errors = []kit.SummaryLine{{Message: domain.ErrorMessage(problem)}}
	}
	if p.Certificates, err = s.certificateChoices(r, u, d); err != nil {
		return err
	}
	return s.renderStaff(w, r, u, st, pageStaffPayer, p)
}

func (s *BackOffice) resendActivation(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	id, err := kit.PathID(r)
	if err != nil {
		return err
	}
	err = s.portal.BackOffice().ResendActivation(r.Context(), u.actor, id)
	switch domain.ErrorCode(err) {
	case "":
		return staffRedirect(w, r, "/gestion/redevables/"+id.String(), flashActivationSent)
	case domain.Conflict:
		return s.renderPayer(w, r, u, http.StatusConflict, err)
	}
	return err
}
