package http

import "net/http"

// apiRoutes registers the billing software's API under /api/v1/.
func (s *Server) apiRoutes(mux *http.ServeMux) {}
