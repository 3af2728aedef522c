package citizen

import (
	"net/http"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/ports"
)

// textPage is a page of text: help, legal notice, accessibility
// statement. Their words live in their templates.
type textPage struct {
	kit.Base
}

func (s *Portal) help(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, pageHelp, &textPage{kit.Base{Title: "Aide"}})
}

// legalPage is the legal notice; Retention is the biller's retention of
// closed accounts, in words ("12 mois"); MailDays how long the portal
// keeps the mails it sent (ports.MailRetentionDays).
type legalPage struct {
	kit.Base
	Retention string
	MailDays  int
}

func (s *Portal) legal(w http.ResponseWriter, r *http.Request) error {
	info, err := s.portal.CitizenAccounts().Biller(r.Context(), kit.BillerID(r))
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, pageLegal, &legalPage{Base: kit.Base{Title: "Mentions légales"}, Retention: info.Retention,
		MailDays: ports.MailRetentionDays})
}

func (s *Portal) accessibility(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, pageA11y, &textPage{kit.Base{Title: "Déclaration d'accessibilité"}})
}
