package citizen

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/http/kit"
	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/demo"
)

// newPortal serves the citizens' portal alone in webtest's environment
// and returns it, for the tests that reach inside it.
func newPortal(t *testing.T) *Portal {
	t.Helper()
	var s *Portal
	webtest.Serve(t, func(e *webtest.Env) (http.Handler, error) {
		site, err := kit.NewSite(kit.SiteConfig{Portal: e.Portal, BillerID: demo.BillerID, PublicURL: webtest.PublicURL, Clock: e.Clock})
		if err != nil {
			return nil, err
		}
		if s, err = New(site, nil); err != nil {
			return nil, err
		}
		mux := http.NewServeMux()
		s.Routes(mux)
		return site.WithBiller(mux, s.Fail), nil
	})
	return s
}

// samples gives every page a representative value of its own type, so
// that each template is executed at least once with the data it gets.
func samples() map[string]kit.Page {
	inv := domain.Invoice{Number: "2026-020-002059", Amount: decimal.RequireFromString("243.11"), State: domain.InvoiceUnpaid,
		IssueDate: domain.NewDate(2026, 11, 16), DueDate: domain.NewDate(2026, 12, 17), PDF: "x.pdf"}
	return map[string]kit.Page{
		pageLogin:        &loginPage{Form: &kit.Form{}},
		pageActivation:   &emailPage{Form: &kit.Form{}},
		pageForgot:       &emailPage{Form: &kit.Form{}},
		pageSetPassword:  &passwordPage{Form: &kit.Form{}, MinLength: 8},
		pageDeadLink:     &deadLinkPage{Message: "Lien"},
		pageHome:         &homePage{Dashboard: ports.Dashboard{Notice: "Avis", HomeText: "Texte"}},
		pageInvoices:     &invoicesPage{List: ports.InvoicePage{Invoices: []domain.Invoice{inv}, Page: 2, Pages: 3, Total: 41}, Treasury: true, Prev: "/a", Next: "/b"},
		pageInvoice:      &invoicePage{Detail: ports.InvoiceDetail{Invoice: inv, Actions: domain.Actions{Pay: true, DeclarePaid: true}}, Locked: true},
		pageSelection:    &selectionPage{Rows: []selectionRow{{Invoice: inv, Checked: true}}, Form: &kit.Form{}, Total: inv.Amount},
		pageSummary:      &summaryPage{Summary: ports.PaymentSummary{Invoices: []domain.Invoice{inv}, Total: inv.Amount}},
		pagePaymentBack:  &returnPage{Payment: &domain.Payment{State: domain.PaymentPaid, TransactionAt: time.Now()}},
		pageProfile:      &profilePage{EmailForm: &kit.Form{}, PasswordForm: &kit.Form{}},
		pagePaperless:    &paperlessPage{},
		pageConfirmEmail: &confirmEmailPage{Link: "x"},
		pageContact:      &contactPage{Form: &kit.Form{}},
		pageHelp:         &textPage{},
		pageLegal:        &legalPage{Retention: "12 mois"},
		pageCloseAccount: &closeAccountPage{Form: &kit.Form{}, Retention: "12 mois"},
		pageA11y:         &textPage{},
		pageError:        &kit.ErrorPage{Status: 404, Message: "Absente"},
		pageReceipt: &receiptPage{Receipt: domain.Receipt{Kind: domain.ReceiptOnline, Reference: "R", Transaction: "op", Authorization: "A",
			Code: "AAAA-CCCC-DDDD", Total: inv.Amount, Lines: []domain.DocumentLine{{Number: inv.Number, Amount: inv.Amount}}}, InvoiceID: "x", PaidAt: "05/12/2026 à 18h24"},
		pageCertificate: &certificatePage{Certificate: domain.Certificate{Year: 2025, Title: "Attestation 2025", Code: "AAAA-CCCC-DDDD",
			LegalText: "Mention", Total: inv.Amount, Lines: []domain.DocumentLine{{Number: inv.Number, Amount: inv.Amount, Means: domain.MeansOnline}}},
			IssuedAt: "05/01/2026 à 10h00", PDF: "/attestations/2025/pdf"},
		pageVerification: &verificationPage{Form: &kit.Form{Values: map[string]string{"code": "x"}, Errors: map[string]string{}},
			Found: &domain.Verification{Code: "AAAA-CCCC-DDDD", Kind: domain.VerifyCertificate, Total: inv.Amount}, Date: "31/12/2025"},
		pageUnsubscribe: &unsubscribePage{Action: "/desabonnement/x", Unsubscription: ports.Unsubscription{Notices: true}},
		pageMyData: &myDataPage{Data: ports.MyData{BillerName: "Commune", Identity: ports.MyIdentity{Name: "Camille", Paperless: true},
			PendingEmail: &ports.MyPendingEmail{NewEmail: "x@exemple.fr"},
			Events:       []ports.MyEvent{{Action: domain.AuditLogin, Detail: "Connexion.", IP: "192.0.2.1"}},
			Invoices:     []ports.MyInvoice{{Number: inv.Number, Amount: inv.Amount, State: domain.InvoicePaid, PaidAt: time.Now()}},
			Payments:     []ports.MyPayment{{Reference: "R", Total: inv.Amount, State: domain.PaymentTest, Test: true, InvoiceNumbers: []string{inv.Number}}},
			Messages:     []ports.MyMessage{{Kind: domain.MessageContact, Subject: "Sujet", Body: "Texte"}},
			SentNotices:  []ports.MyNotice{{Kind: domain.NoticeNewInvoice, InvoiceNumber: inv.Number}}},
			Totals: map[string]int{ports.MyDataInvoices: 1}, notes: map[string]string{ports.MyDataInvoices: "Note"}, JSON: "/x.json"},
	}
}

func TestEveryPageTemplateParsesAndRenders(t *testing.T) {
	s := newPortal(t)
	all := samples()
	require.Len(t, all, len(pageNames), "a sample for every page")
	for _, name := range pageNames {
		t.Run(name, func(t *testing.T) {
			require.NotNil(t, s.pages.Lookup(name))
			p, ok := all[name]
			require.True(t, ok, "no sample for %s", name)
			p.PageBase().Title = "Titre " + name
			rec := httptest.NewRecorder()
			require.NoError(t, s.render(rec, httptest.NewRequest("GET", "/", nil), 200, name, p))
			body := rec.Body.String()
			assert.Contains(t, body, `<html lang="fr">`)
			assert.Contains(t, body, "<title>Titre "+name+" – Portail des factures")
			assert.Contains(t, body, `<main id="contenu"`)
			assert.Equal(t, 1, bytes.Count(rec.Body.Bytes(), []byte("<h1")), "one h1 per page")
		})
	}
}

func TestParsePagesFailsOnAMissingPage(t *testing.T) {
	s := newPortal(t)
	saved := pageNames
	t.Cleanup(func() { pageNames = saved })
	pageNames = append([]string{"absente"}, saved...)
	assert.ErrorContains(t, s.parsePages(), "absente")
}
