package tipi

import (
	"bytes"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/portail-factures/portail/domain"
)

// The simulator's pages, each parsed once with the layout.
var pageNames = []string{"pay", "result", "error"}

func mustParsePages() map[string]*template.Template {
	pages := make(map[string]*template.Template, len(pageNames))
	for _, name := range pageNames {
		pages[name] = template.Must(template.ParseFS(simulatorFiles, "simulator/layout.html", "simulator/"+name+".html"))
	}
	return pages
}

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err)
	}
	return sub
}

// basePage is what every page needs.
type basePage struct {
	Title string
	CSS   string
}

// payPage is "Informations sur la dette" and the three buttons.
type payPage struct {
	basePage
	Action string
	Hidden []hiddenField
	Refdet string
	Objet  string
	Amount string
	Mel    string
	Test   bool
}

type hiddenField struct{ Name, Value string }

// resultPage is the URL mode's answer to the payer's choice: the result
// in a form that the browser posts to urlcl.
type resultPage struct {
	basePage
	Outcome string
	Action  string
	Hidden  []hiddenField
}

// outcomes names the URL mode's results for the payer.
var outcomes = map[string]string{"P": "Paiement accepté", "R": "Paiement refusé", "A": "Paiement abandonné"}

// errorPage explains why no payment can be made.
type errorPage struct {
	basePage
	Message string
	BackURL string
}

// render writes a page through a buffer, so that a template failure
// never sends half a page.
func (s *Simulator) render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		s.log.Error("payfip simulator: page not rendered", "page", name, "err", err)
		http.Error(w, "Erreur interne du simulateur.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (s *Simulator) page(title string) basePage {
	return basePage{Title: title, CSS: s.base + "/static/simulator.css"}
}

func (s *Simulator) fail(w http.ResponseWriter, status int, message, back string) {
	s.render(w, status, "error", errorPage{basePage: s.page("Paiement impossible"), Message: message, BackURL: back})
}

// results maps the page's buttons to resultrans letters (§3.7).
var results = map[string]string{"pay": "P", "refuse": "R", "cancel": "A"}

// usable returns why op cannot be paid now, or "" and a zero status.
// The caller holds s.mu.
func (s *Simulator) usable(op *Operation) (int, string, string) {
	if op == nil {
		return http.StatusNotFound, "Cette opération de paiement est inconnue.", ""
	}
	back := withQuery(op.URLRedirect, "idop", op.ID)
	if op.Resultrans != "" {
		return http.StatusConflict, "Cette opération de paiement est déjà terminée.", back
	}
	if s.clock.Now().Sub(op.CreatedAt) > operationTTL {
		return http.StatusGone, "Cette opération de paiement a expiré : elle n'est valable que 15 minutes. Retournez sur le portail pour recommencer.", back
	}
	return 0, "", ""
}

// showOperation is the web-service payment page, paiementws.web?idop=…
func (s *Simulator) showOperation(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("idop")
	s.mu.Lock()
	op := s.ops[id]
	status, message, back := s.usable(op)
	var snapshot Operation
	if op != nil {
		snapshot = *op
	}
	s.mu.Unlock()
	if status != 0 {
		s.fail(w, status, message, back)
		return
	}
	s.render(w, http.StatusOK, "pay", s.payPage(s.base+"/tpa/paiementws.web", []hiddenField{{"idop", id}},
		snapshot.Refdet, snapshot.Objet, snapshot.Montant, snapshot.Mel, snapshot.Saisie == "T"))
}

func (s *Simulator) payPage(action string, hidden []hiddenField, refdet, objet, montant, mel string, test bool) payPage {
	amount := montant
	if d, err := fromCents(montant); err == nil {
		amount = domain.FormatEuros(d)
	}
	return payPage{basePage: s.page("Paiement de votre dette"), Action: action, Hidden: hidden,
		Refdet: refdet, Objet: objet, Amount: amount, Mel: mel, Test: test}
}

// finishOperation records the button chosen, notifies urlnotif with the
// idop only (§3.5), then sends the browser back to urlredirect?idop=…
func (s *Simulator) finishOperation(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.fail(w, http.StatusBadRequest, "Formulaire illisible.", "")
		return
	}
	id := r.PostForm.Get("idop")
	code, ok := results[r.PostForm.Get("action")]
	s.mu.Lock()
	op := s.ops[id]
	status, message, back := s.usable(op)
	if status == 0 && !ok {
		status, message = http.StatusBadRequest, "Choix inconnu."
	}
	var snapshot Operation
	if status == 0 {
		s.newResult(op, code)
		snapshot = *op
	}
	mode := s.notify
	s.mu.Unlock()
	if status != 0 {
		s.fail(w, status, message, back)
		return
	}
	// The lock is released: the portal's handling of the notification
	// asks this simulator for the result.
	s.send(r.Context(), mode, snapshot.URLNotif, url.Values{"idop": {id}})
	http.Redirect(w, r, withQuery(snapshot.URLRedirect, "idop", id), http.StatusSeeOther)
}

