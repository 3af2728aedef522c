package ports_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
	"github.com/portail-factures/portail/ports"
	"github.com/portail-factures/portail/ports/portstest"
)

func urlMode(c *ports.Config) { c.PayFiPMode = domain.PayFiPURL }

// bigInvoice saves an unpaid invoice of amount for the env's payer.
func bigInvoice(t *testing.T, e *env, number, amount string) domain.Invoice {
	t.Helper()
	inv := portstest.NewInvoice(t, e.house.Payer, number, amount)
	require.NoError(t, e.store.Atomic(e.ctx, func(tx ports.Tx) error {
		portstest.MustSaveInvoices(t, tx, inv)
		return nil
	}))
	return inv
}

func TestURLModeInvoiceAbove10000EurosSaysWhy(t *testing.T) {
	e := newEnv(t, urlMode)
	big := bigInvoice(t, e, "2025-777777", "12500.00")
	want := "La facture 2025-777777 ne peut pas être réglée en ligne : son montant (12\u202f500,00\u00a0€) dépasse le maximum de 9\u202f999,99\u00a0€ d'un paiement en ligne. Contactez le service."

	d, err := e.portal.Citizens().Invoice(e.ctx, e.citizen, big.ID)
	require.NoError(t, err)
	assert.False(t, d.Actions.Pay)
	assert.Equal(t, want, domain.ErrorMessage(d.Actions.PayBlocked))

	sel, err := e.portal.Citizens().PayableInvoices(e.ctx, e.citizen)
	require.NoError(t, err)
	for _, inv := range sel.Invoices {
		assert.NotEqual(t, big.ID, inv.ID, "not offered for payment")
	}
	require.Len(t, sel.Refused, 1, "the selection says which invoice cannot be paid online, and why")
	assert.Equal(t, big.ID, sel.Refused[0].Invoice.ID)
	assert.Equal(t, want, sel.Refused[0].Reason)

	_, err = e.portal.Citizens().PreparePayment(e.ctx, e.citizen, []uuid.UUID{big.ID})
	assert.Equal(t, want, domain.ErrorMessage(err))
	_, _, err = e.portal.Citizens().StartPayment(e.ctx, e.citizen, []uuid.UUID{big.ID})
	assert.Equal(t, want, domain.ErrorMessage(err))
	assert.Empty(t, e.gateway.Requests())

	// The web service takes it.
	ws := newEnv(t)
	big = bigInvoice(t, ws, "2025-777777", "12500.00")
	d, err = ws.portal.Citizens().Invoice(ws.ctx, ws.citizen, big.ID)
	require.NoError(t, err)
	assert.True(t, d.Actions.Pay)
}

func TestURLModeSelectionAbove10000Euros(t *testing.T) {
	e := newEnv(t, urlMode)
	a := bigInvoice(t, e, "2025-800001", "6000.00")
	b := bigInvoice(t, e, "2025-800002", "4000.00")
	_, err := e.portal.Citizens().PreparePayment(e.ctx, e.citizen, []uuid.UUID{a.ID, b.ID})
	assert.Equal(t, domain.Invalid, domain.ErrorCode(err))
	assert.Contains(t, domain.ErrorMessage(err), "9\u202f999,99\u00a0€")
}

// setAccountEmail gives the env's account another address, as an import
// may have.
func setAccountEmail(t *testing.T, e *env, addr string) {
	t.Helper()
	a, err := e.store.Account(e.ctx, e.house.Account.ID)
	require.NoError(t, err)
	a.Email = addr
	require.NoError(t, e.store.SaveAccount(e.ctx, a))
}

