package domain_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portail-factures/portail/domain"
)

func TestPayFiPAmountLimits(t *testing.T) {
	for _, c := range []struct {
		mode     domain.PayFiPMode
		min, max string
	}{
		{domain.PayFiPWebService, "1.00", "99999.99"},
		{"", "1.00", "99999.99"}, // the zero mode is the web service
		{domain.PayFiPURL, "1.00", "9999.99"},
	} {
		min, max := domain.PayFiPAmountLimits(c.mode)
		assert.True(t, dec(c.min).Equal(min), "%q min %s", c.mode, min)
		assert.True(t, dec(c.max).Equal(max), "%q max %s", c.mode, max)
	}
	assert.Equal(t, 100, domain.PayFiPObjetMax(domain.PayFiPWebService))
	assert.Equal(t, 99, domain.PayFiPObjetMax(domain.PayFiPURL))
}

func TestBillerAmountBoundsStayWithinPayFiP(t *testing.T) {
	for _, c := range []struct {
		name             string
		mode             domain.PayFiPMode
		min, max         string
		wantMin, wantMax string
	}{
		{"defaults in web-service mode", domain.PayFiPWebService, "1.00", "99999.99", "1.00", "99999.99"},
		{"defaults in URL mode stop below 10 000 €", domain.PayFiPURL, "1.00", "99999.99", "1.00", "9999.99"},
		{"the biller's own narrower bounds", domain.PayFiPURL, "5.00", "500.00", "5.00", "500.00"},
		{"a stored minimum below 1 € is raised", domain.PayFiPWebService, "0.01", "100.00", "1.00", "100.00"},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := mustBiller(t)
			b.PayFiPMode, b.MinAmount, b.MaxAmount = c.mode, dec(c.min), dec(c.max)
			min, max := b.AmountBounds()
			assert.Equal(t, c.wantMin, min.StringFixed(2))
			assert.Equal(t, c.wantMax, max.StringFixed(2))
		})
	}
}

func TestBillerValidateAmountBounds(t *testing.T) {
	for _, c := range []struct {
		name     string
		mode     domain.PayFiPMode
		min, max string
		field    string // empty: valid
		msg      string
	}{
		{"web-service limits", domain.PayFiPWebService, "1.00", "99999.99", "", ""},
		{"URL-mode limits", domain.PayFiPURL, "1.00", "9999.99", "", ""},
		{"equal bounds", domain.PayFiPURL, "50.00", "50.00", "", ""},
		{"below 1 €", domain.PayFiPWebService, "0.99", "100.00", "min_amount", "1,00\u00a0€"},
		{"zero minimum", domain.PayFiPWebService, "0", "100.00", "min_amount", "1,00\u00a0€"},
		{"above the web service's maximum", domain.PayFiPWebService, "1.00", "100000.00", "max_amount", "99\u202f999,99\u00a0€"},
		{"10 000 € in URL mode", domain.PayFiPURL, "1.00", "10000.00", "max_amount", "9\u202f999,99\u00a0€"},
		{"minimum above maximum", domain.PayFiPWebService, "100.00", "10.00", "max_amount", "minimum"},
		{"three decimals", domain.PayFiPWebService, "1.001", "10.00", "min_amount", "décimales"},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := mustBiller(t)
			b.PayFiPMode, b.MinAmount, b.MaxAmount = c.mode, dec(c.min), dec(c.max)
			err := b.Validate()
			if c.field == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, domain.Invalid, domain.ErrorCode(err))
			assert.Equal(t, c.field, domain.ErrorField(err))
			assert.Contains(t, domain.ErrorMessage(err), c.msg)
		})
	}
}

func TestInvoiceOutsideTheBoundsSaysWhy(t *testing.T) {
	b := mustBiller(t)
	b.PayFiPMode = domain.PayFiPURL
	p := mustPayer(t, b)
	big := mustInvoice(t, b, p, "2026-100", "12500.00")

	err := big.Payable(b, now)
	require.Error(t, err)
	assert.Equal(t, "La facture 2026-100 ne peut pas être réglée en ligne : son montant (12\u202f500,00\u00a0€) dépasse le maximum de 9\u202f999,99\u00a0€ d'un paiement en ligne. Contactez le service.", domain.ErrorMessage(err))
	a := big.Actions(b, now)
	assert.False(t, a.Pay, "no pay button")
	assert.Equal(t, domain.ErrorMessage(err), domain.ErrorMessage(a.PayBlocked))
	assert.True(t, a.DeclarePaid, "paid by other means, it may still be declared")

	// The same invoice is payable through the web service.
	b.PayFiPMode = domain.PayFiPWebService
	assert.NoError(t, big.Payable(b, now))

	// Below the minimum, alone, it cannot be paid when the biller takes
	// one invoice at a time.
	small := mustInvoice(t, b, p, "2026-101", "0.50")
	b.MultiplePayments = true
	assert.NoError(t, small.Payable(b, now), "it can be paid together with others")
	b.MultiplePayments = false
	err = small.Payable(b, now)
	assert.Equal(t, "La facture 2026-101 ne peut pas être réglée en ligne : son montant (0,50\u00a0€) est inférieur au minimum de 1,00\u00a0€ d'un paiement en ligne. Contactez le service.", domain.ErrorMessage(err))
}

