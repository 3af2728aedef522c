package main

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports/demo"
)

func TestServeRefusesADatabaseItCannotUse(t *testing.T) {
	clearEnv(t)
	m := NewMain()
	m.Stdout, m.Stderr = io.Discard, io.Discard
	require.NoError(t, m.ParseArgs([]string{"serve", "--database-url", "postgres://portal:s3cret@127.0.0.1:1/portal?sslmode=disable", "--payment-mode", "payfip"}))
	err := m.Run(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot open the database", "never silently serve from memory")
	assert.NotContains(t, err.Error(), "s3cret", "the URL may hold a password and is never echoed")
}

func TestServeWiresTheUseCasesOnTheMemoryStore(t *testing.T) {
	clearEnv(t)
	m := NewMain()
	m.Stdout, m.Stderr = io.Discard, io.Discard
	require.NoError(t, m.ParseArgs([]string{"serve"}))
	m.Logger = slog.New(slog.DiscardHandler)
	_, err := m.buildHandler(context.Background())
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, m.Close()) })
	require.NotNil(t, m.portal)
	assert.Equal(t, "http://127.0.0.1:8080", m.portal.Config().PublicURL)
}

func TestPaymentNumcliAndSaisieApplyToTheBillerServed(t *testing.T) {
	clearEnv(t)
	t.Setenv("PORTAL_PAYMENT_NUMCLI", "007143")
	m := NewMain()
	m.Stdout, m.Stderr = io.Discard, io.Discard
	require.NoError(t, m.ParseArgs([]string{"serve"}))
	m.Logger = slog.New(slog.DiscardHandler)
	ctx := context.Background()
	_, err := m.buildHandler(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, m.Close()) })
	secret, _, err := m.portal.CitizenAccounts().Login(ctx, demo.BillerID, demo.Email, demo.Password, false, "")
	require.NoError(t, err)
	_, c, err := m.portal.CitizenAccounts().Authenticate(ctx, secret)
	require.NoError(t, err)
	sel, err := m.portal.Citizens().PayableInvoices(ctx, c)
	require.NoError(t, err)
	require.NotEmpty(t, sel.Invoices)
	sum, err := m.portal.Citizens().PreparePayment(ctx, c, []uuid.UUID{sel.Invoices[0].ID})
	require.NoError(t, err)
	assert.Equal(t, "007143", sum.Numcli, "PORTAL_PAYMENT_NUMCLI overrides the demo's 004200")
}

func TestThePortalKnowsThePayFiPModeOfItsGateway(t *testing.T) {
	for mode, want := range map[string]domain.PayFiPMode{"simulator": domain.PayFiPWebService, "tipi": domain.PayFiPURL, "payfip": domain.PayFiPWebService} {
		t.Run(mode, func(t *testing.T) {
			clearEnv(t)
			m := NewMain()
			m.Stdout, m.Stderr = io.Discard, io.Discard
			require.NoError(t, m.ParseArgs([]string{"serve", "--payment-mode", mode}))
			m.Logger = slog.New(slog.DiscardHandler)
			_, err := m.buildHandler(context.Background())
			require.NoError(t, err)
			t.Cleanup(func() { assert.NoError(t, m.Close()) })
			assert.Equal(t, want, m.portal.Config().PayFiPMode, "PayFiP's limits follow the protocol spoken")
		})
	}
}
