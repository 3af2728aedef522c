// Package dev serves the demo's pages under /_dev/: the mails the demo
// sent (GET /_dev/mail) and the PayFiP simulator (/_dev/payfip/…). They
// exist only in demo mode: outside it, nothing under /_dev/ is routed and
// the portal answers its French 404.
package dev

import (
	"embed"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
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
	// Unsubscribe is the mail's one-click address (List-Unsubscribe).
	Unsubscribe string
	Files       []devFileView
}

// devFileView is one attachment, downloaded from Link.
type devFileView struct {
	Name, ContentType, Size, Link string
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

// Config holds the demo's extras.
type Config struct {
	// Mails returns the mails sent, newest first.
	Mails func() []Mail
	// PayFiP is the PayFiP simulator, mounted at /_dev/payfip/ with its
	// full path (no StripPrefix).
	PayFiP http.Handler
}

// Mail is one mail shown on the demo's mail page: ID names it among the
// mails Config.Mails returns, in its attachments' links.
type Mail struct {
	ports.Mail
	ID uint64
	At time.Time
}

// Look is how the demo's pages look: the citizens' layout, filled as the
// citizens' portal fills it, and its error pages.
type Look struct {
	Layout kit.Layout
	Fill   func(http.ResponseWriter, *http.Request, *kit.Base)
	Errors kit.Renderer
}

// Dev serves the demo's pages.
type Dev struct {
	site  *kit.Site
	cfg   Config
	look  Look
	pages *kit.Pages
}

//go:embed templates/*.html
var templateFiles embed.FS

const pageMail = "dev_mail"

// New parses the demo's pages over look's layout.
func New(site *kit.Site, cfg Config, look Look) (*Dev, error) {
	pages, err := site.ParsePages(look.Layout, templateFiles, []string{"templates/" + pageMail + ".html"}, nil)
	if err != nil {
		return nil, err
	}
	return &Dev{site: site, cfg: cfg, look: look, pages: pages}, nil
}

// Routes registers the demo's pages that cfg provides.
func (d *Dev) Routes(mux *http.ServeMux) {
	if d.cfg.Mails != nil {
		mux.Handle("GET /_dev/mail", d.site.Handle(d.mails, d.look.Errors))
		mux.Handle("GET /_dev/mail/{mail}/pieces/{n}", d.site.Handle(d.attachment, d.look.Errors))
	}
	if d.cfg.PayFiP != nil {
		mux.Handle("/_dev/payfip/", d.cfg.PayFiP)
	}
}

func (d *Dev) mails(w http.ResponseWriter, r *http.Request) error {
	// The page shows links with their secrets: they must not leak.
	kit.NoReferrer(w)
	p := &devMailPage{Base: kit.Base{Title: "Messages envoyés (démonstration)"}}
	for _, m := range d.cfg.Mails() {
		v := devMailView{To: m.To, ReplyTo: m.ReplyTo, Subject: m.Subject, At: m.At, Parts: linkify(m.Text), Unsubscribe: m.Unsubscribe}
		for i, a := range m.Attachments {
			v.Files = append(v.Files, devFileView{Name: a.Name, ContentType: a.ContentType, Size: sizeWords(len(a.Data)),
				Link: "/_dev/mail/" + strconv.FormatUint(m.ID, 10) + "/pieces/" + strconv.Itoa(i+1)})
		}
		p.Mails = append(p.Mails, v)
	}
	d.look.Fill(w, r, &p.Base)
	return d.pages.Render(w, http.StatusOK, pageMail, p)
}

// attachment sends the n-th file (from 1) of a mail of the page, to be
// saved, never shown in the portal's own pages: a file's type is the
// mail's, not the portal's to vouch for.
func (d *Dev) attachment(w http.ResponseWriter, r *http.Request) error {
	id, err1 := strconv.ParseUint(r.PathValue("mail"), 10, 64)
	n, err2 := strconv.Atoi(r.PathValue("n"))
	if err1 != nil || err2 != nil || n < 1 {
		return domain.ErrNotFound
	}
	for _, m := range d.cfg.Mails() {
		if m.ID != id || n > len(m.Attachments) {
			continue
		}
		a := m.Attachments[n-1]
		w.Header().Set("Content-Type", a.ContentType)
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
		w.Header().Set("Content-Security-Policy", "sandbox")
		_, err := w.Write(a.Data)
		return err
	}
	return domain.ErrNotFound
}

// sizeWords says a file's size in French: « 812 octets », « 23 Ko ».
func sizeWords(n int) string {
	if n < 1024 {
		return strconv.Itoa(n) + " octets"
	}
	return strconv.Itoa((n+1023)/1024) + " Ko"
}
