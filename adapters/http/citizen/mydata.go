package citizen

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// « Mes données » (issue 16, part 6): what the portal holds about the
// payer, as a page and as a JSON download (README, "Right of access").

// The paths of « Mes données », reached from « Mes informations ».
const (
	pathMyData     = "/mes-informations/mes-donnees"
	pathMyDataJSON = "/mes-informations/mes-donnees.json"
)

// myDataFormat names the JSON document's format and version; a change
// that removes or renames a field takes the next version.
const myDataFormat = "portail-des-factures/mes-donnees/v1"

// myDataPageRows bounds each list on the page: a phone need not load
// thousands of rows. The JSON file has every row up to ports' bounds.
const myDataPageRows = 100

// myDataPage shows ports.MyData, each list cut to myDataPageRows.
type myDataPage struct {
	kit.Base
	Data ports.MyData
	// Totals are the lists' lengths in the JSON file, by name
	// (ports.MyDataInvoices…).
	Totals map[string]int
	// notes say, per list, that the page or the file leaves rows out.
	notes map[string]string
	JSON  string
}

// Note is what the page says under the list name when rows are left out;
// empty when none are.
func (p *myDataPage) Note(name string) string { return p.notes[name] }

func (s *Portal) myData(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	d, err := s.portal.Citizens().MyData(r.Context(), u.citizen)
	if err != nil {
		return err
	}
	p := &myDataPage{Base: kit.Base{Title: "Mes données", Menu: menuProfile}, Totals: map[string]int{},
		notes: map[string]string{}, JSON: pathMyDataJSON}
	d.Events = cutForPage(p, d.Events, ports.MyDataEvents)
	d.Invoices = cutForPage(p, d.Invoices, ports.MyDataInvoices)
	d.Payments = cutForPage(p, d.Payments, ports.MyDataPayments)
	d.Messages = cutForPage(p, d.Messages, ports.MyDataMessages)
	d.SentNotices = cutForPage(p, d.SentNotices, ports.MyDataNotices)
	for _, name := range d.Truncated {
		p.notes[name] = strings.TrimSpace(p.notes[name] + " Les lignes plus anciennes ne sont ni sur cette page ni dans le fichier : pour les obtenir, contactez le service.")
	}
	p.Data = d
	return s.render(w, r, http.StatusOK, pageMyData, p)
}

// cutForPage keeps the first myDataPageRows of list for the page,
// recording its length and, when it cuts, the note that says so.
func cutForPage[T any](p *myDataPage, list []T, name string) []T {
	p.Totals[name] = len(list)
	if len(list) <= myDataPageRows {
		return list
	}
	p.notes[name] = fmt.Sprintf("Seules les %d lignes les plus récentes sont affichées ici, sur %d : le fichier JSON (« Télécharger mes données ») les contient toutes.",
		myDataPageRows, len(list))
	return list[:myDataPageRows]
}

// myDataJSON sends « Mes données » as a JSON file, at most
// ports.RateLimits.DataExports times per account: each reads the payer's
// whole history. Never cached, never shown within the portal's origin.
func (s *Portal) myDataJSON(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	if err := s.limits.AllowDataExport(r, u.citizen.AccountID.String()); err != nil {
		return err
	}
	d, err := s.portal.Citizens().MyData(r.Context(), u.citizen)
	if err != nil {
		return err
	}
	body, err := json.MarshalIndent(myDataDocument(d), "", "  ")
	if err != nil {
		return domain.WrapInternal(err)
	}
	body = append(body, '\n')
	name := "mes-donnees-" + kit.SafeFileName(d.Identity.PayerRef) + "-" + d.ReadAt.In(domain.Paris).Format("2006-01-02") + ".json"
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
	return nil
}

// The JSON document of « Mes données ». Its field names are stable and
// documented in README ("Right of access"): times are RFC 3339 in Paris
// time with their offset, null when the event did not happen; calendar
// dates are YYYY-MM-DD; amounts are decimal strings in euros ("42.50");
// codes (state, kind, action) are the portal's stable values, each with
// its French label beside it.
type myDataJSON struct {
	Format      string          `json:"format"`
	GeneratedAt *string         `json:"generated_at"`
	Service     string          `json:"service"`
	Identity    myIdentityJSON  `json:"identity"`
	Pending     *myPendingJSON  `json:"pending_email_change"`
	Mail        myMailJSON      `json:"mail_preferences"`
	Events      []myEventJSON   `json:"account_events"`
	Invoices    []myInvoiceJSON `json:"invoices"`
	Payments    []myPaymentJSON `json:"payments"`
	Messages    []myMessageJSON `json:"messages"`
	Notices     []myNoticeJSON  `json:"notices"`
	Truncated   []string        `json:"truncated"`
	Limits      map[string]int  `json:"limits"`
}

type myIdentityJSON struct {
	Name                 string  `json:"name"`
	PayerReference       string  `json:"payer_reference"`
	PayerEmail           string  `json:"payer_email"`
	AccountEmail         string  `json:"account_email"`
	AccountCreatedAt     *string `json:"account_created_at"`
	ActivatedAt          *string `json:"activated_at"`
	LastLoginAt          *string `json:"last_login_at"`
	Paperless            bool    `json:"paperless"`
	PaperlessRequestedAt *string `json:"paperless_requested_at"`
}

type myPendingJSON struct {
	NewEmail    string  `json:"new_email"`
	RequestedAt *string `json:"requested_at"`
	ExpiresAt   *string `json:"expires_at"`
}

type myMailJSON struct {
	NewInvoiceNotices bool `json:"new_invoice_notices"`
	Reminders         bool `json:"reminders"`
}

type myEventJSON struct {
	At     *string `json:"at"`
	Action string  `json:"action"`
	Label  string  `json:"label"`
	Detail string  `json:"detail"`
	IP     string  `json:"ip"`
}

