package citizen

import (
	"net/http"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
)

// contactPage is "Contacter le service".
type contactPage struct {
	kit.Base
	Form       *kit.Form
	MaxSubject int
	MaxBody    int
}

var contactFields = []string{"subject", "body"}

func newContactPage(f *kit.Form) *contactPage {
	return &contactPage{
		Base: kit.Base{Title: "Contacter le service", Menu: menuContact, Errors: kit.ErrorSummary(contactFields, f)},
		Form: f, MaxSubject: domain.MaxSubjectLength, MaxBody: domain.MaxBodyLength,
	}
}

func (s *Portal) showContact(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, pageContact, newContactPage(&kit.Form{}))
}

// contact stores the message and mails it to the service, with the
// payer's identity and their address to reply to. It is limited per
// account and per IP.
func (s *Portal) contact(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	if err := s.limits.AllowContact(r, u.citizen.AccountID.String()); err != nil {
		return err
	}
	f := kit.NewForm(r, "", contactFields...)
	err := s.portal.Citizens().Contact(r.Context(), u.citizen, f.Values["subject"], f.Values["body"])
	if kit.FieldError(err) {
		f.Set(err)
		return s.render(w, r, kit.Status(err), pageContact, newContactPage(f))
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/contact", flashContact)
}
