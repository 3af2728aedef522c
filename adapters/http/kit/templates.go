package kit

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

//go:embed templates/partials.html
var partials embed.FS

// Pages are an audience's page templates by name: each is its own
// template set, the audience's layout, the shared partials and the page's
// file, which defines "content".
type Pages struct {
	layout string
	byName map[string]*template.Template
}

// Layout is an audience's layout file: the page frame its pages fill.
type Layout struct {
	FS   fs.FS
	File string // its path in FS; the template it defines is its base name
}

// ParsePages parses every page file of files (paths in files) over the
// layout and the kit's partials. A page's name is its file name without
// ".html"; the layout's is the template its file must define. It fails if
// a page does not parse or lacks "content": the start-up check of every
// page. funcs adds to the kit's Funcs.
func (s *Site) ParsePages(layout Layout, files fs.FS, pages []string, funcs template.FuncMap) (*Pages, error) {
	p := &Pages{layout: strings.TrimSuffix(path.Base(layout.File), ".html"), byName: make(map[string]*template.Template, len(pages))}
	all := s.Funcs()
	for k, v := range funcs {
		all[k] = v
	}
	for _, file := range pages {
		name := strings.TrimSuffix(path.Base(file), ".html")
		t, err := template.New(name).Funcs(all).ParseFS(partials, "templates/partials.html")
		if err == nil {
			t, err = t.ParseFS(layout.FS, layout.File)
		}
		if err == nil {
			t, err = t.ParseFS(files, file)
		}
		if err != nil {
			return nil, fmt.Errorf("http: page %s: %w", name, err)
		}
		if t.Lookup("content") == nil || t.Lookup(p.layout) == nil {
			return nil, fmt.Errorf("http: page %s: no content or layout template", name)
		}
		p.byName[name] = t
	}
	return p, nil
}

// Lookup returns the page name, or nil.
func (p *Pages) Lookup(name string) *template.Template { return p.byName[name] }

// Base is what the layouts need; every page struct embeds it. The
// visitor's fields are the citizen's (LoggedIn) or the staff member's
// (Staff, RoleName, CanWrite), each layout reading its own.
type Base struct {
	// Title is the page's own title; the layout adds the portal's and
	// the biller's names, so that every title is unique (RGAA 8.6).
	Title      string
	BillerName string
	// Menu is the current menu entry, marked with aria-current.
	Menu      string
	FormToken string
	// Flash is a confirmation after a redirect, one of the audience's
	// fixed texts.
	Flash string
	// Errors is the error summary at the top of the page (RGAA 11.10).
	Errors []SummaryLine
	Dev    bool

	// LoggedIn: a citizen is logged in (the menu shows).
	LoggedIn bool
	// Staff is the logged-in staff member's label; empty on the back
	// office's login page.
	Staff    string
	RoleName string
	// CanWrite shows the buttons that change something.
	CanWrite bool
}

// PageBase returns the page's Base.
func (b *Base) PageBase() *Base { return b }

// Page is a page struct: it embeds Base.
type Page interface{ PageBase() *Base }

// FillBase fills what every page shows: the biller's name, the demo
// banner, the form token (sessionToken when logged in, otherwise the
// double-submit token; masked) and the flash of the fixed texts flashes when the
// query's parameter flashParam names one and the page set none.
func (s *Site) FillBase(w http.ResponseWriter, r *http.Request, b *Base, sessionToken string, flashes map[string]string, flashParam string) {
	b.BillerName = BillerName(r)
	b.Dev = s.Dev
	// The page carries the token masked afresh (MaskToken): the same
	// secret never shows twice the same, compressed or not.
	if sessionToken != "" {
		b.FormToken = MaskToken(sessionToken)
	} else {
		b.FormToken = MaskToken(s.FormToken(w, r))
	}
	if b.Flash == "" {
		b.Flash = flashes[r.URL.Query().Get(flashParam)]
	}
}

// Render writes the page name of pages with the data p through a buffer,
// so that a template failure never sends half a page (it is an Internal
// error then).
func (p *Pages) Render(w http.ResponseWriter, st int, name string, data any) error {
	t := p.byName[name]
	if t == nil {
		return domain.WrapInternal(fmt.Errorf("no page %q", name))
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, p.layout, data); err != nil {
		return domain.WrapInternal(fmt.Errorf("page %s: %w", name, err))
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(st)
	_, _ = w.Write(buf.Bytes())
	return nil
}

// ErrorPage is the page struct of every audience's French error page:
// its status and the message safe to show.
type ErrorPage struct {
	Base
	Status  int
	Message string
	// RequestID is the request's id (ports.RequestID), shown for support
	// to find the request's log lines; "" shows nothing.
	RequestID string
}

// NewErrorPage is the error page of f for r, with the request's id.
func NewErrorPage(r *http.Request, base Base, f Failure) *ErrorPage {
	base.Title = Title(f.Status)
	return &ErrorPage{Base: base, Status: f.Status, Message: f.Message, RequestID: ports.RequestID(r.Context())}
}

// RenderError writes an error page with render; if even that fails,
// plain text, and an error log prefixed with audience.
func (s *Site) RenderError(w http.ResponseWriter, r *http.Request, f Failure, audience string, render func() error) {
	if err := render(); err != nil {
		s.Log.ErrorContext(r.Context(), audience+"error page not rendered", "err", err)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(f.Status)
		_, _ = w.Write([]byte(f.Message + "\n"))
	}
}

// Redirect answers a POST with 303 See Other to target, adding the
// confirmation code flash (one of the audience's fixed texts) as the
// query parameter param.
func Redirect(w http.ResponseWriter, r *http.Request, target, param, flash string) error {
	if flash != "" {
		if u, err := url.Parse(target); err == nil {
			q := u.Query()
			q.Set(param, flash)
			u.RawQuery = q.Encode()
			target = u.String()
		}
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

// LocalPath returns p when it is a path of this site ("/factures?…"),
// and "/" otherwise, so that ?suite= cannot send anyone elsewhere.
// Browsers drop tabs and newlines from URLs and read "\" as "/", so
// "/\t/evil.example" or "/\\evil.example" would leave the site.
func LocalPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.ContainsRune(p, '\\') || strings.IndexFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
		return "/"
	}
	if strings.HasPrefix(p, "//") {
		return "/"
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return p
}

// Funcs are the helpers every template may call.
func (s *Site) Funcs() template.FuncMap {
	return template.FuncMap{
		"euros": domain.FormatEuros,
		"date":  func(d domain.Date) string { return d.French() },
		"datetime": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return domain.FrenchDateTime(t)
		},
		"day": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(domain.Paris).Format("02/01/2006")
		},
		"cents":  func(d decimal.Decimal) string { return d.Shift(2).StringFixed(0) },
		"static": s.Assets.URL,
		"add":    func(a, b int) int { return a + b },
		"join":   strings.Join,
		"pager": func(label, prev, next, position string) PagerView {
			return PagerView{Label: label, Prev: prev, Next: next, Position: position}
		},
	}
}

// PagerView is what the "pager" partial shows: the links to the
// neighbour pages (empty at either end), where the list stands, and the
// navigation's name for screen readers.
type PagerView struct {
	Label, Prev, Next, Position string
}
