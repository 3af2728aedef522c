package http

import (
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/portail-factures/portail/adapters/http/kit"
)

// devMailPage lists the mails the demo sent, newest first, so that
// activation and reset links can be followed without a mail server.
type devMailPage struct {
	kit.Base
	Mails []devMailView
}

// devMailView is one mail, its text cut into plain parts and links.
type devMailView struct {
	To, ReplyTo, Subject string
	At                   time.Time
	Parts                []textPart
}

// textPart is plain text, or a link when URL is set. html/template
// escapes both and checks the link's scheme, so a mail's text can never
// inject markup.
type textPart struct {
	Text string
	URL  string
}

var urlRE = regexp.MustCompile(`https?://[^\s<>"]+`)

// linkify cuts text into parts, turning http(s) URLs into links. Closing
// punctuation after a URL is left out of it.
func linkify(text string) []textPart {
	var parts []textPart
	last := 0
	for _, m := range urlRE.FindAllStringIndex(text, -1) {
		start, end := m[0], m[1]
		for end > start && strings.ContainsRune(".,;:!?)'", rune(text[end-1])) {
			end--
		}
		if start > last {
			parts = append(parts, textPart{Text: text[last:start]})
		}
		parts = append(parts, textPart{Text: text[start:end], URL: text[start:end]})
		last = end
	}
	if last < len(text) {
		parts = append(parts, textPart{Text: text[last:]})
	}
	return parts
}

func (s *Server) devMails(w http.ResponseWriter, r *http.Request) error {
	// The page shows links with their secrets: they must not leak.
	kit.NoReferrer(w)
	p := &devMailPage{Base: kit.Base{Title: "Messages envoyés (démonstration)"}}
	for _, m := range s.dev.Mails() {
		p.Mails = append(p.Mails, devMailView{To: m.To, ReplyTo: m.ReplyTo, Subject: m.Subject, At: m.At, Parts: linkify(m.Text)})
	}
	return s.render(w, r, http.StatusOK, pageDevMail, p)
}
