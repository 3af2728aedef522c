package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/adapters/http/webtest"
	"github.com/portail-factures/portail/adapters/http/webtest/full"
	"github.com/portail-factures/portail/ports/demo"
)

// A declaration shows in declared_paid_at while the service has not
// decided; once confirmed, the invoice is paid and the field is null
// again, though the store keeps the date (domain.Invoice.Channel).
func TestAPIDeclaredPaidAtOnlyWhileDeclared(t *testing.T) {
	e := full.New(t)
	c := apiKey(e, demo.BillerID)
	ctx := context.Background()
	inv, err := e.Store.InvoiceByNumber(ctx, demo.BillerID, webtest.Nursery)
	require.NoError(t, err)
	require.NoError(t, inv.DeclarePaid(webtest.Start.Add(-time.Hour)))
	require.NoError(t, e.Store.SaveInvoice(ctx, inv))
	got := decode(t, c.send("GET", "/api/v1/invoices/"+webtest.Nursery, nil)).Invoice
	require.NotNil(t, got.DeclaredPaidAt)
	assert.Equal(t, "unpaid", got.State)

	require.NoError(t, inv.ConfirmDeclared(webtest.Start))
	require.NoError(t, e.Store.SaveInvoice(ctx, inv))
	got = decode(t, c.send("GET", "/api/v1/invoices/"+webtest.Nursery, nil)).Invoice
	assert.Equal(t, "paid", got.State)
	assert.Nil(t, got.DeclaredPaidAt)
}
