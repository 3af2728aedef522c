package backoffice_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	web "github.com/portail-factures/portail/adapters/http"
	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/adapters/http/webtest/full"
	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
)

// The back office's tests run the whole portal (webtest/full) in
// adapters/http/webtest's environment; these names keep them short.

// env is webtest's environment, with the back office's helpers as
// methods.
type env struct{ *webtest.Env }

// newEnv starts the portal; change may adjust its Config.
func newEnv(t *testing.T, change ...func(*web.Config)) *env {
	t.Helper()
	return &env{full.New(t, change...)}
}

type (
	browser = webtest.Browser
	resp    = webtest.Resp
)

const (
	water    = webtest.Water
	canteen  = webtest.Canteen
	nursery  = webtest.Nursery
	paidOne  = webtest.PaidOne
	treasury = webtest.Treasury
	theirs   = webtest.Theirs
)

var (
	start       = webtest.Start
	idOf        = webtest.IDOf
	dec         = webtest.Dec
	contains    = webtest.Contains
	notContains = webtest.NotContains
	setCookie   = webtest.SetCookie
)

// Helpers of the back office's tests. The demo biller has two staff
// members: demo.StaffEmail ("gestionnaire") and demo.ReaderEmail
// ("lecture"). A second biller, with its own host, comes from
// e.otherBiller.

// otherHost is the host name of the second biller of e.otherBiller.
const otherHost = "factures.autreville.test"

// otherBiller adds a second biller served on otherHost, with a
// "gestionnaire" autre@autreville.test / otherPassword, a payer
// AUTRE-0001 and an unpaid invoice AUTRE-2026-1 of 12.50 €. Requests
// reach it with b.OnHost(otherHost).
func (e *env) otherBiller() domain.Biller {
	e.T.Helper()
	ctx := context.Background()
	b, err := domain.NewBiller(uuid.MustParse("00000000-0000-4000-8000-000000009900"), "Syndicat d'Autreville", "009900", "factures@autreville.test", start)
	require.NoError(e.T, err)
	b.Hosts = []string{otherHost}
	require.NoError(e.T, e.Store.SaveBiller(ctx, b))
	_, _, err = e.Portal.Operator().AddStaff(ctx, ports.StaffInput{BillerID: b.ID, Email: "autre@autreville.test", Name: "Agent d'Autreville",
		Role: domain.RoleManager, Password: otherPassword})
	require.NoError(e.T, err)
	payer := domain.Payer{ID: uuid.NewSHA1(b.ID, []byte("AUTRE-0001")), BillerID: b.ID, ExternalRef: "AUTRE-0001",
		Name: "Claude Autre", Email: "claude@autreville.test", CreatedAt: start, UpdatedAt: start}
	require.NoError(e.T, e.Store.SavePayer(ctx, payer))
	inv := domain.Invoice{ID: uuid.NewSHA1(b.ID, []byte("AUTRE-2026-1")), BillerID: b.ID, PayerID: payer.ID,
		Number: "AUTRE-2026-1", IssueDate: domain.Today(start), DueDate: domain.Today(start).AddDays(30),
		Amount: dec("12.50"), Object: "Ordures ménagères", State: domain.InvoiceUnpaid, CreatedAt: start, UpdatedAt: start}
	require.NoError(e.T, e.Store.SaveInvoice(ctx, inv))
	return b
}

const otherPassword = "autreville-mot-de-passe"

// otherBillerInvoiceID is the id of the other biller's invoice.
func (e *env) otherBillerInvoiceID() uuid.UUID {
	return uuid.NewSHA1(uuid.MustParse("00000000-0000-4000-8000-000000009900"), []byte("AUTRE-2026-1"))
}

// postFile posts the import form's fields and a file in "fichier".
func postFile(b *browser, path string, fields map[string]string, name, content string) resp {
	b.E.T.Helper()
	return b.PostMultipart(path, fields, "fichier", name, []byte(content))
}

// postUpload posts one file in field, with nothing else but the token.
func postUpload(b *browser, path, field, name string, content []byte) resp {
	b.E.T.Helper()
	return b.PostMultipart(path, nil, field, name, content)
}
