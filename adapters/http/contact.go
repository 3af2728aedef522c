package http

import (
	"net/http"

	"github.com/portail-factures/portail/domain"
)

// contactPage is "Contacter le service".
type contactPage struct {
	basePage
	Form       *form
	MaxSubject int
	MaxBody    int
}

var contactFields = []string{"subject", "body"}

func newContactPage(f *form) *contactPage {
	return &contactPage{
		basePage: basePage{Title: "Contacter le service", Menu: menuContact, Errors: errorSummary(contactFields, f)},
		Form:     f, MaxSubject: domain.MaxSubjectLength, MaxBody: domain.MaxBodyLength,
	}
}

func (s *Server) showContact(w http.ResponseWriter, r *http.Request, u *user) error {
	return s.render(w, r, http.StatusOK, pageContact, newContactPage(&form{}))
}

// contact stores the message and mails it to the service, with the
// payer's identity and their address to reply to. It is limited per
// account and per IP.
func (s *Server) contact(w http.ResponseWriter, r *http.Request, u *user) error {
	now := s.clock.Now()
	if err := allow(r.Context(), s.limits.contactIP, s.limits.clientIP(r), now); err != nil {
		return err
	}
	if err := allow(r.Context(), s.limits.contactAccount, u.citizen.AccountID.String(), now); err != nil {
		return err
	}
	f := newForm(r, "", contactFields...)
	err := s.portal.Citizens().Contact(r.Context(), u.citizen, f.Values["subject"], f.Values["body"])
	if fieldError(err) {
		f.Set(err)
		return s.render(w, r, status(err), pageContact, newContactPage(f))
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/contact", flashContact)
}
