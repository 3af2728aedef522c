package citizen_test

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	web "github.com/portail-factures/portail/adapters/http"
	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/adapters/http/webtest/full"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
	"github.com/portail-factures/portail/ports/portstest"
)

const (
	myDataPath = "/mes-informations/mes-donnees"
	myDataJSON = "/mes-informations/mes-donnees.json"
)

// myDataDoc is the part of the JSON download the tests read, by the
// names README documents.
type myDataDoc struct {
	Format      string `json:"format"`
	GeneratedAt string `json:"generated_at"`
	Service     string `json:"service"`
	Identity    struct {
		Name           string  `json:"name"`
		PayerReference string  `json:"payer_reference"`
		AccountEmail   string  `json:"account_email"`
		PayerEmail     string  `json:"payer_email"`
		ActivatedAt    *string `json:"activated_at"`
		LastLoginAt    *string `json:"last_login_at"`
	} `json:"identity"`
	Pending *struct {
		NewEmail  string `json:"new_email"`
		ExpiresAt string `json:"expires_at"`
	} `json:"pending_email_change"`
	Mail struct {
		NewInvoiceNotices bool `json:"new_invoice_notices"`
		Reminders         bool `json:"reminders"`
	} `json:"mail_preferences"`
	Events []struct {
		At     string `json:"at"`
		Action string `json:"action"`
		Label  string `json:"label"`
	} `json:"account_events"`
	Invoices []struct {
		Number    string  `json:"number"`
		IssueDate string  `json:"issue_date"`
		DueDate   string  `json:"due_date"`
		Amount    string  `json:"amount"`
		State     string  `json:"state"`
		PaidAt    *string `json:"paid_at"`
	} `json:"invoices"`
	Payments []struct {
		Reference  string   `json:"reference"`
		CreatedAt  string   `json:"created_at"`
		FinishedAt *string  `json:"finished_at"`
		Invoices   []string `json:"invoices"`
		Total      string   `json:"total"`
		State      string   `json:"state"`
		Test       bool     `json:"test"`
	} `json:"payments"`
	Messages []struct {
		Subject string `json:"subject"`
		Body    string `json:"body"`
	} `json:"messages"`
	Notices   []json.RawMessage `json:"notices"`
	Truncated []string          `json:"truncated"`
	Limits    map[string]int    `json:"limits"`
}

// download gets the JSON file, checks it is an attachment that is never
// cached, and parses it.
func download(t *testing.T, b *webtest.Browser) (myDataDoc, string) {
	t.Helper()
	p := b.Get(myDataJSON)
	require.Equal(t, http.StatusOK, p.Status, p.Body)
	assert.Equal(t, "application/json; charset=utf-8", p.Header.Get("Content-Type"))
	assert.Equal(t, "no-store", p.Header.Get("Cache-Control"))
	assert.Equal(t, "nosniff", p.Header.Get("X-Content-Type-Options"))
	disposition, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
	require.NoError(t, err)
	assert.Equal(t, "attachment", disposition)
	assert.Regexp(t, `^mes-donnees-DEMO-000[12]-\d{4}-\d{2}-\d{2}\.json$`, params["filename"])
	var doc myDataDoc
	dec := json.NewDecoder(strings.NewReader(p.Body))
	require.NoError(t, dec.Decode(&doc))
	return doc, p.Body
}

