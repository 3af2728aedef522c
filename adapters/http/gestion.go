package http

import "net/http"

// gestionRoutes registers the back office under /gestion/.
func (s *Server) gestionRoutes(mux *http.ServeMux) {}
