package citizen

import (
	"net/http"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/ports"
)

// unsubscribePage is the public page a notice's or reminder's
// « Ne plus recevoir ces courriels » link opens (ports.PathUnsubscribe).
type unsubscribePage struct {
	kit.Base
	// Action is the page's own address, where its button posts.
	Action string
	ports.Unsubscription
	// Done is true right after the POST turned the mails off.
	Done bool
}

// showUnsubscribe is GET /desabonnement/{token}: what the link stops and a
// button. It changes nothing, since mail scanners open links before the
// payer does. The token is counted against the client's address like a
// login (AuthPerIP).
func (s *Portal) showUnsubscribe(w http.ResponseWriter, r *http.Request) error {
	if err := s.limits.AllowAuth(r); err != nil {
		return err
	}
	u, err := s.portal.CitizenAccounts().UnsubscribeLink(r.Context(), kit.BillerID(r), r.PathValue("token"))
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, pageUnsubscribe, s.unsubscribePage(r, u, false))
}

// unsubscribe is POST /desabonnement/{token}: the page's button, or the
// one-click request a mail provider sends for the List-Unsubscribe-Post
// header (RFC 8058: no cookie, no form token; the signed token is the
// proof, and turning mails off is all it can do).
func (s *Portal) unsubscribe(w http.ResponseWriter, r *http.Request) error {
	if err := s.limits.AllowAuth(r); err != nil {
		return err
	}
	u, err := s.portal.CitizenAccounts().Unsubscribe(r.Context(), kit.BillerID(r), r.PathValue("token"))
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, pageUnsubscribe, s.unsubscribePage(r, u, true))
}

func (s *Portal) unsubscribePage(r *http.Request, u ports.Unsubscription, done bool) *unsubscribePage {
	return &unsubscribePage{Base: kit.Base{Title: "Ne plus recevoir ces courriels"},
		Action: ports.PathUnsubscribe + "/" + r.PathValue("token"), Unsubscription: u, Done: done}
}