func TestAccentedAddressNeverReachesPayFiP(t *testing.T) {
	e := newEnv(t)
	setAccountEmail(t, e, "jérôme@exemple.fr")
	ids := e.invoiceIDs(1)

	_, err := e.portal.Citizens().PreparePayment(e.ctx, e.citizen, ids)
	require.Error(t, err)
	assert.Equal(t, domain.Invalid, domain.ErrorCode(err))
	assert.Contains(t, domain.ErrorMessage(err), "« Mes informations »")

	_, _, err = e.portal.Citizens().StartPayment(e.ctx, e.citizen, ids)
	assert.Contains(t, domain.ErrorMessage(err), "« Mes informations »")
	assert.Empty(t, e.gateway.Requests(), "nothing sent to PayFiP")
	assert.False(t, e.invoice(t, ids[0]).Locked(e.clock.Now()), "nothing locked")
	live, err := e.store.LivePayments(e.ctx, 10)
	require.NoError(t, err)
	assert.Empty(t, live, "nothing stored")

	setAccountEmail(t, e, "jerome@démoville.fr")
	pay, _, err := e.portal.Citizens().StartPayment(e.ctx, e.citizen, ids)
	require.NoError(t, err)
	r, ok := e.gateway.LastRequest()
	require.True(t, ok)
	assert.Equal(t, "jerome@xn--dmoville-b1a.fr", r.Email, "the domain in punycode")
	assert.Equal(t, "jerome@xn--dmoville-b1a.fr", pay.Email)
}

func TestEmailChangeRefusesAnAddressPayFiPWouldRefuse(t *testing.T) {
	e := newEnv(t)
	err := e.portal.Citizens().RequestEmailChange(e.ctx, e.citizen, "élodie@exemple.fr", password)
	assert.Equal(t, "email", domain.ErrorField(err))
	assert.Contains(t, domain.ErrorMessage(err), "payer vos factures en ligne")
	assert.Empty(t, e.mails.To("élodie@exemple.fr"))

	require.NoError(t, e.portal.Citizens().RequestEmailChange(e.ctx, e.citizen, "elodie@démoville.fr", password), "an accented domain is converted")
}

func TestSettingsAmountBounds(t *testing.T) {
	e := newEnv(t, urlMode)
	manager := agent(e, domain.RoleManager)
	b, err := e.portal.BackOfficeAdmin().Settings(e.ctx, manager)
	require.NoError(t, err)
	assert.Equal(t, domain.PayFiPURL, b.PayFiPMode, "the page knows the instance's mode")
	in := ports.SettingsInputOf(b)
	assert.Equal(t, "1.00", in.MinAmount.StringFixed(2))
	assert.Equal(t, "9999.99", in.MaxAmount.StringFixed(2), "the stored default of 99 999,99 € is shown within URL mode's limit")

	for name, c := range map[string]struct {
		min, max, field string
	}{
		"below 1 €":             {"0.50", "100.00", "min_amount"},
		"10 000 € in URL mode":  {"1.00", "10000.00", "max_amount"},
		"minimum above maximum": {"200.00", "100.00", "max_amount"},
	} {
		t.Run(name, func(t *testing.T) {
			in := ports.SettingsInputOf(b)
			in.MinAmount, in.MaxAmount = dec(c.min), dec(c.max)
			err := e.portal.BackOfficeAdmin().UpdateSettings(e.ctx, manager, in)
			assert.Equal(t, c.field, domain.ErrorField(err), domain.ErrorMessage(err))
		})
	}

	in.MinAmount, in.MaxAmount = dec("5.00"), dec("500.00")
	require.NoError(t, e.portal.BackOfficeAdmin().UpdateSettings(e.ctx, manager, in))
	got, err := e.store.Biller(e.ctx, e.biller())
	require.NoError(t, err)
	assert.Equal(t, "5.00", got.MinAmount.StringFixed(2))
	assert.Equal(t, "500.00", got.MaxAmount.StringFixed(2))
	ev := auditTrail(t, e, domain.AuditSettingsChanged)
	require.Len(t, ev, 1)
	assert.Contains(t, ev[0].Detail, "montant minimum d'un paiement : 1,00\u00a0€ → 5,00\u00a0€")
	assert.Contains(t, ev[0].Detail, "montant maximum d'un paiement : 99\u202f999,99\u00a0€ → 500,00\u00a0€")
}