func TestCheckSelectionKeepsPayFiPsLimits(t *testing.T) {
	b := mustBiller(t)
	b.PayFiPMode = domain.PayFiPURL
	p := mustPayer(t, b)
	invs := []domain.Invoice{mustInvoice(t, b, p, "2026-001", "6000.00"), mustInvoice(t, b, p, "2026-002", "4000.00")}
	_, err := domain.CheckSelection(b, p, invs, now)
	assert.Equal(t, domain.Invalid, domain.ErrorCode(err))
	assert.Contains(t, domain.ErrorMessage(err), "9\u202f999,99\u00a0€")

	b.PayFiPMode = domain.PayFiPWebService
	total, err := domain.CheckSelection(b, p, invs, now)
	require.NoError(t, err)
	assert.Equal(t, "10000.00", total.StringFixed(2))

	b.MinAmount = dec("0.01") // stored before the floor existed: PayFiP's 1 € still holds
	_, err = domain.CheckSelection(b, p, []domain.Invoice{mustInvoice(t, b, p, "2026-003", "0.99")}, now)
	assert.Contains(t, domain.ErrorMessage(err), "1,00\u00a0€")
}

func TestPayFiPEmail(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"demo@demo.fr", "demo@demo.fr"},
		{"o'brien&fils@exemple.fr", "o'brien&fils@exemple.fr"},
		{"jean@démoville.fr", "jean@xn--dmoville-b1a.fr"},
		{"jean@mairie-évry.fr", "jean@xn--mairie-vry-h7a.fr"},
		{"jean@factures.münchen.de", "jean@factures.xn--mnchen-3ya.de"},
		{"jean@café-crème.fr", "jean@xn--caf-crme-60ag.fr"},
		{"jean@aéîõü.fr", "jean@xn--a-bgap2a9a.fr"},
		{"jean@日本語.jp", "jean@xn--wgv71a119e.jp"},
		{"jean@straße.de", "jean@xn--strae-oqa.de"},
	} {
		got, err := domain.PayFiPEmail(c.in)
		require.NoError(t, err, c.in)
		assert.Equal(t, c.want, got, c.in)
	}

	_, err := domain.PayFiPEmail("jérôme@exemple.fr")
	require.Error(t, err)
	assert.Equal(t, domain.Invalid, domain.ErrorCode(err))
	assert.Contains(t, domain.ErrorMessage(err), "jérôme@exemple.fr")
	assert.Contains(t, domain.ErrorMessage(err), "« Mes informations »")

	// 80 characters once converted, not as typed.
	local := strings.Repeat("a", 80-len("@xn--dmoville-b1a.fr"))
	got, err := domain.PayFiPEmail(local + "@démoville.fr")
	require.NoError(t, err)
	assert.Len(t, got, 80)
	_, err = domain.PayFiPEmail("a" + local + "@démoville.fr")
	require.Error(t, err)
	assert.Contains(t, domain.ErrorMessage(err), "80 caractères")

	for _, bad := range []string{"", "a@b.f", "sans-arobase.fr", "deux@@exemple.fr", "jean@exemple.fr\u00a0", "jean@de\u0301moville.fr"} {
		_, err := domain.PayFiPEmail(bad)
		assert.Error(t, err, "%q", bad)
	}
}

func TestCheckPayFiPEmailAtAddressChange(t *testing.T) {
	assert.NoError(t, domain.CheckPayFiPEmail("jean@démoville.fr"), "an accented domain is converted")
	err := domain.CheckPayFiPEmail("élodie@exemple.fr")
	require.Error(t, err)
	assert.Equal(t, "email", domain.ErrorField(err))
	assert.Contains(t, domain.ErrorMessage(err), "avant le « @ »")
}

func TestNewPaymentSendsAnASCIIAddress(t *testing.T) {
	b := mustBiller(t)
	p := mustPayer(t, b)
	a := activeAccount(p)
	a.Email = "jean@démoville.fr"
	invs := []domain.Invoice{mustInvoice(t, b, p, "2026-001", "10.00")}
	pay, err := domain.NewPayment(uuid.New(), "ABCDEF123456", b, p, a, invs, now)
	require.NoError(t, err)
	assert.Equal(t, "jean@xn--dmoville-b1a.fr", pay.Email)

	a.Email = "jérôme@exemple.fr"
	invs = []domain.Invoice{mustInvoice(t, b, p, "2026-002", "10.00")}
	_, err = domain.NewPayment(uuid.New(), "ABCDEF123457", b, p, a, invs, now)
	assert.Equal(t, domain.Invalid, domain.ErrorCode(err))
	assert.False(t, invs[0].Locked(now), "nothing is locked")
}

func TestPaymentObjectLengthPerMode(t *testing.T) {
	b := mustBiller(t)
	numbers := make([]string, 30)
	for i := range numbers {
		numbers[i] = "2026-0001"
	}
	assert.Len(t, []rune(domain.PaymentObject(b, numbers)), 100)
	b.PayFiPMode = domain.PayFiPURL
	assert.Len(t, []rune(domain.PaymentObject(b, numbers)), 99)
}