// rfc3339WithOffset is a time as the download writes it: seconds, and the
// offset of Paris time (never Z).
var rfc3339WithOffset = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0[12]:00$`)

func checkInstant(t *testing.T, s, what string) {
	t.Helper()
	assert.Regexp(t, rfc3339WithOffset, s, what)
	_, err := time.Parse(time.RFC3339, s)
	assert.NoError(t, err, what)
}

func TestMyDataPageIsReachedFromMesInformations(t *testing.T) {
	e := full.New(t)
	b := e.Browser().LoginDemo()
	webtest.Contains(t, b.Get("/mes-informations"), `<h2 id="donnees-titre">Mes données</h2>`, `href="`+myDataPath+`"`)

	p := b.Get(myDataPath)
	require.Equal(t, http.StatusOK, p.Status)
	assert.Contains(t, p.Body, `<a href="/mes-informations" aria-current="page">`, "under « Mes informations » in the menu")
	webtest.Contains(t, p, "<h1>Mes données</h1>", "Camille Martin", "DEMO-0001", demo.Email,
		`<h2 id="identite-titre">Identité et compte</h2>`, `<h2 id="adresses-titre">Adresses et courriels</h2>`,
		`<h2 id="evenements-titre">Événements du compte</h2>`, `<h2 id="factures-titre">Factures</h2>`,
		`<h2 id="paiements-titre">Paiements en ligne</h2>`, `<h2 id="messages-titre">Messages envoyés au service</h2>`,
		`<h2 id="avis-titre">Avis et rappels reçus</h2>`,
		"<caption>Vos factures, de la plus récente à la plus ancienne : ", "<caption>Événements de votre compte",
		webtest.Water, webtest.PaidOne, webtest.Treasury, "243,11", "Connexion",
		`href="`+myDataJSON+`" download`)
	webtest.NotContains(t, p, webtest.Theirs, "Dominique Bernard", demo.NewcomerEmail, "argon2")
	assert.Contains(t, p.Body, `<th scope="row" role="rowheader" data-label="Numéro">`+webtest.Water+`</th>`)
}

func TestMyDataJSONHoldsThePayersDataInStableFormats(t *testing.T) {
	e := full.New(t)
	b := e.Browser().LoginDemo()
	// A pending address change, a message, a test payment: each shows.
	b.Get("/mes-informations")
	require.Equal(t, http.StatusSeeOther, b.Post("/mes-informations/adresse",
		url.Values{"email": {"camille@exemple.fr"}, "current_password": {demo.Password}}).Status)
	b.Get("/contact")
	require.Equal(t, http.StatusSeeOther, b.Post("/contact",
		url.Values{"subject": {"Ma facture d'eau"}, "body": {"Bonjour,\nune question."}}).Status)
	account, err := e.Store.AccountByEmail(t.Context(), demo.BillerID, demo.Email)
	require.NoError(t, err)
	b2, err := e.Store.Biller(t.Context(), demo.BillerID)
	require.NoError(t, err)
	inv, err := e.Store.InvoiceByNumber(t.Context(), demo.BillerID, webtest.Canteen)
	require.NoError(t, err)
	test := portstest.NewPayment(t, b2, account, inv)
	test.State, test.Saisie = domain.PaymentTest, domain.SaisieTest
	test.CreatedAt, test.FinishedAt = e.Clock.Now(), e.Clock.Now()
	portstest.MustSavePayment(t, e.Store, test)

	doc, body := download(t, b)
	assert.Equal(t, "portail-des-factures/mes-donnees/v1", doc.Format)
	checkInstant(t, doc.GeneratedAt, "generated_at")
	assert.Equal(t, demo.BillerName, doc.Service)
	assert.Equal(t, "Camille Martin", doc.Identity.Name)
	assert.Equal(t, "DEMO-0001", doc.Identity.PayerReference)
	assert.Equal(t, demo.Email, doc.Identity.AccountEmail)
	require.NotNil(t, doc.Identity.LastLoginAt)
	checkInstant(t, *doc.Identity.LastLoginAt, "last_login_at")
	require.NotNil(t, doc.Pending)
	assert.Equal(t, "camille@exemple.fr", doc.Pending.NewEmail)
	checkInstant(t, doc.Pending.ExpiresAt, "expires_at")
	assert.True(t, doc.Mail.NewInvoiceNotices)

	actions := map[string]bool{}
	for _, ev := range doc.Events {
		checkInstant(t, ev.At, "event")
		actions[ev.Action] = true
	}
	assert.True(t, actions[string(domain.AuditLogin)], "the login: %v", actions)
	assert.True(t, actions[string(domain.AuditEmailChangeAsked)], "the address change: %v", actions)

	byNumber := map[string]int{}
	for i, inv := range doc.Invoices {
		byNumber[inv.Number] = i
		assert.Regexp(t, `^\d{4}-\d{2}-\d{2}$`, inv.IssueDate)
		assert.Regexp(t, `^\d{4}-\d{2}-\d{2}$`, inv.DueDate)
		assert.Regexp(t, `^\d+\.\d{2}$`, inv.Amount, "a decimal string")
	}
	require.Contains(t, byNumber, webtest.Water)
	assert.Equal(t, "243.11", doc.Invoices[byNumber[webtest.Water]].Amount)
	assert.Equal(t, "unpaid", doc.Invoices[byNumber[webtest.Water]].State)
	require.Contains(t, byNumber, webtest.PaidOne)
	assert.Equal(t, "paid", doc.Invoices[byNumber[webtest.PaidOne]].State)
	require.NotNil(t, doc.Invoices[byNumber[webtest.PaidOne]].PaidAt)
	checkInstant(t, *doc.Invoices[byNumber[webtest.PaidOne]].PaidAt, "paid_at")
	assert.NotContains(t, byNumber, webtest.Theirs)

	require.NotEmpty(t, doc.Payments)
	assert.Equal(t, test.Refdet, doc.Payments[0].Reference, "newest first")
	assert.True(t, doc.Payments[0].Test, "the test payment is marked")
	assert.Equal(t, "test", doc.Payments[0].State)
	assert.Equal(t, []string{webtest.Canteen}, doc.Payments[0].Invoices)
	assert.Equal(t, "58.40", doc.Payments[0].Total)

	require.Len(t, doc.Messages, 1)
	assert.Equal(t, "Ma facture d'eau", doc.Messages[0].Subject)
	assert.Equal(t, "Bonjour,\nune question.", doc.Messages[0].Body)
	assert.NotNil(t, doc.Notices, "an empty list is [], never null")
	assert.Empty(t, doc.Truncated)
	assert.Equal(t, ports.MyDataMaxInvoices, doc.Limits["invoices"])

	// Nothing that opens anything, nothing of another payer's.
	for _, secret := range []string{"argon2", account.PasswordHash, "password", "jeton", "token", "hash",
		webtest.Theirs, demo.NewcomerEmail, "Dominique Bernard"} {
		assert.NotContains(t, body, secret)
	}
	assert.NotRegexp(t, `[0-9a-f]{64}`, body, "no hashed secret")

	// The page says the same.
	p := b.Get(myDataPath)
	webtest.Contains(t, p, "camille@exemple.fr", "Ma facture d'eau", test.Refdet,
		"Paiement de test", "(paiement de test : aucune somme n'a été prélevée)")
}

func TestMyDataNeedsALoggedInCitizen(t *testing.T) {
	e := full.New(t)
	b := e.Browser()
	for _, path := range []string{myDataPath, myDataJSON} {
		p := b.Get(path)
		assert.Equal(t, http.StatusSeeOther, p.Status, path)
		assert.True(t, strings.HasPrefix(p.Location(), "/connexion"), "%s: %s", path, p.Location())
		assert.Empty(t, p.Header.Get("Content-Disposition"), path)
	}
	staff := e.Manager()
	for _, path := range []string{myDataPath, myDataJSON} {
		p := staff.Get(path)
		assert.NotEqual(t, http.StatusOK, p.Status, "a staff session opens no citizen's data: %s", path)
	}
}

func TestMyDataShowsEachPayerOnlyTheirOwn(t *testing.T) {
	e := full.New(t)
	// The newcomer activates their account.
	nb := e.Browser()
	nb.Get("/activation")
	require.Equal(t, http.StatusSeeOther, nb.Post("/activation", url.Values{"email": {demo.NewcomerEmail}}).Status)
	link := e.LinkTo(demo.NewcomerEmail)
	secret, err := url.QueryUnescape(strings.TrimPrefix(link, ports.PathSetPassword+"?lien="))
	require.NoError(t, err)
	nb.Get(link)
	require.Equal(t, http.StatusSeeOther, nb.Post(ports.PathSetPassword,
		url.Values{"lien": {secret}, "password": {"nouveau-mdp"}, "confirm": {"nouveau-mdp"}}).Status)
	nb.Login(demo.NewcomerEmail, "nouveau-mdp", false)
	b := e.Browser().LoginDemo()

	theirs, theirBody := download(t, nb)
	assert.Equal(t, "DEMO-0002", theirs.Identity.PayerReference)
	require.NotEmpty(t, theirs.Invoices)
	for _, inv := range theirs.Invoices {
		assert.NotEqual(t, webtest.Water, inv.Number)
	}
	for _, ev := range theirs.Events {
		assert.NotEqual(t, "", ev.Action)
	}
	for _, text := range []string{demo.Email, "Camille Martin", "DEMO-0001", webtest.Water} {
		assert.NotContains(t, theirBody, text)
	}
	webtest.NotContains(t, nb.Get(myDataPath), demo.Email, "Camille Martin", webtest.Water)

	mine, myBody := download(t, b)
	assert.Equal(t, "DEMO-0001", mine.Identity.PayerReference)
	for _, text := range []string{demo.NewcomerEmail, "Dominique Bernard", "DEMO-0002", webtest.Theirs} {
		assert.NotContains(t, myBody, text)
	}
}

func TestMyDataDownloadsAreLimitedPerAccount(t *testing.T) {
	e := full.New(t, func(c *web.Config) { c.Limits.DataExports = ports.Rate{Events: 2, Per: time.Hour} })
	b := e.Browser().LoginDemo()
	download(t, b)
	download(t, b)
	p := b.Get(myDataJSON)
	assert.Equal(t, http.StatusTooManyRequests, p.Status)
	webtest.Contains(t, p, "Trop de demandes")
	assert.Empty(t, p.Header.Get("Content-Disposition"))
	assert.Equal(t, http.StatusOK, b.Get(myDataPath).Status, "the page stays open")

	// Another session of the same account shares the limit.
	other := e.Browser().LoginDemo()
	assert.Equal(t, http.StatusTooManyRequests, other.Get(myDataJSON).Status)
	e.Clock.Advance(time.Hour)
	download(t, other)
}

// TestMyDataAtItsBounds fills every list one over its bound: the page and
// the file say which lists were cut, and the file stays a few megabytes.
func TestMyDataAtItsBounds(t *testing.T) {
	e := full.New(t, func(c *web.Config) { c.Limits.DataExports = ports.Rate{Events: 100, Per: time.Hour} })
	ctx := t.Context()
	b2, err := e.Store.Biller(ctx, demo.BillerID)
	require.NoError(t, err)
	account, err := e.Store.AccountByEmail(ctx, demo.BillerID, demo.Email)
	require.NoError(t, err)
	payer, err := e.Store.Payer(ctx, account.PayerID)
	require.NoError(t, err)
	at := e.Clock.Now().Add(-24 * time.Hour)
	require.NoError(t, e.Store.Atomic(ctx, func(tx ports.Tx) error {
		for i := range ports.MyDataMaxNotices + 1 {
			inv := portstest.NewInvoice(t, payer, fmt.Sprintf("2000-%06d", i), "12.34")
			inv.Object = "Eau et assainissement, relevé de compteur du trimestre"
			portstest.MustSaveInvoices(t, tx, inv)
			when := at.Add(time.Duration(i) * time.Second)
			_, err := tx.RecordNotice(ctx, demo.BillerID, inv.ID, domain.NoticeNewInvoice, when)
			require.NoError(t, err)
			if i <= ports.MyDataMaxPayments {
				pay := portstest.NewPayment(t, b2, account, inv)
				pay.CreatedAt = when
				portstest.MustSavePayment(t, tx, pay)
			}
			if i <= ports.MyDataMaxMessages {
				portstest.MustSaveMessage(t, tx, portstest.NewMessage(t, account, fmt.Sprintf("Question %d sur ma facture", i), when))
			}
			if i <= ports.MyDataMaxEvents {
				require.NoError(t, tx.AppendAudit(ctx, domain.AuditEvent{ID: uuid.New(), BillerID: demo.BillerID, At: when,
					Actor: domain.ActorCitizen, ActorID: account.ID, ActorLabel: account.Email, Action: domain.AuditLogin,
					Detail: "Connexion.", IP: "2001:db8:85a3::8a2e:370:7334"}))
			}
		}
		return nil
	}))
	b := e.Browser().LoginDemo()
	start := time.Now()
	doc, body := download(t, b)
	elapsed := time.Since(start)
	assert.ElementsMatch(t, []string{"account_events", "invoices", "payments", "messages", "notices"}, doc.Truncated)
	assert.Len(t, doc.Invoices, ports.MyDataMaxInvoices)
	assert.Len(t, doc.Payments, ports.MyDataMaxPayments)
	assert.Len(t, doc.Messages, ports.MyDataMaxMessages)
	assert.Len(t, doc.Events, ports.MyDataMaxEvents)
	assert.Less(t, len(body), 5<<20, "a few megabytes at most")
	t.Logf("the file at every bound: %d bytes, downloaded in %s (memory store)", len(body), elapsed.Round(time.Millisecond))

	p := b.Get(myDataPath)
	require.Equal(t, http.StatusOK, p.Status)
	assert.Equal(t, 5, strings.Count(p.Body, "les contient toutes. Les lignes plus anciennes ne sont ni sur cette page ni dans le fichier"),
		"each cut list says so")
	assert.Equal(t, 5*100, strings.Count(p.Body, `<tr role="row"><`)-5, "100 rows a list on the page, besides the headers")
	webtest.Contains(t, p, "Vos factures, de la plus récente à la plus ancienne : 2000</caption>",
		"Seules les 100 lignes les plus récentes sont affichées ici, sur 2000")
	t.Logf("the page at every bound: %d bytes", len(p.Body))
}