type myInvoiceJSON struct {
	Number         string  `json:"number"`
	Object         string  `json:"object"`
	IssueDate      string  `json:"issue_date"`
	DueDate        string  `json:"due_date"`
	Amount         string  `json:"amount"`
	State          string  `json:"state"`
	StateLabel     string  `json:"state_label"`
	PaidAt         *string `json:"paid_at"`
	DeclaredPaidAt *string `json:"declared_paid_at"`
	TreasuryAt     *string `json:"treasury_at"`
}

type myPaymentJSON struct {
	Reference   string   `json:"reference"`
	CreatedAt   *string  `json:"created_at"`
	FinishedAt  *string  `json:"finished_at"`
	Invoices    []string `json:"invoices"`
	Total       string   `json:"total"`
	State       string   `json:"state"`
	StateLabel  string   `json:"state_label"`
	Method      string   `json:"method"`
	ReceiptMail string   `json:"receipt_email"`
	Test        bool     `json:"test"`
}

type myMessageJSON struct {
	SentAt    *string `json:"sent_at"`
	Kind      string  `json:"kind"`
	KindLabel string  `json:"kind_label"`
	FromEmail string  `json:"from_email"`
	Subject   string  `json:"subject"`
	Body      string  `json:"body"`
	State     string  `json:"state"`
	HandledAt *string `json:"handled_at"`
}

type myNoticeJSON struct {
	SentAt        *string `json:"sent_at"`
	Kind          string  `json:"kind"`
	Label         string  `json:"label"`
	InvoiceNumber string  `json:"invoice_number"`
}

// myDataDocument is d as the JSON download writes it. Lists are never
// null: an empty list is [].
func myDataDocument(d ports.MyData) myDataJSON {
	id := d.Identity
	out := myDataJSON{
		Format: myDataFormat, GeneratedAt: instant(d.ReadAt), Service: d.BillerName,
		Identity: myIdentityJSON{
			Name: id.Name, PayerReference: id.PayerRef, PayerEmail: id.PayerEmail, AccountEmail: id.AccountEmail,
			AccountCreatedAt: instant(id.AccountCreatedAt), ActivatedAt: instant(id.ActivatedAt),
			LastLoginAt: instant(id.LastLoginAt), Paperless: id.Paperless,
			PaperlessRequestedAt: instant(id.PaperlessRequestedAt),
		},
		Mail:      myMailJSON{NewInvoiceNotices: d.Notices, Reminders: d.Reminders},
		Events:    make([]myEventJSON, 0, len(d.Events)),
		Invoices:  make([]myInvoiceJSON, 0, len(d.Invoices)),
		Payments:  make([]myPaymentJSON, 0, len(d.Payments)),
		Messages:  make([]myMessageJSON, 0, len(d.Messages)),
		Notices:   make([]myNoticeJSON, 0, len(d.SentNotices)),
		Truncated: append([]string{}, d.Truncated...),
		Limits: map[string]int{
			ports.MyDataEvents: ports.MyDataMaxEvents, ports.MyDataInvoices: ports.MyDataMaxInvoices,
			ports.MyDataPayments: ports.MyDataMaxPayments, ports.MyDataMessages: ports.MyDataMaxMessages,
			ports.MyDataNotices: ports.MyDataMaxNotices,
		},
	}
	if pe := d.PendingEmail; pe != nil {
		out.Pending = &myPendingJSON{NewEmail: pe.NewEmail, RequestedAt: instant(pe.AskedAt), ExpiresAt: instant(pe.ExpiresAt)}
	}
	for _, e := range d.Events {
		out.Events = append(out.Events, myEventJSON{At: instant(e.At), Action: string(e.Action), Label: e.Action.Label(),
			Detail: e.Detail, IP: e.IP})
	}
	for _, inv := range d.Invoices {
		out.Invoices = append(out.Invoices, myInvoiceJSON{
			Number: inv.Number, Object: inv.Object, IssueDate: inv.IssueDate.String(), DueDate: inv.DueDate.String(),
			Amount: money(inv.Amount), State: string(inv.State), StateLabel: inv.State.Label(),
			PaidAt: instant(inv.PaidAt), DeclaredPaidAt: instant(inv.DeclaredPaidAt), TreasuryAt: instant(inv.TreasuryAt),
		})
	}
	for _, p := range d.Payments {
		out.Payments = append(out.Payments, myPaymentJSON{
			Reference: p.Reference, CreatedAt: instant(p.CreatedAt), FinishedAt: instant(p.FinishedAt),
			Invoices: append([]string{}, p.InvoiceNumbers...), Total: money(p.Total), State: string(p.State),
			StateLabel: p.State.Label(), Method: string(p.Method), ReceiptMail: p.Email, Test: p.Test,
		})
	}
	for _, m := range d.Messages {
		out.Messages = append(out.Messages, myMessageJSON{
			SentAt: instant(m.At), Kind: string(m.Kind), KindLabel: m.Kind.Label(), FromEmail: m.FromEmail,
			Subject: m.Subject, Body: m.Body, State: string(m.State), HandledAt: instant(m.HandledAt),
		})
	}
	for _, n := range d.SentNotices {
		out.Notices = append(out.Notices, myNoticeJSON{SentAt: instant(n.At), Kind: string(n.Kind), Label: n.Kind.Label(),
			InvoiceNumber: n.InvoiceNumber})
	}
	return out
}

// instant is t in RFC 3339 in Paris time, with its offset; nil (null)
// when t is zero.
func instant(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.In(domain.Paris).Format(time.RFC3339)
	return &s
}

// money is an amount in euros as a decimal string with two decimals.
func money(d decimal.Decimal) string { return d.StringFixed(2) }
