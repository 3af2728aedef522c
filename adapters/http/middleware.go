package http

import (
	"net/http"

	"github.com/portail-factures/portail/adapters/http/kit"
)

// ctxKey keys what a back-office request carries in its context (the
// staff member: staffKey).
type ctxKey int

// The back office's helpers that were the citizens' portal's: they live
// in the kit now, shared by both audiences.

// limitMail counts a request that may send a mail (kit.Limiters.AllowMailRequest).
func (s *Server) limitMail(r *http.Request, email string) error {
	return s.limits.AllowMailRequest(r, email)
}

// linkError reports whether err says a link is dead (kit.DeadLink).
func linkError(err error) bool { return kit.DeadLink(err) }
