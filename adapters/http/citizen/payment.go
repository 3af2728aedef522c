package citizen

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// maxSelected bounds the ids read from a request; the domain refuses more
// than 100 invoices in one payment anyway.
const maxSelected = 200

// parseIDs reads the invoice ids of a selection (field "facture").
func parseIDs(values []string) ([]uuid.UUID, error) {
	if len(values) > maxSelected {
		return nil, kit.ErrBadRequest
	}
	ids := make([]uuid.UUID, 0, len(values))
	for _, v := range values {
		id, err := uuid.Parse(v)
		if err != nil {
			return nil, kit.ErrBadRequest
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// selectionRow is one payable invoice on the selection screen.
type selectionRow struct {
	domain.Invoice
	Checked bool
}

// selectionPage is the manual's selection screen: one row per payable
// invoice, the first column showing the selection (a real checkbox, or
// a radio button when the service allows one invoice at a time), and the
// number of invoices and the amount to pay beside.
type selectionPage struct {
	kit.Base
	PayerName string
	Multiple  bool
	Suspended string
	Rows      []selectionRow
	Count     int
	Total     decimal.Decimal
	Form      *kit.Form
	// Refused are the unpaid invoices that cannot be paid online because
	// of their amount, each with why.
	Refused []ports.RefusedInvoice
}

func (s *Portal) selection(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	ids, err := parseIDs(r.URL.Query()["facture"])
	if err != nil {
		return err
	}
	sel, err := s.portal.Citizens().PayableInvoices(r.Context(), u.citizen)
	if err != nil {
		return err
	}
	if !sel.Multiple && len(ids) == 1 {
		http.Redirect(w, r, "/paiement/recapitulatif?"+url.Values{"facture": {ids[0].String()}}.Encode(), http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, http.StatusOK, pageSelection, newSelectionPage(sel, ids, &kit.Form{}))
}

func newSelectionPage(sel ports.Selection, ids []uuid.UUID, f *kit.Form) *selectionPage {
	chosen := make(map[uuid.UUID]bool, len(ids))
	for _, id := range ids {
		chosen[id] = true
	}
	p := &selectionPage{
		Base:      kit.Base{Title: "Sélection des factures à régler", Menu: menuInvoices, Errors: kit.ErrorSummary([]string{"invoices"}, f)},
		PayerName: sel.PayerName, Multiple: sel.Multiple, Suspended: sel.Suspended, Form: f,
		Refused: sel.Refused,
	}
	var checked []domain.Invoice
	for _, inv := range sel.Invoices {
		row := selectionRow{Invoice: inv, Checked: chosen[inv.ID]}
		if row.Checked {
			checked = append(checked, inv)
		}
		p.Rows = append(p.Rows, row)
	}
	p.Count, p.Total = len(checked), domain.Total(checked)
	return p
}

// selectionError shows the selection again with why the payment cannot
// go on (nothing selected, a payment in progress, suspension…); other
// errors get the error page.
func (s *Portal) selectionError(w http.ResponseWriter, r *http.Request, u *user, ids []uuid.UUID, err error) error {
	switch domain.ErrorCode(err) {
	case domain.Invalid, domain.Conflict, domain.Unavailable:
	default:
		return err
	}
	sel, serr := s.portal.Citizens().PayableInvoices(r.Context(), u.citizen)
	if serr != nil {
		return serr
	}
	f := &kit.Form{Values: map[string]string{"invoices": ""}, Errors: map[string]string{}}
	if sel.Suspended == "" { // otherwise the page says it, with no list to point to
		f.Set(domain.FieldError("invoices", domain.ErrorMessage(err)))
	}
	return s.render(w, r, kit.Status(err), pageSelection, newSelectionPage(sel, ids, f))
}

// summaryPage is "Informations pour le paiement".
type summaryPage struct {
	kit.Base
	Summary ports.PaymentSummary
	Numbers string
	Wait    string // the lock duration in words ("2 heures")
}

// durationWords writes a lock duration in French: "2 heures", "45 minutes",
// "1 heure 30 minutes".
func durationWords(d time.Duration) string {
	h, m := int(d.Hours()), int(d.Minutes())%60
	var parts []string
	switch {
	case h == 1:
		parts = append(parts, "1 heure")
	case h > 1:
		parts = append(parts, strconv.Itoa(h)+" heures")
	}
	switch {
	case m == 1:
		parts = append(parts, "1 minute")
	case m > 1:
		parts = append(parts, strconv.Itoa(m)+" minutes")
	}
	if len(parts) == 0 {
		return "quelques instants"
	}
	return strings.Join(parts, " ")
}

func (s *Portal) summary(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	ids, err := parseIDs(r.URL.Query()["facture"])
	if err != nil {
		return err
	}
	sum, err := s.portal.Citizens().PreparePayment(r.Context(), u.citizen, ids)
	if err != nil {
		return s.selectionError(w, r, u, ids, err)
	}
	numbers := make([]string, len(sum.Invoices))
	for i, inv := range sum.Invoices {
		numbers[i] = inv.Number
	}
	// The pay button posts here, and the answer redirects to the DGFiP's
	// page: browsers that apply form-action to the redirect (Chrome) must
	// allow it, so this page alone also allows the payment page's origin.
	w.Header().Set("Content-Security-Policy", strings.Replace(kit.ContentSecurityPolicy, "form-action 'self'", "form-action 'self'"+s.paymentOrigins, 1))
	p := &summaryPage{Base: kit.Base{Title: "Informations pour le paiement", Menu: menuInvoices}, Summary: sum,
		Numbers: strings.Join(numbers, ", "), Wait: durationWords(sum.LockDuration)}
	return s.render(w, r, http.StatusOK, pageSummary, p)
}

// startPayment is "Payer la facture sur le portail PayFiP": the attempt
// is stored, its invoices locked, and the browser goes to the DGFiP's
// page in the same window (303).
func (s *Portal) startPayment(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	ids, err := parseIDs(r.PostForm["facture"])
	if err != nil {
		return err
	}
	_, co, err := s.portal.Citizens().StartPayment(r.Context(), u.citizen, ids)
	if err != nil {
		return s.selectionError(w, r, u, ids, err)
	}
	target, err := url.Parse(co.RedirectURL)
	if err != nil || (target.Scheme != "https" && target.Scheme != "http") || target.Host == "" {
		return domain.WrapInternal(&badRedirect{co.RedirectURL})
	}
	http.Redirect(w, r, target.String(), http.StatusSeeOther)
	return nil
}

type badRedirect struct{ url string }

func (e *badRedirect) Error() string {
	return "gateway gave a redirect URL that is not absolute http(s)"
}

// notify is the gateway's server-to-server notification
// (ports.PathPaymentNotify), which is also the legacy URL mode's urlcl.
// It answers plain text: 200 "OK", or the status of the error with its
// French message, never a page or a trace. In the URL mode PayFiP posts
// the payer's browser there (docs/payfip.md §2.3, §4.1.7): a request
// from a browser gets, once the result is recorded, a 303 to the return
// page, which shows the attempt.
func (s *Portal) notify(w http.ResponseWriter, r *http.Request) {
	if err := kit.ParseForm(w, r); err != nil {
		if fromBrowser(r) {
			s.backToReturnPage(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(domain.ErrorMessage(err) + "\n"))
		return
	}
	_, err := s.portal.Jobs().HandleNotification(r.Context(), r.Form)
	if err != nil {
		if domain.ErrorCode(err) == domain.Internal {
			s.log.ErrorContext(r.Context(), "payment notification failed", "err", err)
		} else {
			s.log.WarnContext(r.Context(), "payment notification refused", "status", kit.Status(err), "err", err)
		}
	}
	if fromBrowser(r) {
		s.backToReturnPage(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err != nil {
		w.WriteHeader(kit.Status(err))
		_, _ = w.Write([]byte(domain.ErrorMessage(err) + "\n"))
		return
	}
	_, _ = w.Write([]byte("OK"))
}

// fromBrowser reports whether a request to the notification path comes
// from a person's browser rather than a server: a browser navigating
// sends Sec-Fetch-Mode: navigate (or Sec-Fetch-Dest: document), and every
// browser's page request accepts text/html. PayFiP's servers, and HTTP
// clients, send neither.
func fromBrowser(r *http.Request) bool {
	h := r.Header
	return h.Get("Sec-Fetch-Mode") == "navigate" || h.Get("Sec-Fetch-Dest") == "document" ||
		strings.Contains(h.Get("Accept"), "text/html")
}

// backToReturnPage sends a browser that landed on the notification path
// to the return page, naming the attempt as the request did (refdet in
// the URL mode, idop in the web service), whatever the parameters' case.
func (s *Portal) backToReturnPage(w http.ResponseWriter, r *http.Request) {
	q := url.Values{}
	for key, values := range r.Form {
		for _, name := range []string{"refdet", "idop"} {
			if strings.EqualFold(key, name) && len(values) > 0 && q.Get(name) == "" {
				q.Set(name, strings.TrimSpace(values[0]))
			}
		}
	}
	target := ports.PathPaymentReturn
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// returnPage is where the browser comes back from the DGFiP.
type returnPage struct {
	kit.Base
	// Payment is set only when the attempt belongs to the logged-in
	// citizen; anyone else reads a neutral message.
	Payment  *domain.Payment
	Label    string
	Sentence string
	// Receipt is the address of the payment's receipt, once it has one.
	Receipt string
}

func (s *Portal) paymentReturn(w http.ResponseWriter, r *http.Request) error {
	// Query and body merged: the DGFiP sends back with a GET or a POST.
	if err := kit.ParseForm(w, r); err != nil {
		return err
	}
	pay, err := s.portal.Jobs().HandleNotification(r.Context(), r.Form)
	if err != nil {
		return err
	}
	p := &returnPage{Base: kit.Base{Title: "Retour du paiement", Menu: menuInvoices}}
	if u := userFrom(r); u != nil {
		// The attempt as HandleNotification left it: not read again.
		if s.portal.Citizens().Owns(u.citizen, pay) {
			p.Payment, p.Label, p.Sentence = &pay, paymentLabel(pay), paymentSentence(pay, s.clock.Now())
			p.Title = p.Label
			if pay.Receipted() && len(pay.InvoiceIDs) > 0 {
				p.Receipt = ports.PathReceipt(pay.InvoiceIDs[0])
			}
		}
	}
	return s.render(w, r, http.StatusOK, pagePaymentBack, p)
}

// paymentLabel names the payment's state for the citizen: a "paid" the
// service has not confirmed yet is not yet « Paiement accepté ».
func paymentLabel(p domain.Payment) string {
	if p.Unconfirmed() {
		return domain.StatusAwaitingConfirmation
	}
	return p.State.Label()
}

// paymentSentence says in words what the payment's state means for the
// citizen at now.
func paymentSentence(p domain.Payment, now time.Time) string {
	again := "Vous pouvez recommencer depuis « Mes factures »."
	if p.Holds(now) {
		again = "Par précaution, vos factures restent réservées jusqu'au " + domain.FrenchDateTime(p.LockedUntil) +
			", au cas où la DGFiP nous transmettrait un paiement tardif : vous pourrez recommencer à partir de ce moment depuis « Mes factures »."
	}
	switch p.State {
	case domain.PaymentPaid:
		if p.Unconfirmed() {
			return "Le service de facturation doit encore confirmer la réception de votre paiement. Vos factures apparaissent dans « Mes factures » avec la mention « Paiement reçu, en attente de confirmation par le service » ; vous recevrez un message dès la confirmation."
		}
		return "Votre paiement a été accepté. Merci ! Les factures réglées apparaissent désormais dans « Factures réglées »."
	case domain.PaymentTest:
		return "Paiement de test : aucune somme n'a été prélevée. Ce paiement a été fait dans l'environnement de test de la DGFiP : la facture reste à payer, depuis « Mes factures »."
	case domain.PaymentRefused:
		return "Votre paiement a été refusé : aucune somme n'a été prélevée. Vous pouvez recommencer depuis « Mes factures »."
	case domain.PaymentAbandoned:
		return "Le paiement a été abandonné : aucune somme n'a été prélevée. " + again
	case domain.PaymentExpired:
		return "Le paiement n'a pas abouti : aucune somme n'a été prélevée. " + again
	case domain.PaymentFailed:
		return "Le paiement n'a pas pu être créé auprès du service de paiement de la DGFiP. Veuillez réessayer plus tard."
	}
	return "Le résultat de votre paiement n'est pas encore connu. Il apparaîtra dans « Mes factures » dès que la DGFiP nous l'aura transmis. Si vous avez abandonné le paiement, un délai d'attente peut être demandé avant une nouvelle tentative."
}
