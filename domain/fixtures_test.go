package domain_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
)

// now is a fixed instant: Thursday 10 September 2026, 10:00 in Paris.
var now = time.Date(2026, 9, 10, 8, 0, 0, 0, time.UTC)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func mustBiller(t *testing.T) domain.Biller {
	t.Helper()
	b, err := domain.NewBiller(uuid.New(), "Commune de Démoville", "004200", "factures@demoville.fr", now)
	require.NoError(t, err)
	b.MultiplePayments = true
	// Production: an attempt in T would end as a test payment.
	b.Saisie = domain.SaisieProduction
	return b
}

func mustPayer(t *testing.T, b domain.Biller) domain.Payer {
	t.Helper()
	p := domain.Payer{ID: uuid.New(), BillerID: b.ID, ExternalRef: "P001", Name: "Test SISTEC560", Email: "demo@demo.fr", CreatedAt: now}
	require.NoError(t, p.Validate())
	return p
}

func mustInvoice(t *testing.T, b domain.Biller, p domain.Payer, number, amount string) domain.Invoice {
	t.Helper()
	inv := domain.Invoice{
		ID: uuid.New(), BillerID: b.ID, PayerID: p.ID, Number: number,
		IssueDate: domain.NewDate(2026, 9, 1), DueDate: domain.NewDate(2026, 9, 30),
		Amount: dec(amount), Object: "Multi Services", State: domain.InvoiceUnpaid, CreatedAt: now,
	}
	require.NoError(t, inv.Validate())
	return inv
}

func activeAccount(p domain.Payer) domain.Account {
	a := domain.NewAccount(uuid.New(), p, now)
	a.SetPassword("$argon2id$x", now)
	return a
}
