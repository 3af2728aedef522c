package citizen

import (
	"net/http"
	"strings"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// verificationPage is the public « Vérifier un document » page.
type verificationPage struct {
	kit.Base
	Form *kit.Form
	// Found is the document the code proves; nil before a search or when
	// none matches (then Form says so).
	Found *domain.Verification
	// Date is Found's date in words, Paris time.
	Date string
}

func (s *Portal) verificationPage(f *kit.Form) *verificationPage {
	return &verificationPage{Base: kit.Base{Title: "Vérifier un document", Errors: kit.ErrorSummary([]string{"code"}, f)}, Form: f}
}

// showVerification is GET /verification: the form, or the answer for
// ?code=… (the link a document may carry).
func (s *Portal) showVerification(w http.ResponseWriter, r *http.Request) error {
	code := strings.TrimSpace(r.URL.Query().Get("code"))
	f := &kit.Form{Values: map[string]string{"code": code}, Errors: map[string]string{}}
	if code == "" {
		return s.render(w, r, http.StatusOK, pageVerification, s.verificationPage(f))
	}
	return s.verify(w, r, f)
}

// checkVerification is POST /verification (form token checked).
func (s *Portal) checkVerification(w http.ResponseWriter, r *http.Request) error {
	return s.verify(w, r, kit.NewForm(r, "", "code"))
}

// verify looks the code up, counted against the client's address like a
// login (AuthPerIP), and shows the answer: the document, or the French
// « aucun document ne correspond ».
func (s *Portal) verify(w http.ResponseWriter, r *http.Request, f *kit.Form) error {
	if err := s.limits.AllowAuth(r); err != nil {
		return err
	}
	v, err := s.portal.CitizenAccounts().Verify(r.Context(), kit.BillerID(r), f.Values["code"])
	if err == ports.ErrNoDocumentMatch || domain.ErrorCode(err) == domain.NotFound {
		f.Errors["code"] = domain.ErrorMessage(err)
		p := s.verificationPage(f)
		return s.render(w, r, http.StatusOK, pageVerification, p)
	}
	if err != nil {
		return err
	}
	p := s.verificationPage(f)
	p.Found, p.Date = &v, domain.DateOf(v.Date, domain.Paris).French()
	return s.render(w, r, http.StatusOK, pageVerification, p)
}
