package backoffice

import (
	"net/http"
	"strings"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The messages screens (/gestion/messages): what payers sent from
// "Contacter le service" and their requests to stop paper invoices, new
// or handled.

const (
	pageStaffMessages  = "messages"
	pageStaffMessage   = "messages_one"
	flashMessageDone   = "message-traite"
	flashMessageReopen = "message-nouveau"
)

type staffMessagesPage struct {
	kit.Base
	State, Kind string
	Messages    []domain.Message
	Pager       boPager
}

func (s *BackOffice) showMessages(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	q := r.URL.Query()
	state, kind := domain.MessageState(q.Get("etat")), domain.MessageKind(q.Get("type"))
	if !state.Valid() {
		state = ""
	}
	if !kind.Valid() {
		kind = ""
	}
	page, err := s.portal.BackOffice().Messages(r.Context(), u.actor, ports.MessageSearch{State: state, Kind: kind,
		Offset: pageOffset(pageNumber(r)), Limit: ports.DefaultBackOfficePage})
	if err != nil {
		return err
	}
	p := &staffMessagesPage{Base: kit.Base{Title: "Messages", Menu: menuStaffMessages}, State: string(state), Kind: string(kind),
		Messages: page.Messages, Pager: newPager(r, page.Offset, page.Limit, page.Total)}
	return s.renderStaff(w, r, u, http.StatusOK, pageStaffMessages, p)
}

type staffMessagePage struct {
	kit.Base
	Detail ports.MessageDetail
	// Lines are the body's lines, each shown as a paragraph.
	Lines []string
}

func (s *BackOffice) showMessage(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	id, err := kit.PathID(r)
	if err != nil {
		return err
	}
	d, err := s.portal.BackOffice().Message(r.Context(), u.actor, id)
	if err != nil {
		return err
	}
	p := &staffMessagePage{Base: kit.Base{Title: "Message : " + d.Message.Subject, Menu: menuStaffMessages}, Detail: d,
		Lines: paragraphs(d.Message.Body)}
	return s.renderStaff(w, r, u, http.StatusOK, pageStaffMessage, p)
}

// setMessageState serves "Marquer comme traité" (etat=handled) and
// "Remettre à traiter" (etat=new).
func (s *BackOffice) setMessageState(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	id, err := kit.PathID(r)
	if err != nil {
		return err
	}
	back := "/gestion/messages/" + id.String()
	switch domain.MessageState(r.PostForm.Get("etat")) {
	case domain.MessageHandled:
		if err := s.portal.BackOffice().MarkMessageHandled(r.Context(), u.actor, id); err != nil {
			return err
		}
		return staffRedirect(w, r, back, flashMessageDone)
	case domain.MessageNew:
		if err := s.portal.BackOffice().MarkMessageNew(r.Context(), u.actor, id); err != nil {
			return err
		}
		return staffRedirect(w, r, back, flashMessageReopen)
	}
	return kit.ErrBadRequest
}

// paragraphs splits a text typed by a payer into its non-empty lines.
func paragraphs(text string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}