// urlFields are the legacy URL mode's request fields (§2.1).
var urlFields = []string{"numcli", "exer", "refdet", "objet", "montant", "mel", "urlcl", "saisie"}

// checkURLMode validates a legacy URL-mode request; it returns a French
// message or "".
func (s *Simulator) checkURLMode(r *http.Request, v url.Values) string {
	cents, ok := centsValue(v.Get("montant"))
	exer := v.Get("exer")
	switch {
	case !domain.ValidNumcli(v.Get("numcli")):
		return "Le numéro de client (numcli) est incorrect."
	case domain.CheckRefdet(v.Get("refdet")) != nil:
		return "La référence de la dette (refdet) est incorrecte."
	case !ok || cents == 0:
		return "Le montant (montant) est incorrect."
	case domain.CheckEmail(v.Get("mel")) != nil:
		return "L'adresse électronique (mel) est incorrecte."
	case checkAbsolute(v.Get("urlcl")) != nil:
		return "L'adresse de retour (urlcl) est incorrecte."
	case len(v.Get("saisie")) != 1 || v.Get("saisie")[0] < 'A' || v.Get("saisie")[0] > 'Z':
		return "Le mode de saisie (saisie) est incorrect."
	case len(exer) > 4 || strings.Trim(exer, "0123456789") != "":
		return "L'exercice (exer) est incorrect."
	case !safeObjet(v.Get("objet")):
		return "L'objet (objet) est incorrect."
	case !s.allowed(r, v.Get("urlcl")):
		return "Le simulateur n'envoie pas de résultat à l'adresse de retour (urlcl) demandée."
	}
	return ""
}

// showURLMode is the legacy payment page, paiement.web?numcli=…
func (s *Simulator) showURLMode(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if msg := s.checkURLMode(r, q); msg != "" {
		s.fail(w, http.StatusBadRequest, msg, "")
		return
	}
	hidden := make([]hiddenField, 0, len(urlFields))
	for _, name := range urlFields {
		hidden = append(hidden, hiddenField{name, q.Get(name)})
	}
	s.render(w, http.StatusOK, "pay", s.payPage(s.base+"/tpa/paiement.web", hidden,
		q.Get("refdet"), q.Get("objet"), q.Get("montant"), q.Get("mel"), q.Get("saisie") == "T"))
}

// resultFormFields are the fields of a URL-mode result, in the order the
// result form carries them (docs/payfip.md §2.3): the request's fields
// echoed, then the result's own.
var resultFormFields = []string{"numcli", "exer", "refdet", "objet", "montant", "mel", "saisie", "resultrans", "numauto", "dattrans", "heurtrans"}

// finishURLMode answers the payer's choice as the DGFiP's page does: with
// a page whose form posts the result through the browser to urlcl
// (docs/payfip.md §2.3), where the portal records it and sends the
// browser on to its return page. The form is sent by its button, so that
// it works without JavaScript; there is no auto-submit, since the
// simulator's Content-Security-Policy (default-src 'none') lets no script
// run. This mode has no status query and no return URL of its own: urlcl
// is the only way back. The server-to-server call is made too only when
// SimulatorConfig.URLModeServerCall is set.
func (s *Simulator) finishURLMode(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.fail(w, http.StatusBadRequest, "Formulaire illisible.", "")
		return
	}
	f := r.PostForm
	if msg := s.checkURLMode(r, f); msg != "" {
		s.fail(w, http.StatusBadRequest, msg, "")
		return
	}
	code, ok := results[f.Get("action")]
	if !ok {
		s.fail(w, http.StatusBadRequest, "Choix inconnu.", "")
		return
	}
	var op Operation
	s.mu.Lock()
	s.newResult(&op, code)
	mode := s.notify
	s.mu.Unlock()
	result := url.Values{}
	for _, name := range urlFields {
		if name != "urlcl" {
			result.Set(name, f.Get(name))
		}
	}
	result.Set("resultrans", op.Resultrans)
	if op.Numauto != "" {
		result.Set("numauto", op.Numauto)
	}
	result.Set("dattrans", op.Dattrans)
	result.Set("heurtrans", op.Heurtrans)
	if s.urlServerCall {
		s.send(r.Context(), mode, f.Get("urlcl"), result)
	}
	hidden := make([]hiddenField, 0, len(resultFormFields))
	for _, name := range resultFormFields {
		if v, ok := result[name]; ok {
			hidden = append(hidden, hiddenField{name, v[0]})
		}
	}
	s.render(w, http.StatusOK, "result", resultPage{basePage: s.page(outcomes[code]),
		Outcome: outcomes[code], Action: f.Get("urlcl"), Hidden: hidden})
}

// withQuery returns target with name=value added to its query.
func withQuery(target, name, value string) string {
	u, err := url.Parse(target)
	if err != nil {
		return target
	}
	q := u.Query()
	q.Set(name, value)
	u.RawQuery = q.Encode()
	return u.String()
}
