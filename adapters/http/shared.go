package http

import (
	"net/http"

	"github.com/portail-factures/portail/adapters/http/kit"
)

// What the back office, still in this package, used of the citizens'
// portal before it moved to adapters/http/citizen: the context key type
// and two helpers now in the kit. They go when the back office gets its
// own package.

// ctxKey keys what a back-office request carries in its context (the
// staff member: staffKey).
type ctxKey int

// limitMail counts a request that may send a mail (kit.Limiters.AllowMailRequest).
func (s *Server) limitMail(r *http.Request, email string) error {
	return s.limits.AllowMailRequest(r, email)
}

// linkError reports whether err says a link is dead (kit.DeadLink).
func linkError(err error) bool { return kit.DeadLink(err) }
