package backoffice

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The audit log screen (/gestion/journal): every staff action and every
// citizen security event of the biller, newest first, filtered by actor
// kind, action, days (Paris) and text, by pages.

const pageStaffAudit = "audit"

// boPager is the paging of a back-office list: links keep the filters.
type boPager struct {
	Total, From, To int
	Prev, Next      string
	// AtLeast: Total is the bound of the count (ports.BackOfficeCountLimit).
	AtLeast bool
}

// pageNumber reads ?page=, 1 when absent or wrong.
func pageNumber(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 || n > 1_000_000 {
		return 1
	}
	return n
}

// pageOffset is the offset of page n of the back office's lists.
func pageOffset(n int) int { return (n - 1) * ports.DefaultBackOfficePage }

// newPager returns the paging of a list at offset, of limit rows out of
// total, with links to the neighbour pages of r's URL.
func newPager(r *http.Request, offset, limit, total int) boPager {
	p := boPager{Total: total}
	if total > 0 && offset < total {
		p.From, p.To = offset+1, min(offset+limit, total)
	}
	n := offset/max(limit, 1) + 1
	link := func(page int) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(page))
		return r.URL.Path + "?" + q.Encode()
	}
	if n > 1 {
		p.Prev = link(n - 1)
	}
	if offset+limit < total {
		p.Next = link(n + 1)
	}
	return p
}

// auditActions are the action filters offered, with French labels:
// whole families first, then each action.
var auditActions = []struct {
	Value domain.AuditAction
	Label string
}{
	{"citizen.", "Redevables : toutes les actions de sécurité"},
	{domain.AuditLogin, "Redevables : connexion"},
	{domain.AuditLoginFailed, "Redevables : connexion refusée"},
	{domain.AuditLogout, "Redevables : déconnexion"},
	{domain.AuditActivationSent, "Redevables : lien d'activation envoyé"},
	{domain.AuditPasswordResetSent, "Redevables : lien de réinitialisation envoyé"},
	{domain.AuditPasswordSet, "Redevables : mot de passe choisi par lien"},
	{domain.AuditPasswordChanged, "Redevables : mot de passe changé"},
	{domain.AuditEmailChangeAsked, "Redevables : changement d'adresse demandé"},
	{domain.AuditEmailChanged, "Redevables : adresse changée"},
	{"staff.", "Agents : connexions, paramètres, imports, gestion des agents"},
	{domain.AuditSettingsChanged, "Agents : paramètres modifiés"},
	{domain.AuditImport, "Agents : imports"},
	{domain.AuditStaffInvited, "Agents : agents invités"},
	{domain.AuditStaffDisabled, "Agents : agents désactivés"},
	{domain.AuditStaffReset, "Agents : mots de passe réinitialisés"},
	{"invoice.", "Factures"},
	{"payment.", "Paiements"},
	{"message.", "Messages"},
	{"account.", "Comptes : activation renvoyée"},
	{"api.", "API"},
	{"apikey.", "Clés d'API"},
}

var auditActors = []domain.ActorKind{domain.ActorStaff, domain.ActorCitizen, domain.ActorAPI, domain.ActorSystem}

type staffAuditPage struct {
	kit.Base
	Form    *kit.Form
	Events  []domain.AuditEvent
	Pager   boPager
	Actions []struct {
		Value domain.AuditAction
		Label string
	}
	Actors []domain.ActorKind
}

// auditFilters reads the filters of the query; wrong ones are the form's
// errors.
func auditFilters(q url.Values, f *kit.Form) ports.AuditQuery {
	for _, n := range []string{"auteur", "action", "du", "au", "texte"} {
		f.Values[n] = strings.TrimSpace(q.Get(n))
	}
	aq := ports.AuditQuery{Actor: domain.ActorKind(f.Values["auteur"]), Action: domain.AuditAction(f.Values["action"]), Text: f.Values["texte"]}
	if aq.Actor != "" && !aq.Actor.Valid() {
		f.Errors["auteur"] = "Type d'auteur inconnu."
	}
	day := func(name string) (domain.Date, bool) {
		v := f.Values[name]
		if v == "" {
			return domain.Date{}, false
		}
		d, err := domain.ParseDate(v)
		if err != nil || !d.Valid() {
			f.Errors[name] = "Saisissez une date, par exemple 2026-11-26."
			return domain.Date{}, false
		}
		return d, true
	}
	if d, ok := day("du"); ok {
		aq.From = d.Time(domain.Paris)
	}
	if d, ok := day("au"); ok {
		// The last day is included: the log runs until the next midnight.
		aq.Until = d.AddDays(1).Time(domain.Paris)
	}
	if len([]rune(aq.Text)) > 100 {
		f.Errors["texte"] = "Le texte recherché doit comporter 100 caractères au plus."
	}
	return aq
}

func (s *BackOffice) showAuditLog(w http.ResponseWriter, r *http.Request) error {
	u := staffFrom(r)
	f := &kit.Form{Values: map[string]string{}, Errors: map[string]string{}}
	q := auditFilters(r.URL.Query(), f)
	p := &staffAuditPage{Form: f, Actions: auditActions, Actors: auditActors}
	st := http.StatusOK
	if len(f.Errors) == 0 {
		q.Offset, q.Limit = pageOffset(pageNumber(r)), ports.DefaultBackOfficePage
		page, err := s.portal.BackOfficeAdmin().AuditLog(r.Context(), u.actor, q)
		switch {
		case err == nil:
			p.Events, p.Pager = page.Events, newPager(r, page.Offset, page.Limit, page.Total)
			p.Pager.AtLeast = page.AtLeast
		case kit.FieldError(err):
			if domain.ErrorField(err) == "until" {
				f.Errors["au"] = domain.ErrorMessage(err)
			} else {
				f.Set(err)
			}
		default:
			return err
		}
	}
	if len(f.Errors) > 0 || f.Message != "" {
		st = http.StatusBadRequest
	}
	p.Base = kit.Base{Title: "Journal", Menu: menuStaffAudit, Errors: kit.ErrorSummary([]string{"auteur", "action", "du", "au", "texte"}, f)}
	return s.renderStaff(w, r, u, st, pageStaffAudit, p)
}
