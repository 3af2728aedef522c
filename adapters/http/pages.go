package http

import "net/http"

// textPage is a page of text: help, legal notice, accessibility
// statement. Their words live in their templates.
type textPage struct {
	basePage
}

func (s *Server) help(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, pageHelp, &textPage{basePage{Title: "Aide"}})
}

func (s *Server) legal(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, pageLegal, &textPage{basePage{Title: "Mentions légales"}})
}

func (s *Server) accessibility(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, pageA11y, &textPage{basePage{Title: "Déclaration d'accessibilité"}})
}
