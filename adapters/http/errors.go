package http

import (
	"net/http"

	"github.com/portail-factures/portail/adapters/http/api"
)

// fail answers err for the audience of r: JSON on the API's paths (the
// middleware's errors included), the citizens' error page otherwise.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if api.IsAPI(r) { // machine clients get JSON, even from the middleware
		s.api.Fail(w, r, err)
		return
	}
	s.citizen.Fail(w, r, err)
}
