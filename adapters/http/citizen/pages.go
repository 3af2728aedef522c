package citizen

import (
	"net/http"

	"github.com/portail-factures/portail/adapters/http/kit"
)

// textPage is a page of text: help, legal notice, accessibility
// statement. Their words live in their templates.
type textPage struct {
	kit.Base
}

func (s *Portal) help(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, pageHelp, &textPage{kit.Base{Title: "Aide"}})
}

func (s *Portal) legal(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, pageLegal, &textPage{kit.Base{Title: "Mentions légales"}})
}

func (s *Portal) accessibility(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, pageA11y, &textPage{kit.Base{Title: "Déclaration d'accessibilité"}})
}
