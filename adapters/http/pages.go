package http

import (
	"net/http"

	"github.com/portail-factures/portail/adapters/http/kit"
)

// textPage is a page of text: help, legal notice, accessibility
// statement. Their words live in their templates.
type textPage struct {
	kit.Base
}

func (s *Server) help(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, pageHelp, &textPage{kit.Base{Title: "Aide"}})
}

func (s *Server) legal(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, pageLegal, &textPage{kit.Base{Title: "Mentions légales"}})
}

func (s *Server) accessibility(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, pageA11y, &textPage{kit.Base{Title: "Déclaration d'accessibilité"}})
}
